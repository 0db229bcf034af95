"""What the patient page shows, assembled from the record and its live assessment (domain and engine
objects only), sorted the way a clinician reads it: urgent first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from typing import Any

from cnopad.domain import CareRole, Concept, Goal, GoalStatus, MedicationUse, PatientRecord
from cnopad.engine import Assessment, Card, Indicator, Task, TaskStatus
from cnopad.services.card_actions import CardAction, suggestion_form
from cnopad.services.entries import FORMS, record_choices
from cnopad.services.worklist import PatientView
from cnopad.web import timeline
from cnopad.web.evidence import evidence
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
#: the form that records each kind of task as done (linked from its row when it is due or overdue)
TASK_FORMS: dict[str, tuple[str, dict[str, str]]] = {
    "pamidronate_course": ("infusion", {}),
    "dental_check": ("screening", {"screening": "dental_check"}),
    "tnf_screening": ("screening", {}),
    "child_monitoring": ("lab", {}),
}
#: the diagnosis concepts, most specific first
_DIAGNOSES = (Concept.CNO_SCCH, Concept.CRMO, Concept.SAPHO, Concept.CNO)


def sorted_cards(cards: tuple[Card, ...]) -> list[Card]:
    """Critical, then warning, then information."""
    return sorted(cards, key=lambda c: (_INDICATOR_ORDER[c.indicator], c.rule_id, c.uuid))


@dataclass(frozen=True)
class CardView:
    """One piece of advice as the page shows it: the most urgent card of those citing the same statements
    (``others``: the rest, merged into it), what the team did with it, and the form each suggestion opens."""

    card: Card
    others: tuple[Card, ...] = ()
    action: CardAction | None = None
    forms: dict[str, tuple[str, dict[str, str]]] = dataclass_field(default_factory=dict)

    @property
    def open(self) -> bool:
        """Still asks for attention: nothing was done with it, or it was accepted only."""
        return self.action is None or self.action.outcome == "accepted"


def card_views(cards: tuple[Card, ...], actions: Mapping[str, CardAction], labels: Labels) -> list[CardView]:
    """One view per advice, most urgent first: cards citing the same statements say the same thing, once."""
    groups: dict[tuple[str, ...], list[Card]] = {}
    for card in sorted_cards(cards):
        groups.setdefault(tuple(sorted(card.statements)) or (card.uuid,), []).append(card)
    views = []
    for first, *rest in groups.values():
        suggestions = [s for c in (first, *rest) for s in c.suggestions]
        forms = {s.uuid: f for s in suggestions if (f := suggestion_form(s, labels.valuesets)) is not None}
        action = actions.get(first.uuid)
        views.append(CardView(first, tuple(rest), action, forms))
    return views


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
        **assessment_data(record, assessment, view.actions, labels),
        "record": record,
        "patient": record.patient,
        "age": record.patient.age_on(today),
        "child": record.age_group_on(today).value == "child",
        "team": team,
        "coordinator": [m for m in team if CareRole.COORDINATOR in m.roles and m.active_on(today)],
        "diagnosis": diagnosis,
        "diagnosis_label": diagnosis_label,
        "goals": goals,
        "medications": [(m, medication_label(m, labels)) for m in in_use],
        "timeline": timeline.build(record, assessment.step_plan.history, today),
        "labels": labels,
        "today": today,
    }


def assessment_data(
    record: PatientRecord, assessment: Assessment, actions: Mapping[str, CardAction], labels: Labels
) -> dict[str, Any]:
    """What the cards-and-tasks fragment and the summary banner need."""
    views = card_views(assessment.cards, actions, labels)
    tasks = sorted_tasks(assessment.tasks)
    return {
        "assessment": assessment,
        "cards": views,
        "tasks": tasks,
        "task_forms": TASK_FORMS,
        "evidence": evidence(record, assessment.cards, assessment.tasks, labels),
        "override_names": {r.code: r.display for c in assessment.cards for r in c.override_reasons},
        "overdue_count": sum(1 for t in tasks if t.status is TaskStatus.OVERDUE),
        "critical_count": sum(1 for v in views if v.card.indicator is Indicator.CRITICAL and v.open),
        "warning_count": sum(1 for v in views if v.card.indicator is Indicator.WARNING and v.open),
    }
