"""What the engine says about one patient on one day: cards, tasks, the step plan, information.

These types are the engine's public output. The API, CDS Hooks service, web app and reports all read
them; field names are stable (new optional fields may be added).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from cnopad.engine.quick_init import quick_init


class Indicator(StrEnum):
    """Urgency of a card (CDS Hooks 2.0 indicator)."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a card's advice comes from (CDS Hooks card.source)."""

    label: str
    url: str | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class Action:
    """A FHIR change a suggestion proposes (CDS Hooks action: create, update or delete)."""

    type: str
    description: str
    resource: dict[str, Any] | None = None
    resource_id: str | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class Suggestion:
    """An action a clinician can accept from a card."""

    uuid: str
    label: str
    actions: tuple[Action, ...] = ()
    is_recommended: bool = False


@dataclass(frozen=True, slots=True)
class OverrideReason:
    """A reason a clinician may give for not following a card (code in the cnopad code system)."""

    code: str
    display: str


@quick_init
@dataclass(frozen=True, slots=True)
class Card:
    """One piece of advice or warning, shaped like a CDS Hooks 2.0 card, citing its statements.

    ``uuid`` is stable for the same rule, patient and situation. ``inference`` says, in the output
    language, what the rule adds beyond the source (a product choice), or is None.
    """

    uuid: str
    rule_id: str
    summary: str
    indicator: Indicator
    detail: str
    source: Source
    statements: tuple[str, ...]
    kind: str = "advice"  # the statements' kind: advice, safety, diagnostic, referral, schedule, fact, patient
    suggestions: tuple[Suggestion, ...] = ()
    selection_behavior: str | None = None
    override_reasons: tuple[OverrideReason, ...] = ()
    inference: str | None = None
    order_id: str | None = None  # the draft order this card is about, if any
    evidence: tuple[str, ...] = ()  # ids of the record entries (or draft orders) the card rests on


class TaskStatus(StrEnum):
    """Where a task stands relative to the assessment date."""

    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    DONE = "done"


@quick_init
@dataclass(frozen=True, slots=True)
class Task:
    """Something to do by a date: an infusion course, a review, a check, a screening."""

    id: str
    kind: str  # e.g. pamidronate_course, expertise_review, child_monitoring, dental_check (filterable)
    title: str
    due: date
    status: TaskStatus
    statements: tuple[str, ...]
    done_on: date | None = None
    detail: str | None = None
    inference: str | None = None
    overdue_from: date | None = None  # the first day the task counts as overdue, when it can be


class Step(StrEnum):
    """Steps of the medication plan (NHG-STEP-1): NSAID, then bisphosphonate, then TNF-alpha inhibitor."""

    NONE = "none"
    NSAID = "nsaid"
    BISPHOSPHONATE = "bisphosphonate"
    TNF = "tnf"
    OTHER = "other"


@quick_init
@dataclass(frozen=True, slots=True)
class StepPeriod:
    """One period of the step history, for the timeline: a drug of a step from start to end."""

    step: Step
    medication_id: str
    label: str
    start: date | None
    end: date | None


@quick_init
@dataclass(frozen=True, slots=True)
class StepPlan:
    """The current step, whether escalation is indicated and why, and what must come first."""

    current: Step
    escalation: bool
    reasons: tuple[str, ...]
    statements: tuple[str, ...]
    prerequisites: tuple[str, ...] = ()
    history: tuple[StepPeriod, ...] = ()


@dataclass(frozen=True, slots=True)
class InformationItem:
    """An information text linked to the patient's situation (fact and patient statements)."""

    id: str
    title: str
    statements: tuple[str, ...]
    body: str = ""
    audience: str = "clinician"  # clinician, patient or parent


@quick_init
@dataclass(frozen=True, slots=True)
class Assessment:
    """Everything the engine concluded for one patient on one day, in one language."""

    patient_id: str
    as_of: date
    lang: str
    cards: tuple[Card, ...]
    tasks: tuple[Task, ...]
    step_plan: StepPlan
    information: tuple[InformationItem, ...] = ()
    knowledge_version: str = ""
    notes: tuple[str, ...] = field(default=())
