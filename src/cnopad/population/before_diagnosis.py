"""Diagnosed persons as the truth: would the screen have listed them 1, 2, 3 and 5 years before diagnosis?

Each person with a diagnosis code (M86.3, the score's ``diagnosed_signal``) is screened as known on the
day 1, 2, 3 and 5 years before their first diagnosis code, so the code itself is never seen. Everyone else
is screened on the same calendar dates, rounded down to the first of January or July (a full screen per
date; the rounding bounds the number of screens), which gives the flag rate among the others. Only
aggregates leave: counts below 10 as "<10", ratios only when their counts may be shown. The study protocol
(what this estimates and what it cannot) is in docs/population.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

from cnopad.population import svg
from cnopad.population.privacy import ratio, showable, shown
from cnopad.population.progress import Progress, Silent
from cnopad.population.replay import Replay, Snapshot
from cnopad.population.timeline import add_months

YEARS_BEFORE = (1, 2, 3, 5)


@dataclass(frozen=True)
class Offset:
    """The figures for one number of years before diagnosis."""

    years: int
    screened: int
    flagged: int
    not_born: int
    others_screened: int
    others_flagged: int

    @property
    def others_per_1000(self) -> float | None:
        """Flag rate among the others on the same dates, per 1,000 screened (None when not showable)."""
        if not self.others_screened or not showable(self.others_flagged):
            return None
        return self.others_flagged / self.others_screened * 1000


@dataclass
class BeforeDiagnosis:
    """The study's result, or why it could not be done (``status``)."""

    threshold: int
    status: str
    diagnosed: int = 0
    offsets: list[Offset] = field(default_factory=list)
    dates_screened: int = 0

    def summary(self) -> dict[str, Any]:
        """Aggregates only, with small counts suppressed."""
        return {
            "threshold": self.threshold,
            "status": self.status,
            "diagnosed_persons": shown(self.diagnosed),
            "calendar_dates_screened": self.dates_screened,
            "by_years_before_diagnosis": [
                {
                    "years_before": o.years,
                    "diagnosed_screened": shown(o.screened),
                    "diagnosed_flagged": shown(o.flagged),
                    "sensitivity": ratio(o.flagged, o.screened),
                    "not_yet_born_left_out": shown(o.not_born),
                    "others_screened": shown(o.others_screened),
                    "others_flagged": shown(o.others_flagged),
                    "others_flagged_per_1000": (
                        f"{o.others_per_1000:.2f}" if o.others_per_1000 is not None else "not shown (a count below 10)"
                    ),
                }
                for o in self.offsets
            ],
        }

    def chart(self) -> str:
        """Sensitivity by years before diagnosis (outlines where it may not be shown)."""
        values = [
            o.flagged / o.screened if o.screened and showable(o.flagged, o.screened) else None for o in self.offsets
        ]
        return svg.ratio_groups(
            f"Sensitivity by years before diagnosis (threshold {self.threshold})",
            [f"{o.years} y" for o in self.offsets],
            {"sensitivity": values},
        )


def half_year(day: date) -> date:
    """The first of January or July on or before ``day``."""
    return date(day.year, 1 if day.month < 7 else 7, 1)


def before_diagnosis(replay: Replay, threshold: int, progress: Progress | None = None) -> BeforeDiagnosis:
    """Run the study on a prepared source."""
    progress = progress or Silent()
    if not replay.diagnosis_resolved:
        return BeforeDiagnosis(
            threshold,
            "no diagnosed persons: the diagnosis codes (ICD-10 / ICD-10-CM M86.3) are not in this data's vocabulary",
        )
    first = replay.diagnosed_first
    if first.num_rows == 0:
        return BeforeDiagnosis(threshold, "no diagnosed persons: no one in this data has a diagnosis code")
    persons = first.column("person_id").to_pylist()
    diagnosed_on = first.column("first_date").to_pylist()
    births = _births(replay, persons)
    slots: list[tuple[int, int, int, date]] = []  # slot, person, years, as_of
    not_born = dict.fromkeys(YEARS_BEFORE, 0)
    for pid, when in zip(persons, diagnosed_on, strict=True):
        for years in YEARS_BEFORE:
            as_of = add_months(when, -12 * years)
            born = births.get(pid)
            if born is not None and born > as_of:
                not_born[years] += 1
                continue
            slots.append((len(slots), pid, years, as_of))
    progress.stage("Screening the diagnosed before their diagnosis", 1)
    table = pa.table(
        {
            "slot": pa.array([s[0] for s in slots], pa.int64()),
            "person_id": pa.array([s[1] for s in slots], pa.int64()),
            "as_of": pa.array([s[3] for s in slots], pa.date32()),
        }
    )
    scored = replay.scores_at(table)
    hit = {
        s: sc >= threshold and not dg
        for s, sc, dg in zip(*(scored.column(c).to_pylist() for c in ("slot", "score", "diagnosed")), strict=True)
    }
    progress.advance(1)
    dates = sorted({half_year(s[3]) for s in slots})
    others = _others(replay, dates, set(persons), threshold, progress)
    offsets = []
    for years in YEARS_BEFORE:
        mine = [s for s in slots if s[2] == years]
        screened_others = sum(others[half_year(s[3])][0] for s in mine)
        flagged_others = sum(others[half_year(s[3])][1] for s in mine)
        offsets.append(
            Offset(years, len(mine), sum(hit[s[0]] for s in mine), not_born[years], screened_others, flagged_others)
        )
    return BeforeDiagnosis(threshold, "done", len(persons), offsets, len(dates))


def _others(
    replay: Replay, dates: list[date], diagnosed: set[int], threshold: int, progress: Progress
) -> dict[date, tuple[int, int]]:
    """Per calendar date: (others screened, others flagged); the diagnosed are left out of both."""
    progress.stage(f"Screening everyone else on {len(dates)} calendar dates", len(dates))
    out: dict[date, tuple[int, int]] = {}
    births = _births(replay, sorted(diagnosed))
    for d in dates:
        snap: Snapshot = replay.snapshot(d)
        born_diagnosed = sum(1 for p in diagnosed if births.get(p) is None or births[p] <= d)
        flagged = sum(
            1
            for p, s in zip(
                snap.scores.column("person_id").to_pylist(), snap.scores.column("score").to_pylist(), strict=True
            )
            if s >= threshold and p not in diagnosed
        )
        out[d] = (max(snap.persons - born_diagnosed, 0), flagged)
        progress.advance(1)
    return out


def _births(replay: Replay, persons: list[int]) -> dict[int, date]:
    """Birth dates of the given persons (missing month or day taken as the first)."""
    person = replay.omop.tables["person"]
    rows = (
        person.filter(person.person_id.isin(persons))
        .select("person_id", "year_of_birth", "month_of_birth", "day_of_birth")
        .to_pyarrow()
    )
    out: dict[int, date] = {}
    pick: Callable[[str], list[Any]] = lambda c: rows.column(c).to_pylist()  # noqa: E731 - a local shorthand
    for pid, y, m, d in zip(
        pick("person_id"), pick("year_of_birth"), pick("month_of_birth"), pick("day_of_birth"), strict=True
    ):
        if y is None:
            continue
        try:
            out[int(pid)] = date(int(y), int(m or 1), int(d or 1))
        except ValueError:  # an impossible month or day in the source: the year alone still places the birth
            out[int(pid)] = date(int(y), 1, 1)
    return out
