"""What the patient page shows, assembled from the record and its live assessment (domain and engine
objects only), sorted the way a clinician reads it: urgent first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from cnopad.domain import CareRole, Concept, Goal, GoalStatus, MedicationUse, PatientRecord
from cnopad.engine import Assessment, Card, Indicator, Task, TaskStatus
from cnopad.services.entries import FORMS, record_choices
from cnopad.services.worklist import PatientView
from cnopad.web import timeline
from cnopad.web.labels import DRUG_NAMES, Labels

#: the forms in the order the page offers them (the most frequent first)
FORM_ORDER = (
    "infusion",
    "pain",
    "medication_start",
    "medication_stop",
    "lab",
    "contact",
    "imaging",
    "screening",
    "vaccination",
    "goal",
    "care_team",
    "referral",
)
_INDICATOR_ORDER = {Indicator.CRITICAL: 0, Indicator.WARNING: 1, Indicator.INFO: 2}
_STATUS_ORDER = {TaskStatus.OVERDUE: 0, TaskStatus.DUE: 1, TaskStatus.UPCOMING: 2, TaskStatus.DONE: 3}
#: the diagnosis concepts, most specific first
_DIAGNOSES = (Concept.CNO_SCCH, Concept.CRMO, Concept.SAPHO, Concept.CNO)


def sorted_cards(cards: tuple[Card, ...]) -> list[Card]:
    """Critical, then warning, then information."""
    return sorted(cards, key=lambda c: (_INDICATOR_ORDER[c.indicator], c.rule_id, c.uuid))


def sorted_tasks(tasks: tuple[Task, ...]) -> list[Task]:
    """Overdue, due, upcoming, done; earliest first within each."""
    return sorted(tasks, key=lambda t: (_STATUS_ORDER[t.status], t.due, t.id))


def medication_label(med: MedicationUse, labels: Labels) -> str:
    """A medication as a clinician names it: the drug, and its start date."""
    for coding in med.codings:
        if coding.code in DRUG_NAMES:
            return labels._(DRUG_NAMES[coding.code])
    return med.text or next((c.display for c in med.codings if c.display), med.id)


@dataclass(frozen=True)
class FormState:
    """One record-entry form: its values, errors and choices (for a re-render after a bad value)."""

    name: str
    values: dict[str, Any]
    errors: dict[str, str]
    choices: dict[str, list[tuple[str, str]]]
    saved: bool = False


def form_state(
    name: str,
    record: PatientRecord,
    today: date,
    labels: Labels,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    saved: bool = False,
) -> FormState:
    """A form ready to render (choices from the value sets and the record)."""
    dynamic = record_choices(name, record, today, labels.valuesets)
    by_id = {m.id: m for m in record.medications}
    choices: dict[str, list[tuple[str, str]]] = {}
    for field in FORMS[name]:
        if field.kind.value not in ("choice", "multi"):
            continue
        if field.name == "medication":
            choices[field.name] = [
                (mid, medication_label(by_id[mid], labels) + (f" ({by_id[mid].start})" if by_id[mid].start else ""))
                for mid in dynamic.get("medication", ())
            ]
        else:
            choices[field.name] = labels.choices(name, field.name, dynamic)
    return FormState(name, values or {}, errors or {}, choices, saved)


def page_data(view: PatientView, today: date, labels: Labels) -> dict[str, Any]:
    """Everything patient.html needs."""
    record, assessment = view.record, view.assessment
    team = sorted(record.care_team, key=lambda m: (not m.active_on(today), m.name))
    diagnosis = record.diagnosis
    diagnosis_label = None
    if diagnosis is not None:
        concept = next((c for c in _DIAGNOSES if c in diagnosis.concepts), Concept.CNO)
        diagnosis_label = labels.concept(concept.value)
    goals: list[Goal] = sorted(
        (g for g in record.goals if g.status in (GoalStatus.ACTIVE, GoalStatus.ACCEPTED, GoalStatus.PLANNED)),
        key=lambda g: g.reviewed or g.start or date.min,
        reverse=True,
    )
    in_use = [m for m in record.medications if m.active_on(today)]
    return {
        "record": record,
        "patient": record.patient,
        "age": record.patient.age_on(today),
        "child": record.age_group_on(today).value == "child",
        "team": team,
        "coordinator": [m for m in team if CareRole.COORDINATOR in m.roles and m.active_on(today)],
        "diagnosis": diagnosis,
        "diagnosis_label": diagnosis_label,
        "assessment": assessment,
        "cards": sorted_cards(assessment.cards),
        "tasks": sorted_tasks(assessment.tasks),
        "goals": goals,
        "medications": [(m, medication_label(m, labels)) for m in in_use],
        "timeline": timeline.build(record, assessment.step_plan.history, today),
        "labels": labels,
        "today": today,
    }


def assessment_data(assessment: Assessment) -> dict[str, Any]:
    """What the cards-and-tasks fragment needs (after a save)."""
    return {"assessment": assessment, "cards": sorted_cards(assessment.cards), "tasks": sorted_tasks(assessment.tasks)}
