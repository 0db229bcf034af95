"""Recall, flag rate, PPV and lead time of a replayed screen, per threshold.

A *case* is a person the truth file calls one (kind ``cno_adult``, ``crmo_child`` or ``diagnosed``, or any
row with a ``diagnosis_date``); without a truth file, a person with a diagnosis code in the data. Their
diagnosis date is the truth's, else the first diagnosis code in the data. A case is *found* at a threshold
when some screen date before its diagnosis lists it; its *lead time* is the diagnosis date minus the first
date it was listed. Cases diagnosed on or before the first screen date cannot be found and are counted apart.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pyarrow as pa  # type: ignore[import-untyped]

from cnopad.population.replay import Snapshot
from cnopad.population.synthetic.cases import CASE_KINDS

LEAD_SCHEMA = pa.schema(
    [
        ("threshold", pa.int64()),
        ("person_id", pa.int64()),
        ("kind", pa.string()),
        ("diagnosis_date", pa.date32()),
        ("first_flagged", pa.date32()),
        ("lead_days", pa.int64()),
    ]
)
#: lead-time histogram bins in years (lower bound included)
BINS: tuple[tuple[float, float | None, str], ...] = (
    (0, 0.5, "0-6 mo"),
    (0.5, 1, "6-12 mo"),
    (1, 2, "1-2 y"),
    (2, 3, "2-3 y"),
    (3, 5, "3-5 y"),
    (5, None, "5 y +"),
)


@dataclass(frozen=True)
class Case:
    """A true case and its diagnosis date (None: not diagnosed, as far as anyone knows)."""

    person_id: int
    kind: str
    diagnosis: date | None


@dataclass(frozen=True)
class ThresholdFigures:
    """What one threshold achieves over the replay."""

    threshold: int
    eligible: int
    found: int
    ever_flagged: int
    ever_flagged_cases: int
    mean_flagged_per_1000: float
    lead_days: tuple[int, ...]
    not_yet_diagnosed_found: int

    @property
    def median_lead_days(self) -> float | None:
        """Median lead time of the found cases with a diagnosis date."""
        return float(statistics.median(self.lead_days)) if self.lead_days else None

    def histogram(self) -> list[int]:
        """Found cases per lead-time bin (BINS)."""
        counts = [0] * len(BINS)
        for days in self.lead_days:
            years = days / 365.25
            for i, (low, high, _) in enumerate(BINS):
                if years >= low and (high is None or years < high):
                    counts[i] += 1
                    break
        return counts


def cases_from(truth: pa.Table | None, diagnosed_first: pa.Table) -> list[Case]:
    """The true cases: from the truth file when given, else the persons diagnosed in the data."""
    first = dict(
        zip(
            diagnosed_first.column("person_id").to_pylist(),
            diagnosed_first.column("first_date").to_pylist(),
            strict=True,
        )
    )
    if truth is None:
        return [Case(int(p), "diagnosed in the data", d) for p, d in sorted(first.items())]
    out: list[Case] = []
    columns = (truth.column(c).to_pylist() for c in ("person_id", "kind", "diagnosis_date"))
    for pid, kind, when in zip(*columns, strict=True):
        if kind in CASE_KINDS or when is not None:
            out.append(Case(int(pid), str(kind), when if when is not None else first.get(pid)))
    return out


def figures(
    snapshots: Sequence[Snapshot], cases: Sequence[Case], thresholds: Sequence[int]
) -> tuple[list[ThresholdFigures], pa.Table, int]:
    """Per threshold: the figures; the per-case lead-time rows; and how many cases were diagnosed too early."""
    start = snapshots[0].as_of
    by_case = {c.person_id: c for c in cases}
    eligible = [c for c in cases if c.diagnosis is None or c.diagnosis > start]
    too_early = len(cases) - len(eligible)
    history: dict[int, list[tuple[date, int]]] = {}
    best: dict[int, int] = {}
    for snap in snapshots:
        ids = snap.scores.column("person_id").to_pylist()
        for pid, score in zip(ids, snap.scores.column("score").to_pylist(), strict=True):
            best[pid] = max(best.get(pid, 0), score)
            if pid in by_case:
                history.setdefault(pid, []).append((snap.as_of, score))
    rows: dict[str, list[object]] = {name: [] for name in LEAD_SCHEMA.names}
    out: list[ThresholdFigures] = []
    for t in thresholds:
        leads: list[int] = []
        found = undiagnosed_found = 0
        for case in eligible:
            first = next(
                (
                    d
                    for d, s in history.get(case.person_id, ())
                    if s >= t and (case.diagnosis is None or d < case.diagnosis)
                ),
                None,
            )
            lead = (case.diagnosis - first).days if first is not None and case.diagnosis is not None else None
            if first is not None:
                found += 1
                if lead is None:
                    undiagnosed_found += 1
                else:
                    leads.append(lead)
            for name, value in zip(
                LEAD_SCHEMA.names, (t, case.person_id, case.kind, case.diagnosis, first, lead), strict=True
            ):
                rows[name].append(value)
        ever = {p for p, s in best.items() if s >= t}
        rates = [_count_at(s, t) / s.persons * 1000 for s in snapshots if s.persons]
        out.append(
            ThresholdFigures(
                threshold=t,
                eligible=len(eligible),
                found=found,
                ever_flagged=len(ever),
                ever_flagged_cases=len(ever & set(by_case)),
                mean_flagged_per_1000=sum(rates) / len(rates) if rates else 0.0,
                lead_days=tuple(sorted(leads)),
                not_yet_diagnosed_found=undiagnosed_found,
            )
        )
    return out, pa.table(rows, schema=LEAD_SCHEMA), too_early


def _count_at(snapshot: Snapshot, threshold: int) -> int:
    return sum(1 for s in snapshot.scores.column("score").to_pylist() if s >= threshold)
