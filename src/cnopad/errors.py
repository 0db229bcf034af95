"""Errors cnopad raises when it cannot process a request.

A clinical finding is never an exception: it is a card or a task. An exception means "could not
process". The tree::

    CnopadError
     ├── InputError(ValueError)          bad bundle, bad form field: carries a location and a reason
     ├── NotFoundError(LookupError)      no such patient, user or statement
     ├── ForbiddenError(PermissionError) the user's role or care team does not allow it
     │    ├── NotInCareTeamError         a clinician outside the patient's care team (emergency access possible)
     │    └── NoClinicalAccessError      a role that reads no clinical data (administrator, researcher)
     ├── ConflictError                   a concurrent change or a duplicate
     ├── DataUnavailableError            the FHIR data needed is neither given nor fetchable (CDS Hooks 412)
     ├── UnauthenticatedError            no valid credentials (API token, signed CDS Hooks JWT)
     ├── ConfigError                     unsafe or unusable settings (refused at start-up)
     └── KnowledgeBaseError              an invalid knowledge file (raised at start-up)

Each surface translates these in exactly one place: the API to RFC 9457 problem details, the web
app to an error page or an inline form message, the CLI to one sentence on stderr and exit code 2.
"""

from __future__ import annotations


class CnopadError(Exception):
    """Base of every error cnopad raises on purpose."""

    #: short machine-readable slug, used as the problem type in the API
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(CnopadError, ValueError):
    """Bad input: names where (``Bundle.entry[3].resource.effectiveDateTime``, a form field) and why."""

    code = "invalid-input"

    def __init__(self, location: str, reason: str) -> None:
        super().__init__(f"{location}: {reason}" if location else reason)
        self.location = location
        self.reason = reason


class NotFoundError(CnopadError, LookupError):
    """The thing asked for does not exist (or may not be seen by this user)."""

    code = "not-found"


class ForbiddenError(CnopadError, PermissionError):
    """The user is known but their role or care-team membership does not allow this."""

    code = "forbidden"


class NotInCareTeamError(ForbiddenError):
    """A clinician outside the patient's care team; ``emergency_access`` says whether they may ask for it."""

    code = "not-in-care-team"

    def __init__(self, message: str, *, patient_id: str | None, emergency_access: bool) -> None:
        super().__init__(message)
        self.patient_id = patient_id
        self.emergency_access = emergency_access


class NoClinicalAccessError(ForbiddenError):
    """The user's role reads and writes no clinical data (NEN 7510 role separation); ``role`` names it."""

    code = "no-clinical-access"

    def __init__(self, message: str, *, role: str) -> None:
        super().__init__(message)
        self.role = role


class ConflictError(CnopadError):
    """The request conflicts with the current state (a duplicate, a concurrent change)."""

    code = "conflict"


class DataUnavailableError(CnopadError):
    """The data a decision needs was neither sent nor retrievable (CDS Hooks answers 412)."""

    code = "data-unavailable"


class UnauthenticatedError(CnopadError, PermissionError):
    """No valid credentials came with the request (missing, expired, replayed or badly signed)."""

    code = "unauthenticated"


class ConfigError(CnopadError):
    """The settings are unusable or unsafe; cnopad refuses to start with them."""

    code = "config"


class KnowledgeBaseError(CnopadError):
    """A knowledge file is invalid: the message names the file, the item and the field."""

    code = "knowledge-base"
