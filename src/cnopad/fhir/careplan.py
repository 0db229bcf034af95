"""The assessment as a FHIR R4 care plan: a CarePlan (one activity per task, with status and dates),
the patient's Goals, and a DetectedIssue per safety finding — each citing its statement ids."""

from __future__ import annotations

from typing import Any

from cnopad.domain import PatientRecord
from cnopad.engine import Assessment, Card, Indicator, Task, TaskStatus
from cnopad.fhir.writer import FULL_URL_BASE, RecordWriter
from cnopad.knowledge.valuesets import ValueSetIndex

JsonObject = dict[str, Any]

#: one extension per cited statement id (valueString), on every resource derived from the sources
STATEMENTS_URL = "https://fhir.cnopad.nl/StructureDefinition/statement"
TASK_KIND_SYSTEM = "https://fhir.cnopad.nl/CodeSystem/task-kind"
RULE_SYSTEM = "https://fhir.cnopad.nl/CodeSystem/rule"

_ACTIVITY_STATUS = {
    TaskStatus.UPCOMING: "scheduled",
    TaskStatus.DUE: "not-started",
    TaskStatus.OVERDUE: "not-started",
    TaskStatus.DONE: "completed",
}
_SEVERITY = {Indicator.CRITICAL: "high", Indicator.WARNING: "moderate", Indicator.INFO: "low"}


def _cites(statements: tuple[str, ...]) -> list[JsonObject]:
    return [{"url": STATEMENTS_URL, "valueString": sid} for sid in statements]


def care_plan_bundle(record: PatientRecord, assessment: Assessment, valuesets: ValueSetIndex) -> JsonObject:
    """A collection Bundle: Patient, CarePlan, Goals and DetectedIssues for this assessment."""
    writer = RecordWriter(valuesets)
    writer.subject = {"reference": f"Patient/{record.patient.id}"}
    goals = [writer.goal(g) for g in record.goals]
    plan = _care_plan(record, assessment, [g["id"] for g in goals])
    issues = [_detected_issue(record, assessment, card) for card in assessment.cards if _is_safety(card)]
    resources = [writer.patient(record), plan, *goals, *issues]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": f"{FULL_URL_BASE}/{r['resourceType']}/{r['id']}", "resource": r} for r in resources],
    }


def _is_safety(card: Card) -> bool:
    return card.kind == "safety" or (card.order_id is not None and card.indicator is not Indicator.INFO)


def _care_plan(record: PatientRecord, assessment: Assessment, goal_ids: list[str]) -> JsonObject:
    step = assessment.step_plan
    description = f"Step: {step.current.value}" + (
        f"; escalation: {'; '.join(step.reasons)}" if step.escalation and step.reasons else ""
    )
    plan: JsonObject = {
        "resourceType": "CarePlan",
        "id": f"{record.patient.id}-careplan",
        "extension": _cites(tuple(dict.fromkeys(s for t in assessment.tasks for s in t.statements)) + step.statements),
        "status": "active",
        "intent": "plan",
        "title": "cnopad care plan (CNO)",
        "description": description,
        "subject": {"reference": f"Patient/{record.patient.id}"},
        "created": assessment.as_of.isoformat(),
    }
    if goal_ids:
        plan["goal"] = [{"reference": f"Goal/{gid}"} for gid in goal_ids]
    activities = [_activity(task) for task in assessment.tasks]
    if activities:
        plan["activity"] = activities
    return plan


def _activity(task: Task) -> JsonObject:
    detail: JsonObject = {
        "extension": _cites(task.statements),
        "kind": "Task",
        "code": {"coding": [{"system": TASK_KIND_SYSTEM, "code": task.kind}], "text": task.title},
        "status": _ACTIVITY_STATUS[task.status],
        "scheduledPeriod": {"start": task.due.isoformat()},
        "description": task.title if not task.detail else f"{task.title}. {task.detail}",
    }
    if task.status is TaskStatus.OVERDUE:
        detail["statusReason"] = {"text": "overdue"}
    if task.done_on is not None:
        detail["scheduledPeriod"]["end"] = task.done_on.isoformat()
    return {"detail": detail}


def _detected_issue(record: PatientRecord, assessment: Assessment, card: Card) -> JsonObject:
    issue: JsonObject = {
        "resourceType": "DetectedIssue",
        "id": f"issue-{card.uuid}",
        "extension": _cites(card.statements),
        "status": "final",
        "code": {"coding": [{"system": RULE_SYSTEM, "code": card.rule_id}], "text": card.summary},
        "severity": _SEVERITY[card.indicator],
        "patient": {"reference": f"Patient/{record.patient.id}"},
        "identifiedDateTime": assessment.as_of.isoformat(),
        "detail": card.detail or card.summary,
    }
    if card.source.url:
        issue["reference"] = card.source.url
    return issue
