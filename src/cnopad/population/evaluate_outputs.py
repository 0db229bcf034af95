"""Write what ``cnopad population evaluate`` measured: ``evaluation.json``, ``report.html`` and, for a replay
over time, ``lead_times.csv`` (one row per true case and threshold: person id, dates, lead days).

Counts below 10 leave the tool as "<10"; a ratio or a median only when every count behind it is 10 or more.
Files are written to a temporary folder next to the target and moved into place only when all are written.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]

from cnopad.population import svg
from cnopad.population.before_diagnosis import BeforeDiagnosis
from cnopad.population.leadtime import BINS, ThresholdFigures
from cnopad.population.outputs import check_out
from cnopad.population.privacy import ratio, showable, shown

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("cnopad.population", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass
class EvaluationRun:
    """What an evaluate run measured, ready to be written."""

    source: str
    backend: str
    cdm_version: str
    knowledge_version: str
    default_threshold: int
    generated: str
    with_truth: bool
    diagnosis_resolved: bool
    dates: list[str] = field(default_factory=list)
    step: str = ""
    figures: list[ThresholdFigures] = field(default_factory=list)
    lead_rows: pa.Table | None = None
    cases_diagnosed_before_start: int = 0
    before: BeforeDiagnosis | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def median_text(f: ThresholdFigures) -> str:
    """The median lead time in days and years, or why it is not shown."""
    if not showable(len(f.lead_days)) or f.median_lead_days is None:
        return "not shown (fewer than 10 cases with a lead time)"
    return f"{f.median_lead_days:.0f} days ({f.median_lead_days / 365.25:.1f} years)"


def _threshold_row(f: ThresholdFigures, with_truth: bool) -> dict[str, str]:
    return {
        "threshold": str(f.threshold),
        "eligible": shown(f.eligible),
        "found": shown(f.found),
        "recall": ratio(f.found, f.eligible),
        "ever_flagged": shown(f.ever_flagged),
        "per_1000": f"{f.mean_flagged_per_1000:.2f}",
        "ppv": ratio(f.ever_flagged_cases, f.ever_flagged) if with_truth else "no truth given",
        "with_lead": shown(len(f.lead_days)),
        "median_lead": median_text(f),
        "found_not_diagnosed": shown(f.not_yet_diagnosed_found),
    }


def _proportion(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator and showable(numerator, denominator) else None


def summary(run: EvaluationRun) -> dict[str, Any]:
    """The JSON summary (aggregates only, small counts suppressed)."""
    out: dict[str, Any] = {
        "generated": run.generated,
        "source": run.source,
        "backend": run.backend,
        "cdm_version": run.cdm_version,
        "knowledge": run.knowledge_version,
        "default_threshold": run.default_threshold,
        "truth": "file" if run.with_truth else "diagnosis codes in the data",
        "diagnosis_codes_in_vocabulary": run.diagnosis_resolved,
        "seconds": {k: round(v, 2) for k, v in run.seconds.items()},
    }
    if run.dates:
        out["replay"] = {
            "dates": run.dates,
            "step": run.step,
            "cases_diagnosed_before_first_date": shown(run.cases_diagnosed_before_start),
            "thresholds": [_threshold_row(f, run.with_truth) for f in run.figures],
        }
    if run.before is not None:
        out["before_diagnosis"] = run.before.summary()
    return out


def render(run: EvaluationRun) -> str:
    """The report as one self-contained HTML page."""
    default = next((f for f in run.figures if f.threshold == run.default_threshold), None)
    charts: dict[str, str] = {}
    if default is not None:
        charts["lead"] = svg.vertical_bars(
            f"Lead time of found cases at threshold {default.threshold} (diagnosis date minus first flagged)",
            [label for _, _, label in BINS],
            default.histogram(),
        )
    if run.figures:
        series: dict[str, Sequence[float | None]] = {"recall": [_proportion(f.found, f.eligible) for f in run.figures]}
        if run.with_truth:
            series["PPV"] = [_proportion(f.ever_flagged_cases, f.ever_flagged) for f in run.figures]
        charts["ratios"] = svg.ratio_groups(
            "Recall and PPV by threshold", [str(f.threshold) for f in run.figures], series
        )
    if run.before is not None:
        charts["before"] = run.before.chart()
    return _ENV.get_template("evaluate.html.j2").render(
        run=run,
        rows=[_threshold_row(f, run.with_truth) for f in run.figures],
        default_median=median_text(default) if default is not None else "",
        early=shown(run.cases_diagnosed_before_start),
        charts=charts,
        before=run.before.summary() if run.before is not None else None,
    )


def write_evaluation(run: EvaluationRun, out: Path) -> list[Path]:
    """Write the files into the new or empty folder ``out``, all or nothing."""
    check_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (tmp / "evaluation.json").write_text(json.dumps(summary(run), indent=2) + "\n", encoding="utf-8")
        (tmp / "report.html").write_text(render(run), encoding="utf-8")
        if run.lead_rows is not None:
            pacsv.write_csv(run.lead_rows, tmp / "lead_times.csv")
        if out.exists():
            out.rmdir()
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return sorted(out.iterdir())
