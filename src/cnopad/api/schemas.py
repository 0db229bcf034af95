"""Output schemas of the REST API (separate from the domain; the OpenAPI document shows them)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel

from cnopad.engine import Assessment, Card, InformationItem, Task


class SourceOut(BaseModel):
    """Where a card's advice comes from."""

    label: str
    url: str | None = None


class CardOut(BaseModel):
    """A card (CDS Hooks-shaped) with the statements it rests on."""

    uuid: str
    rule: str
    summary: str
    indicator: Literal["info", "warning", "critical"]
    detail: str
    source: SourceOut
    statements: list[str]
    kind: str
    inference: str | None = None
    order: str | None = None

    @classmethod
    def of(cls, card: Card) -> CardOut:
        """From an engine card."""
        return cls(
            uuid=card.uuid,
            rule=card.rule_id,
            summary=card.summary,
            indicator=card.indicator.value,
            detail=card.detail,
            source=SourceOut(label=card.source.label, url=card.source.url),
            statements=list(card.statements),
            kind=card.kind,
            inference=card.inference,
            order=card.order_id,
        )


class TaskOut(BaseModel):
    """A task with its due date and status on the assessment date."""

    id: str
    kind: str
    title: str
    due: date
    status: Literal["upcoming", "due", "overdue", "done"]
    statements: list[str]
    done_on: date | None = None
    detail: str | None = None

    @classmethod
    def of(cls, task: Task) -> TaskOut:
        """From an engine task."""
        return cls(
            id=task.id,
            kind=task.kind,
            title=task.title,
            due=task.due,
            status=task.status.value,
            statements=list(task.statements),
            done_on=task.done_on,
            detail=task.detail,
        )


class StepPlanOut(BaseModel):
    """The medication step plan."""

    current: Literal["none", "nsaid", "bisphosphonate", "tnf", "other"]
    escalation: bool
    reasons: list[str]
    prerequisites: list[str]
    statements: list[str]


class InformationOut(BaseModel):
    """An information text linked to the patient's situation."""

    id: str
    title: str
    audience: str
    body: str
    statements: list[str]

    @classmethod
    def of(cls, item: InformationItem) -> InformationOut:
        """From an engine information item."""
        return cls(
            id=item.id, title=item.title, audience=item.audience, body=item.body, statements=list(item.statements)
        )


class AssessmentOut(BaseModel):
    """What cnopad concludes for one patient on one day."""

    patient: str
    as_of: date
    lang: Literal["nl", "en"]
    knowledge_version: str
    cards: list[CardOut]
    tasks: list[TaskOut]
    step_plan: StepPlanOut
    information: list[InformationOut]

    @classmethod
    def of(cls, a: Assessment) -> AssessmentOut:
        """From an engine assessment."""
        plan = a.step_plan
        return cls(
            patient=a.patient_id,
            as_of=a.as_of,
            lang="en" if a.lang == "en" else "nl",
            knowledge_version=a.knowledge_version,
            cards=[CardOut.of(c) for c in a.cards],
            tasks=[TaskOut.of(t) for t in a.tasks],
            step_plan=StepPlanOut(
                current=plan.current.value,
                escalation=plan.escalation,
                reasons=list(plan.reasons),
                prerequisites=list(plan.prerequisites),
                statements=list(plan.statements),
            ),
            information=[InformationOut.of(i) for i in a.information],
        )


class RecordOut(BaseModel):
    """A patient's record: the patient and the entries by kind (as the domain holds them)."""

    patient: dict[str, Any]
    entries: dict[str, list[dict[str, Any]]]


class RecordedOut(BaseModel):
    """What a recorded entry changed."""

    patient: str
    form: str
    entries: list[str]
