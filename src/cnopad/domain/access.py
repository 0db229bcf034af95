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


#: the roles a person can be given (``cnopad user add --role``)
USER_ROLES = (Role.GP, Role.SPECIALIST, Role.EXPERTISE_CENTRE, Role.RESEARCHER, Role.ADMIN)


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
        """The expertise centre and administrators may open every record (care-team rule otherwise)."""
        return self.role in (Role.EXPERTISE_CENTRE, Role.ADMIN)
