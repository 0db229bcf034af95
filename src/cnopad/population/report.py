"""The HTML report of a screen (Jinja2 template, inline SVG charts, every count below 10 shown as "<10").

It shows aggregates only: how many persons were screened and listed, the score distribution, how often
each feature fired, what could not be resolved in the data, and recall/precision against planted truth
when a truth file was given. It never shows a person id, a date of birth or note text.
"""

from __future__ import annotations

from typing import Any

import jinja2
import pyarrow.compute as pc  # type: ignore[import-untyped]

from cnopad.knowledge.casefinding import CaseFinding, Feature
from cnopad.population import svg
from cnopad.population.evaluation import Evaluation
from cnopad.population.privacy import ratio, shown
from cnopad.population.ranking import feature_counts
from cnopad.population.scoring import DIAGNOSED
from cnopad.population.screening import ScreenResult

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("cnopad.population", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def rule_text(f: Feature) -> str:
    """The feature's rule in words."""
    r = f.rule
    parts: list[str] = []
    if r.min_span_days is not None:
        bound = f" and at most {r.within_days}" if r.within_days is not None else ""
        parts.append(f"two records at least {r.min_span_days}{bound} days apart")
    if r.min_sites is not None:
        bound = f" within {r.within_days} days" if r.within_days is not None else ""
        parts.append(f"at {r.min_sites} or more body sites{bound}")
    if r.min_days is not None:
        course = f" in a course (exposures starting within {r.course_days} days)" if r.course_days is not None else ""
        parts.append(f"at least {r.min_days} exposure days{course}")
    if r.max_value is not None:
        parts.append(f"every result at most {r.max_value:g} {r.unit}")
    if r.all_negative:
        parts.append("every culture result negative")
    if r.after:
        options = [f"{a.signal} {a.min_days_after_end} to {a.max_days_after_end} days" for a in r.after]
        parts.append("then, counted from its end, " + " or ".join(options))
    if not parts:
        parts.append("recorded at least once")
    if f.requires:
        parts.append("only together with " + " or ".join(f.requires))
    return "; ".join(parts)


def render(
    result: ScreenResult,
    kb: CaseFinding,
    *,
    lang: str = "en",
    evaluation: Evaluation | None = None,
    generated: str = "",
) -> str:
    """The report as one self-contained HTML page."""
    scores = result.scores.filter(pc.invert(result.scores.column(DIAGNOSED)))
    listed_ids = result.ranked.column("person_id").to_pylist()
    all_counts = feature_counts(scores, kb)
    listed_counts = feature_counts(scores, kb, listed_ids)
    features = [
        {
            "id": f.id,
            "title": f.title.get(lang),
            "scope": f.scope,
            "points": f.points,
            "rule": rule_text(f),
            "statements": ", ".join(f.statements),
            "reference": f.reference or "",
            "inference": f.inference or "",
            "status": result.resolution.features[f.id].status,
            "reason": result.resolution.features[f.id].reason,
            "fired": shown(all_counts[f.id]),
            "listed": shown(listed_counts[f.id]),
        }
        for f in kb.features
    ]
    context: dict[str, Any] = {
        "generated": generated,
        "result": result,
        "threshold_inference": kb.score.threshold.inference,
        "persons": shown(result.persons),
        "listed": shown(result.ranked.num_rows),
        "diagnosed": shown(result.diagnosed.num_rows),
        "with_features": shown(scores.num_rows),
        "diagnosed_resolved": result.resolution.signals[kb.score.diagnosed_signal].resolved,
        "histogram": _histogram(result, scores),
        "feature_chart": svg.horizontal_bars(
            "Persons per feature (not already diagnosed)",
            [f.id for f in kb.features],
            [all_counts[f.id] for f in kb.features],
        ),
        "features": features,
        "problems": [f for f in features if f["status"] != "resolved"],
        "unusable": sorted(result.unusable_tables.items()),
        "evaluation": _evaluation(evaluation),
    }
    return _ENV.get_template("report.html.j2").render(**context)


def _histogram(result: ScreenResult, scores: Any) -> str:
    values = scores.column("score").to_pylist()
    top = max([*values, result.threshold])
    counts = [0] * (top + 1)
    for v in values:
        counts[v] += 1
    counts[0] = max(result.persons - result.diagnosed.num_rows - len(values), 0)
    return svg.vertical_bars(
        "Persons per score (not already diagnosed)", [str(i) for i in range(top + 1)], counts, marker=result.threshold
    )


def _evaluation(ev: Evaluation | None) -> dict[str, Any] | None:
    if ev is None:
        return None
    return {
        "planted": shown(ev.planted),
        "flagged": shown(ev.flagged),
        "found": shown(ev.found),
        "recall": ratio(ev.found, ev.planted),
        "precision": ratio(ev.found, ev.flagged),
        "kinds": [{"kind": k, "total": shown(t), "listed": shown(n)} for k, (t, n) in ev.by_kind.items()],
    }
