"""Who is acting, in which role, through which channel: the facts every audit event records."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """User roles (access rules: cnopad.services.access)."""

    GP = "gp"
    SPECIALIST = "specialist"
    EXPERTISE_CENTRE = "expertise_centre"
    RESEARCHER = "researcher"
    ADMIN = "admin"
    CDS_CLIENT = "cds_client"  # a calling EHR (CDS Hooks, signed JWT); never a user login
    OPERATOR = "operator"  # the local command line (OS account holding the database); never a user login


#: the roles a person can be given (``cnopad user add --role``)
USER_ROLES = (Role.GP, Role.SPECIALIST, Role.EXPERTISE_CENTRE, Role.RESEARCHER, Role.ADMIN)
#: roles whose access to a record follows care-team membership (and who may ask for emergency access)
CLINICIAN_ROLES = frozenset({Role.GP, Role.SPECIALIST})
#: roles that open every record: the expertise centre (consulted by regional providers, NHG-EXPERTISE-2), the operator
ALL_RECORD_ROLES = frozenset({Role.EXPERTISE_CENTRE, Role.OPERATOR})


class Channel(StrEnum):
    """How a request reached cnopad."""

    CLI = "cli"
    API = "api"
    WEB = "web"
    CDS = "cds"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Actor:
    """The user behind a request; ``practitioner`` links a clinician to care-team membership."""

    user: str
    role: Role
    channel: Channel
    practitioner: tuple[str, str] | None = None  # (identifier system, value), e.g. an AGB code

    @property
    def sees_all_patients(self) -> bool:
        """The expertise centre and the local operator open every record (care-team rule for clinicians).

        Administrators do not: they manage users and settings and read no clinical data (NEN 7510 role
        separation; cnopad.services.access).
        """
        return self.role in ALL_RECORD_ROLES

    @property
    def is_clinician(self) -> bool:
        """A GP or specialist: access follows the care team, emergency access is possible."""
        return self.role in CLINICIAN_ROLES
