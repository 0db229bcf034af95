"""Medication use, infusions given, vaccinations and allergies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cnopad.domain.codes import Coding
from cnopad.domain.concepts import Concept
from cnopad.domain.values import Quantity, Schedule


class MedicationStatus(StrEnum):
    """Where a medication use stands (the union of FHIR MedicationRequest and -Statement statuses)."""

    ACTIVE = "active"
    ON_HOLD = "on-hold"
    COMPLETED = "completed"
    STOPPED = "stopped"
    CANCELLED = "cancelled"
    INTENDED = "intended"
    DRAFT = "draft"
    NOT_TAKEN = "not-taken"
    ENTERED_IN_ERROR = "entered-in-error"
    UNKNOWN = "unknown"


class RequestIntent(StrEnum):
    """FHIR MedicationRequest.intent: an order, or a plan or proposal not (yet) ordered."""

    PROPOSAL = "proposal"
    PLAN = "plan"
    ORDER = "order"
    ORIGINAL_ORDER = "original-order"
    REFLEX_ORDER = "reflex-order"
    FILLER_ORDER = "filler-order"
    INSTANCE_ORDER = "instance-order"
    OPTION = "option"


class MedicationSource(StrEnum):
    """Whether the use was prescribed (request) or reported (statement); kept for a faithful export."""

    REQUEST = "MedicationRequest"
    STATEMENT = "MedicationStatement"


#: statuses that never mean the patient took the drug
_NOT_TAKEN = frozenset(
    {
        MedicationStatus.CANCELLED,
        MedicationStatus.DRAFT,
        MedicationStatus.NOT_TAKEN,
        MedicationStatus.ENTERED_IN_ERROR,
    }
)


@dataclass(frozen=True, slots=True)
class MedicationUse:
    """A drug the patient uses or used, with start, stop, dose and the prescriber's schedule."""

    id: str
    codings: tuple[Coding, ...]
    concepts: frozenset[Concept] = frozenset()
    status: MedicationStatus = MedicationStatus.ACTIVE
    source: MedicationSource = MedicationSource.REQUEST
    start: date | None = None
    end: date | None = None
    dose: Quantity | None = None
    schedule: Schedule | None = None
    route: str | None = None
    text: str | None = None
    intent: RequestIntent = RequestIntent.ORDER  # kept for a faithful export (a planned vaccination is a plan)

    @property
    def ever_taken(self) -> bool:
        """False for cancelled, draft, not-taken or erroneous entries."""
        return self.status not in _NOT_TAKEN

    def active_on(self, day: date) -> bool:
        """True when the drug is in use on ``day`` (started, not stopped, status in use)."""
        if self.status not in (MedicationStatus.ACTIVE, MedicationStatus.ON_HOLD, MedicationStatus.UNKNOWN):
            return False
        if self.start is not None and self.start > day:
            return False
        return self.end is None or self.end >= day


class EventStatus(StrEnum):
    """Status of something that happened or was planned (administrations, procedures, vaccinations)."""

    COMPLETED = "completed"
    IN_PROGRESS = "in-progress"
    PREPARATION = "preparation"
    ON_HOLD = "on-hold"
    NOT_DONE = "not-done"
    STOPPED = "stopped"
    ENTERED_IN_ERROR = "entered-in-error"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Administration:
    """One administration of a drug on one day, e.g. one pamidronate infusion (NHG-PAMIDRONATE-1)."""

    id: str
    codings: tuple[Coding, ...]
    given_on: date
    concepts: frozenset[Concept] = frozenset()
    dose: Quantity | None = None
    status: EventStatus = EventStatus.COMPLETED
    route: str | None = None


@dataclass(frozen=True, slots=True)
class Immunization:
    """A vaccination given (or recorded as not done)."""

    id: str
    codings: tuple[Coding, ...]
    concepts: frozenset[Concept] = frozenset()
    given_on: date | None = None
    status: EventStatus = EventStatus.COMPLETED


@dataclass(frozen=True, slots=True)
class Allergy:
    """An allergy or intolerance; ``criticality`` as FHIR (low, high, unable-to-assess)."""

    id: str
    codings: tuple[Coding, ...]
    concepts: frozenset[Concept] = frozenset()
    recorded: date | None = None
    criticality: str | None = None
    text: str | None = None
