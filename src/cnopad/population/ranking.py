"""From per-person scores to the outputs a clinician reviews: the ranked list and the already-diagnosed list.

Only person ids, points, feature ids with their first and last dates, and the statements and references
they cite leave the tool: no names, birth dates or note text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from cnopad.knowledge.casefinding import CaseFinding, Feature
from cnopad.population.scoring import DIAGNOSED

RANKED_SCHEMA = pa.schema(
    [
        ("rank", pa.int64()),
        ("person_id", pa.int64()),
        ("score", pa.int64()),
        ("form", pa.string()),
        ("features", pa.string()),
        ("feature_ids", pa.string()),
        ("first_date", pa.date32()),
        ("last_date", pa.date32()),
        ("statements", pa.string()),
        ("references", pa.string()),
    ]
)
DIAGNOSED_SCHEMA = pa.schema([("person_id", pa.int64()), ("first_recorded", pa.date32()), ("score", pa.int64())])


def ranked(scores: pa.Table, kb: CaseFinding, threshold: int) -> pa.Table:
    """Persons at or above the threshold and not already diagnosed, best first (ties by person id)."""
    keep = pc.and_(pc.greater_equal(scores.column("score"), threshold), pc.invert(scores.column(DIAGNOSED)))
    rows = scores.filter(keep).sort_by([("score", "descending"), ("person_id", "ascending")])
    out: dict[str, list[object]] = {name: [] for name in RANKED_SCHEMA.names}
    columns = {name: rows.column(name).to_pylist() for name in rows.column_names}
    for i in range(rows.num_rows):
        fired = [f for f in kb.features if columns[f.id][i]]
        spans = [(f, columns[f"{f.id}__first"][i], columns[f"{f.id}__last"][i]) for f in fired]
        out["rank"].append(i + 1)
        out["person_id"].append(columns["person_id"][i])
        out["score"].append(columns["score"][i])
        out["form"].append(_form(fired))
        out["features"].append("; ".join(_describe(f, first, last) for f, first, last in spans))
        out["feature_ids"].append(";".join(f.id for f in fired))
        firsts = [d for _, d, _ in spans if d is not None]
        lasts = [d for _, _, d in spans if d is not None]
        out["first_date"].append(min(firsts) if firsts else None)
        out["last_date"].append(max(lasts) if lasts else None)
        out["statements"].append("; ".join(dict.fromkeys(s for f in fired for s in f.statements)))
        out["references"].append(" | ".join(dict.fromkeys(f.reference.strip() for f in fired if f.reference)))
    return pa.table(out, schema=RANKED_SCHEMA)


def diagnosed(scores: pa.Table) -> pa.Table:
    """Persons whose record already holds a CNO/CRMO/SAPHO code: listed apart, never ranked."""
    rows = scores.filter(scores.column(DIAGNOSED)).sort_by([("person_id", "ascending")])
    return pa.table(
        {
            "person_id": rows.column("person_id").cast(pa.int64()),
            "first_recorded": rows.column("diagnosed_first").cast(pa.date32()),
            "score": rows.column("score").cast(pa.int64()),
        },
        schema=DIAGNOSED_SCHEMA,
    )


def feature_counts(scores: pa.Table, kb: CaseFinding, person_ids: Sequence[int] | None = None) -> dict[str, int]:
    """How many persons each feature fired for (optionally among the given persons only)."""
    table = scores
    if person_ids is not None:
        table = scores.filter(pc.is_in(scores.column("person_id"), pa.array(list(person_ids), pa.int64())))
    return {f.id: int(pc.sum(table.column(f.id).cast(pa.int64())).as_py() or 0) for f in kb.features}


def _form(fired: list[Feature]) -> str:
    scopes = {f.scope for f in fired} - {"any"}
    if scopes == {"adult"}:
        return "adult (CNO-SCCH)"
    if scopes == {"child"}:
        return "child (CRMO)"
    return "adult and child" if scopes else "not told by age"


def _describe(f: Feature, first: date | None, last: date | None) -> str:
    if first is None:
        return f"{f.id} (+{f.points})"
    span = first.isoformat() if first == last or last is None else f"{first.isoformat()}..{last.isoformat()}"
    return f"{f.id} (+{f.points}, {span})"
