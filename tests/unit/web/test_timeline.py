"""The timeline chart's layout: bars in time order, infusion ticks and pain points inside the chart."""

from __future__ import annotations

from datetime import date

from cnopad.domain import Administration, Coding, Concept, Observation, Patient, PatientRecord
from cnopad.engine import Step, StepPeriod
from cnopad.web import timeline

PAM = Coding("http://www.whocc.no/atc", "M05BA03")
PAIN = Coding("http://loinc.org", "72514-3")
TODAY = date(2026, 11, 23)


def _record() -> PatientRecord:
    return PatientRecord.build(
        Patient("p", date(1970, 1, 1)),
        [
            Administration("a1", (PAM,), date(2026, 3, 1), frozenset({Concept.BISPHOSPHONATE})),
            Administration("a2", (PAM,), date(2026, 6, 1), frozenset({Concept.BISPHOSPHONATE})),
            Observation("o1", (PAIN,), frozenset({Concept.PAIN_SCORE}), date(2026, 2, 1), 8),
            Observation("o2", (PAIN,), frozenset({Concept.PAIN_SCORE}), date(2026, 9, 1), 2),
        ],
    )


def test_periods_infusions_and_pain_scores_are_placed_in_time_order() -> None:
    history = (
        StepPeriod(Step.BISPHOSPHONATE, "m2", "pamidronate", date(2026, 2, 15), None),
        StepPeriod(Step.NSAID, "m1", "naproxen", date(2024, 1, 1), date(2026, 2, 14)),
    )
    tl = timeline.build(_record(), history, TODAY)
    assert [b.label for b in tl.bars] == ["naproxen", "pamidronate"]
    assert tl.bars[0].x < tl.bars[1].x
    assert tl.bars[1].ongoing
    assert [t.day for t in tl.infusions] == [date(2026, 3, 1), date(2026, 6, 1)]
    high, low = tl.pain
    assert high.y < low.y  # 8 is drawn above 2
    assert tl.pain_top <= high.y <= tl.pain_bottom
    assert all(timeline.LEFT <= p.x <= timeline.WIDTH for p in tl.pain)
    assert tl.bars[1].x + tl.bars[1].width <= tl.today_x + 0.5


def test_a_record_without_medication_or_scores_has_an_empty_chart() -> None:
    tl = timeline.build(PatientRecord.build(Patient("p", date(1970, 1, 1)), []), (), TODAY)
    assert tl.empty


def test_the_chart_shows_at_most_six_years() -> None:
    history = (StepPeriod(Step.NSAID, "m1", "naproxen", date(2001, 1, 1), None),)
    tl = timeline.build(_record(), history, TODAY)
    assert tl.start >= date(2020, 1, 1)
    assert tl.bars[0].x == timeline.LEFT
