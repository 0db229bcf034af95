"""The treatment timeline as numbers for an inline SVG: medication periods as bars, infusion days as
ticks, pain scores (NRS 0-10) as a line; with the same facts as a table for screen readers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cnopad.domain import CNO_MEDICATION, Concept, PatientRecord
from cnopad.engine import StepPeriod

WIDTH = 760
LEFT = 170  # room for the bar labels
RIGHT = 16
BAR_HEIGHT = 18
ROW = 26
PAIN_HEIGHT = 90
AXIS = 22
MAX_YEARS = 6


@dataclass(frozen=True, slots=True)
class Bar:
    """One medication period."""

    label: str
    step: str
    start: date | None
    end: date | None
    x: float
    y: float
    width: float
    ongoing: bool


@dataclass(frozen=True, slots=True)
class Tick:
    """An infusion day (x) or an axis mark (x and its date)."""

    day: date
    x: float
    entry_id: str = ""  # an infusion day: the record entry (for its author in the table)


@dataclass(frozen=True, slots=True)
class PainPoint:
    """A pain score at its place on the chart."""

    day: date
    score: int
    x: float
    y: float
    entry_id: str = ""


@dataclass(frozen=True)
class Timeline:
    """Everything the SVG template draws, in pixels, plus the facts for the text alternative."""

    start: date
    end: date
    height: int
    bars: tuple[Bar, ...]
    infusions: tuple[Tick, ...]
    infusion_y: float
    pain: tuple[PainPoint, ...]
    pain_top: float
    pain_bottom: float
    axis: tuple[Tick, ...]
    today_x: float

    @property
    def pain_path(self) -> str:
        """The SVG points of the pain line."""
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.pain)

    @property
    def empty(self) -> bool:
        """True when there is nothing to draw."""
        return not (self.bars or self.infusions or self.pain)


def _periods(record: PatientRecord, history: tuple[StepPeriod, ...]) -> list[StepPeriod]:
    if history:
        return list(history)
    # without the engine's history: every CNO medication of the record, as its own period
    from cnopad.engine import Step

    out = []
    for med in record.medications:
        if not med.ever_taken or not (med.concepts & CNO_MEDICATION):
            continue
        step = (
            Step.TNF
            if Concept.TNF_INHIBITOR in med.concepts
            else Step.BISPHOSPHONATE
            if Concept.BISPHOSPHONATE in med.concepts
            else Step.NSAID
            if Concept.NSAID in med.concepts
            else Step.OTHER
        )
        label = med.text or next((c.display for c in med.codings if c.display), None) or step.value
        out.append(StepPeriod(step, med.id, label, med.start, med.end))
    return out


def build(record: PatientRecord, history: tuple[StepPeriod, ...], today: date) -> Timeline:
    """Lay out the timeline of one record up to ``today`` (at most the last six years)."""
    periods = sorted(_periods(record, history), key=lambda p: (p.start or date.min, p.medication_id))
    given: dict[date, str] = {}
    for a in sorted(record.administrations, key=lambda a: a.id):
        if a.status.value == "completed" and a.concepts & {Concept.BISPHOSPHONATE, Concept.TNF_INHIBITOR}:
            given.setdefault(a.given_on, a.id)
    infusions = sorted(given)
    pains = sorted(
        (o.effective, int(o.number), o.id)
        for o in record.observations
        if Concept.PAIN_SCORE in o.concepts and o.effective is not None and o.number is not None
    )
    known = [d for d in (*(p.start for p in periods), *infusions, *(d for d, _, _ in pains)) if d is not None]
    earliest = min(known, default=today - timedelta(days=365))
    start = max(min(earliest, today - timedelta(days=180)), today - timedelta(days=365 * MAX_YEARS))
    start = date(start.year, 1 if start.month <= 6 else 7, 1)
    end = today + timedelta(days=92)
    span = (end - start).days or 1

    def x(day: date | None) -> float:
        day = start if day is None or day < start else min(day, end)
        return LEFT + (WIDTH - LEFT - RIGHT) * (day - start).days / span

    bars = []
    for i, p in enumerate(periods):
        y = AXIS + i * ROW
        right = x(p.end or today)
        bars.append(
            Bar(p.label, p.step.value, p.start, p.end, x(p.start), y, max(right - x(p.start), 2.0), p.end is None)
        )
    infusion_y = AXIS + len(bars) * ROW
    pain_top = infusion_y + ROW + 8
    pain_bottom = pain_top + PAIN_HEIGHT
    points = tuple(
        PainPoint(d, s, x(d), pain_bottom - PAIN_HEIGHT * max(0, min(s, 10)) / 10, i) for d, s, i in pains if d >= start
    )
    axis = []
    year = start.year
    while date(year, 1, 1) <= end:
        for month in (1, 7):
            mark = date(year, month, 1)
            if start <= mark <= end:
                axis.append(Tick(mark, x(mark)))
        year += 1
    return Timeline(
        start,
        end,
        int(pain_bottom + 28),
        tuple(bars),
        tuple(Tick(d, x(d), given[d]) for d in infusions if d >= start),
        infusion_y,
        points,
        pain_top,
        pain_bottom,
        tuple(axis),
        x(today),
    )
