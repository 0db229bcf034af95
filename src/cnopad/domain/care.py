"""Care around the patient: the care team, procedures and screenings, goals, referrals, contacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cnopad.domain.codes import Coding
from cnopad.domain.concepts import Concept
from cnopad.domain.medications import EventStatus
from cnopad.domain.patient import Identifier


class CareRole(StrEnum):
    """Roles in the care of a CNO patient (NHG-ROLE-1, NHG-GEN-COORD-*, NHG-EXPERTISE-1)."""

    GP = "gp"  # huisarts
    MAIN_TREATING = "main_treating"  # hoofdbehandelaar
    COORDINATOR = "coordinator"  # regievoerend arts / zorgcoördinator
    EXPERTISE_CENTRE = "expertise_centre"  # LUMC Centrum voor Botkwaliteit
    SPECIALIST = "specialist"  # other treating specialist
    PHYSIOTHERAPIST = "physiotherapist"
    PSYCHOLOGIST = "psychologist"
    DENTIST = "dentist"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class CareTeamMember:
    """One person or organisation in the care team with their role(s) and period."""

    id: str
    roles: frozenset[CareRole]
    name: str
    identifier: Identifier | None = None
    organization: str | None = None
    start: date | None = None
    end: date | None = None
    team_id: str = "careteam"
    #: the number to call them on (FHIR ContactPoint with system "phone"), as recorded
    phone: str | None = None

    def active_on(self, day: date) -> bool:
        """True when the membership covers ``day``."""
        return (self.start is None or self.start <= day) and (self.end is None or self.end >= day)


@dataclass(frozen=True, slots=True)
class Procedure:
    """A procedure, screening or care action (dental check, physiotherapy, TB screening, ...)."""

    id: str
    codings: tuple[Coding, ...]
    concepts: frozenset[Concept] = frozenset()
    start: date | None = None
    end: date | None = None
    status: EventStatus = EventStatus.COMPLETED
    text: str | None = None


class GoalStatus(StrEnum):
    """FHIR Goal.lifecycleStatus."""

    PROPOSED = "proposed"
    PLANNED = "planned"
    ACCEPTED = "accepted"
    ACTIVE = "active"
    ON_HOLD = "on-hold"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ENTERED_IN_ERROR = "entered-in-error"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Goal:
    """The treatment goal agreed with the patient (NHG-GOAL-1), with its last review date."""

    id: str
    description: str
    codings: tuple[Coding, ...] = ()
    concepts: frozenset[Concept] = frozenset()
    status: GoalStatus = GoalStatus.ACTIVE
    start: date | None = None
    reviewed: date | None = None


class RequestStatus(StrEnum):
    """FHIR ServiceRequest.status."""

    DRAFT = "draft"
    ACTIVE = "active"
    ON_HOLD = "on-hold"
    REVOKED = "revoked"
    COMPLETED = "completed"
    ENTERED_IN_ERROR = "entered-in-error"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Referral:
    """A referral or consultation request (physiotherapist, expertise centre, POH-GGZ, ...)."""

    id: str
    codings: tuple[Coding, ...]
    concepts: frozenset[Concept] = frozenset()
    authored: date | None = None
    planned: date | None = None
    status: RequestStatus = RequestStatus.ACTIVE
    text: str | None = None


class EncounterStatus(StrEnum):
    """FHIR Encounter.status (the values cnopad distinguishes)."""

    PLANNED = "planned"
    ARRIVED = "arrived"
    IN_PROGRESS = "in-progress"
    FINISHED = "finished"
    CANCELLED = "cancelled"
    ENTERED_IN_ERROR = "entered-in-error"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Encounter:
    """A contact: GP consultation, specialist visit, the yearly expertise-centre review, out of hours."""

    id: str
    codings: tuple[Coding, ...]
    concepts: frozenset[Concept] = frozenset()
    start: date | None = None
    status: EncounterStatus = EncounterStatus.FINISHED
    text: str | None = None
