"""An Assessment as plain JSON-ready data (the ``cnopad assess --format json`` contract)."""

from __future__ import annotations

from typing import Any

from cnopad.engine.assessment import Assessment, Card, Suggestion, Task


def suggestion_dict(s: Suggestion) -> dict[str, Any]:
    """One suggestion as CDS Hooks 2.0 JSON (uuid, label, isRecommended, actions)."""
    return {
        "uuid": s.uuid,
        "label": s.label,
        "isRecommended": s.is_recommended,
        "actions": [
            {
                k: v
                for k, v in {
                    "type": a.type,
                    "description": a.description,
                    "resource": a.resource,
                    "resourceId": a.resource_id,
                }.items()
                if v is not None
            }
            for a in s.actions
        ],
    }


def card_dict(card: Card) -> dict[str, Any]:
    """One card: the CDS Hooks 2.0 fields plus cnopad's (rule id, statements, inference, evidence)."""
    out: dict[str, Any] = {
        "uuid": card.uuid,
        "summary": card.summary,
        "indicator": card.indicator.value,
        "detail": card.detail,
        "source": {k: v for k, v in {"label": card.source.label, "url": card.source.url}.items() if v is not None},
        "statements": list(card.statements),
        "rule_id": card.rule_id,
        "kind": card.kind,
        "suggestions": [suggestion_dict(s) for s in card.suggestions],
        "selection_behavior": card.selection_behavior,
        "override_reasons": [{"code": r.code, "display": r.display} for r in card.override_reasons],
        "inference": card.inference,
        "order_id": card.order_id,
        "evidence": list(card.evidence),
    }
    return out


def task_dict(task: Task) -> dict[str, Any]:
    """One task with ISO dates."""
    return {
        "id": task.id,
        "kind": task.kind,
        "title": task.title,
        "due": task.due.isoformat(),
        "status": task.status.value,
        "statements": list(task.statements),
        "done_on": task.done_on.isoformat() if task.done_on else None,
        "overdue_from": task.overdue_from.isoformat() if task.overdue_from else None,
        "detail": task.detail,
        "inference": task.inference,
    }


def assessment_dict(assessment: Assessment) -> dict[str, Any]:
    """The whole assessment as one JSON-ready object."""
    plan = assessment.step_plan
    return {
        "patient": assessment.patient_id,
        "as_of": assessment.as_of.isoformat(),
        "lang": assessment.lang,
        "cards": [card_dict(c) for c in assessment.cards],
        "tasks": [task_dict(t) for t in assessment.tasks],
        "step_plan": {
            "current": plan.current.value,
            "escalation": plan.escalation,
            "reasons": list(plan.reasons),
            "statements": list(plan.statements),
            "prerequisites": list(plan.prerequisites),
            "history": [
                {
                    "step": p.step.value,
                    "medication_id": p.medication_id,
                    "label": p.label,
                    "start": p.start.isoformat() if p.start else None,
                    "end": p.end.isoformat() if p.end else None,
                }
                for p in plan.history
            ],
        },
        "information": [
            {"id": i.id, "title": i.title, "statements": list(i.statements), "audience": i.audience, "body": i.body}
            for i in assessment.information
        ],
        "knowledge_version": assessment.knowledge_version,
    }
