"""Recall and precision of a screen against planted truth (the synthetic population's ``truth.parquet``).

The truth file has ``person_id``, ``kind`` and optionally ``diagnosis_date`` (when the case gets its
diagnosis; the synthetic population writes it for planted cases diagnosed later); the kinds ``cno_adult``
and ``crmo_child`` are the planted cases a screen should list. Persons already diagnosed in the data are
never ranked and are not counted, also when planted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from cnopad.errors import InputError
from cnopad.population.synthetic.cases import PLANTED


@dataclass(frozen=True)
class Evaluation:
    """How the ranked list compares with the truth."""

    planted: int
    flagged: int
    found: int
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def recall(self) -> float | None:
        """Planted cases found / planted cases."""
        return self.found / self.planted if self.planted else None

    @property
    def precision(self) -> float | None:
        """Planted cases found / persons listed."""
        return self.found / self.flagged if self.flagged else None


def read_truth(path: Path) -> pa.Table:
    """Read a truth file (Parquet or CSV) with person_id, kind and optionally diagnosis_date; InputError if unusable."""
    try:
        table = pq.read_table(path) if path.suffix.lower() == ".parquet" else pacsv.read_csv(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(str(path), f"cannot read the truth file: {str(exc).splitlines()[0][:200]}") from exc
    names = {n.lower(): n for n in table.column_names}
    for needed in ("person_id", "kind"):
        if needed not in names:
            msg = f"{path.name}.{needed}"
            raise InputError(msg, "column is missing from the truth file")
    try:
        columns = {
            "person_id": table.column(names["person_id"]).cast(pa.int64()),
            "kind": table.column(names["kind"]).cast(pa.string()),
        }
    except pa.ArrowInvalid as exc:
        msg = f"{path.name}.person_id"
        raise InputError(msg, "is not an integer id") from exc
    try:
        columns["diagnosis_date"] = (
            table.column(names["diagnosis_date"]).cast(pa.date32())
            if "diagnosis_date" in names
            else pa.nulls(table.num_rows, pa.date32())
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        msg = f"{path.name}.diagnosis_date"
        raise InputError(msg, "is not a date (use YYYY-MM-DD)") from exc
    return pa.table(columns)


def evaluate(truth: pa.Table, ranked: pa.Table, diagnosed: pa.Table | None = None) -> Evaluation:
    """Compare the ranked person ids with the planted kinds of the truth (those already diagnosed left out)."""
    listed = set(ranked.column("person_id").to_pylist())
    known = set(diagnosed.column("person_id").to_pylist()) if diagnosed is not None else set()
    by_kind: dict[str, list[int]] = {}
    planted = found = 0
    for pid, kind in zip(truth.column("person_id").to_pylist(), truth.column("kind").to_pylist(), strict=True):
        counts = by_kind.setdefault(kind, [0, 0])
        counts[0] += 1
        hit = pid in listed
        counts[1] += int(hit)
        if kind in PLANTED and pid not in known:
            planted += 1
            found += int(hit)
    return Evaluation(planted, len(listed), found, {k: (v[0], v[1]) for k, v in sorted(by_kind.items())})
