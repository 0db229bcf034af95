"""Write a screen's outputs into a folder, all or nothing.

``ranked.csv`` and ``ranked.parquet`` (person_id, score, features with dates, cited statements),
``diagnosed.csv`` (already diagnosed, not ranked), ``unresolved.csv`` (features not or partly resolved in
this data, and why), ``report.html`` and ``run.json``. Files go to a temporary folder beside the target and
are moved into place only when all are written; the target must be new or empty.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from cnopad.errors import InputError
from cnopad.knowledge.casefinding import CaseFinding
from cnopad.population import report
from cnopad.population.evaluation import Evaluation
from cnopad.population.privacy import shown
from cnopad.population.screening import ScreenResult

FILES = ("ranked.csv", "ranked.parquet", "diagnosed.csv", "unresolved.csv", "report.html", "run.json")


def check_out(out: Path) -> None:
    """Refuse an output folder that exists and is not empty (nothing is overwritten)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(str(out), "exists and is not an empty folder; choose a new one")


def write_outputs(
    result: ScreenResult,
    kb: CaseFinding,
    out: Path,
    *,
    lang: str = "en",
    evaluation: Evaluation | None = None,
    generated: str = "",
) -> list[Path]:
    """Write every output file into ``out`` at once; returns their paths."""
    check_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        pacsv.write_csv(result.ranked, tmp / "ranked.csv")
        pq.write_table(result.ranked, tmp / "ranked.parquet")
        pacsv.write_csv(result.diagnosed, tmp / "diagnosed.csv")
        pacsv.write_csv(_unresolved(result, kb), tmp / "unresolved.csv")
        html = report.render(result, kb, lang=lang, evaluation=evaluation, generated=generated)
        (tmp / "report.html").write_text(html, encoding="utf-8")
        (tmp / "run.json").write_text(
            json.dumps(_run(result, evaluation, generated), indent=2) + "\n", encoding="utf-8"
        )
        if out.exists():
            out.rmdir()
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out / name for name in FILES]


def _unresolved(result: ScreenResult, kb: CaseFinding) -> pa.Table:
    rows = [(f.id, result.resolution.features[f.id], f.points) for f in kb.features]
    rows = [r for r in rows if r[1].status != "resolved"]
    return pa.table(
        {
            "feature_id": pa.array([r[0] for r in rows], pa.string()),
            "status": pa.array([r[1].status for r in rows], pa.string()),
            "points": pa.array([r[2] for r in rows], pa.int64()),
            "reason": pa.array([r[1].reason for r in rows], pa.string()),
        }
    )


def _run(result: ScreenResult, evaluation: Evaluation | None, generated: str) -> dict[str, object]:
    """Run metadata; counts are suppressed below 10 like in the report."""
    run: dict[str, object] = {
        "generated": generated,
        "source": result.source,
        "backend": result.backend,
        "cdm_version": result.cdm_version,
        "cdm_version_basis": result.version_basis,
        "knowledge": result.knowledge_version,
        "threshold": result.threshold,
        "as_of": result.as_of.isoformat() if result.as_of is not None else None,
        "persons_screened": shown(result.persons),
        "persons_listed": shown(result.ranked.num_rows),
        "persons_already_diagnosed": shown(result.diagnosed.num_rows),
        "features": {k: v.status for k, v in result.resolution.features.items()},
        "tables_not_used": result.unusable_tables,
        "seconds": {k: round(v, 3) for k, v in result.timings.items()},
    }
    if evaluation is not None:
        run["truth"] = {"planted": shown(evaluation.planted), "found": shown(evaluation.found)}
    return run
