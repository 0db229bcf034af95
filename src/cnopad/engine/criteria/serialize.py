"""A CriteriaReport as plain JSON-ready data (``cnopad criteria --format json`` and the REST API)."""

from __future__ import annotations

from typing import Any

from cnopad.engine.criteria.result import CriteriaReport, InstrumentResult, ItemResult, PathStepResult
from cnopad.engine.serialize import suggestion_dict


def item_dict(item: ItemResult) -> dict[str, Any]:
    """One item: its state (present, absent, unknown), points, evidence and how the record decides it."""
    return {
        "id": item.id,
        "text": item.text,
        "role": item.role,
        "fact": item.fact,
        "state": item.state.value,
        "points": item.points,
        "evidence": list(item.evidence),
        "value": item.value,
        "note": item.note,
        "mapping": item.mapping,
    }


def instrument_dict(result: InstrumentResult) -> dict[str, Any]:
    """One instrument with its status, score range (points only), verification and items."""
    return {
        "id": result.id,
        "title": result.title,
        "citation": result.citation,
        "doi": result.doi,
        "purpose": result.purpose,
        "purpose_text": result.purpose_text,
        "population": result.population,
        "performance": result.performance,
        "caution": result.caution,
        "status": result.status.value,
        "status_reason": result.status_reason,
        "status_label": result.status_label,
        "score": None
        if result.score_min is None
        else {"min": result.score_min, "max": result.score_max, "threshold": result.threshold, "of": result.max_points},
        "weights_verified": result.weights_verified,
        "weights_where": result.weights_where,
        "content_verified": result.content_verified,
        "content_where": result.content_where,
        "interpretation": result.interpretation,
        "items": [item_dict(i) for i in result.items],
        "open_items": list(result.open_items),
    }


def step_dict(step: PathStepResult) -> dict[str, Any]:
    """One diagnostic-path step: state, date and result when done, suggestions otherwise."""
    return {
        "id": step.id,
        "kind": step.kind,
        "state": step.state.value,
        "state_label": step.state_label,
        "text": step.text,
        "statements": list(step.statements),
        "done_on": step.done_on.isoformat() if step.done_on else None,
        "result": step.result,
        "evidence": list(step.evidence),
        "suggestions": [suggestion_dict(s) for s in step.suggestions],
    }


def criteria_dict(report: CriteriaReport) -> dict[str, Any]:
    """The whole report: patient, date, language, age group, the adult notice, instruments and path."""
    return {
        "patient": report.patient_id,
        "as_of": report.as_of.isoformat(),
        "lang": report.lang,
        "age_group": report.age_group,
        "diagnosis": report.diagnosis,
        "notice": None
        if report.notice is None
        else {"text": report.notice, "statements": list(report.notice_statements)},
        "instruments": [instrument_dict(i) for i in report.instruments],
        "diagnostic_path": [step_dict(s) for s in report.path],
        "knowledge_version": report.knowledge_version,
    }
