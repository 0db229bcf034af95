"""Who may read or write which record (NEN 7510 role separation; the rules are in docs/security.md).

- GP and specialist: the patients whose care team holds their practitioner identifier today. Outside the
  team only through emergency access (:mod:`cnopad.services.emergency_access`): reading and recording care
  entries for a limited time, never changing the care team and never importing a bundle.
- Expertise centre: every record, read and write (regional providers consult it, NHG-EXPERTISE-2).
- Operator (the local command line, :meth:`cnopad.bootstrap.Container.operator`): every record; the
  installation's administrative channel (imports, exports, demo data).
- Administrator: users and settings; no clinical data at all. Researcher: no identified record.
- No write makes its author a member of the care team of an existing patient they were not in: membership
  is given by the team, never taken. A new patient created by a clinician must name that clinician in
  its care team, so nobody creates a record they could not open.

Checks run in the transaction of the write they allow (the patient's row is locked first), so a care team
cannot change between the check and the write. Every refusal undoes what was staged, is audited as
``refused`` and raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import NoReturn

from cnopad.domain import PatientRecord
from cnopad.domain.access import Role
from cnopad.errors import ForbiddenError, NoClinicalAccessError, NotFoundError, NotInCareTeamError
from cnopad.store import UnitOfWork

NOT_IN_TEAM = "you are not in this patient's care team"
_NO_CLINICAL_DATA = {
    Role.ADMIN: "administrators manage users and settings and read or change no clinical data",
    Role.RESEARCHER: "researchers read no identified record",
    Role.CDS_CLIENT: "a CDS Hooks client sends its own data and reads no stored record",
}


class Basis(StrEnum):
    """Why an actor may open a record; recorded as the purpose of reads under emergency access."""

    CARE_TEAM = "care-team"
    EXPERTISE_CENTRE = "expertise-centre"
    OPERATOR = "operator"
    EMERGENCY = "emergency-access"

    def purpose(self, purpose: str) -> str:
        """The audit purpose of a read or write on this basis (emergency access is always named)."""
        return "emergency access" if self is Basis.EMERGENCY else purpose


@dataclass(frozen=True, slots=True)
class WriteAccess:
    """What a write may do, and the author's care-team membership before it (for the self-addition check)."""

    patient_id: str
    basis: Basis
    existed: bool
    was_member: bool


def ensure_clinical_role(uow: UnitOfWork, patient_id: str | None) -> None:
    """Refuse roles that read and write no clinical data (administrator, researcher, CDS client)."""
    role = uow.actor.role
    if role in _NO_CLINICAL_DATA:
        _refuse(uow, patient_id, NoClinicalAccessError(_NO_CLINICAL_DATA[role], role=role.value))


def ensure_administrator(uow: UnitOfWork) -> None:
    """Refuse user and settings management to everyone but administrators and the operator."""
    if uow.actor.role not in (Role.ADMIN, Role.OPERATOR):
        _refuse(uow, None, ForbiddenError("only administrators manage users and settings"))


def ensure_can_list(uow: UnitOfWork) -> None:
    """Refuse a patient list or worklist to roles that see no clinical data (researchers get an empty list)."""
    if uow.actor.role is not Role.RESEARCHER:
        ensure_clinical_role(uow, None)


def ensure_can_read(uow: UnitOfWork, patient_id: str) -> Basis:
    """The basis on which the actor may open this record; raises (audited) when there is none."""
    ensure_clinical_role(uow, patient_id)
    actor = uow.actor
    if actor.sees_all_patients:
        if not uow.records.exists(patient_id):
            msg = f"no patient with id {patient_id!r}"
            raise NotFoundError(msg)
        return _all_records_basis(actor.role)
    if _is_member(uow, patient_id):
        return Basis.CARE_TEAM
    if actor.is_clinician and uow.emergency.active(patient_id, actor.user, uow.clock()) is not None:
        return Basis.EMERGENCY
    # the same answer whether the patient exists or not, so ids cannot be probed
    return _refuse(uow, patient_id, _not_in_team(uow, patient_id))


def may_read(uow: UnitOfWork, patient_id: str) -> bool:
    """Whether the actor may open this record now, without auditing a refusal (to decide whether to offer a
    link to it; opening it is checked and audited as usual)."""
    actor = uow.actor
    if actor.role in _NO_CLINICAL_DATA:
        return False
    if actor.sees_all_patients:
        return uow.records.exists(patient_id)
    if _is_member(uow, patient_id):
        return True
    return actor.is_clinician and uow.emergency.active(patient_id, actor.user, uow.clock()) is not None


def ensure_can_write(uow: UnitOfWork, patient_id: str, *, care_team_change: bool = False) -> WriteAccess:
    """Lock the patient and check the actor may add entries now; ``care_team_change``: the entry is a member."""
    ensure_clinical_role(uow, patient_id)
    exists = uow.records.lock(patient_id)
    basis = ensure_can_read(uow, patient_id)
    if basis is Basis.EMERGENCY and care_team_change:
        msg = "emergency access lets you record care for this patient, not change the care team"
        _refuse(uow, patient_id, ForbiddenError(msg))
    return WriteAccess(patient_id, basis, exists, _is_member(uow, patient_id))


def ensure_can_import(uow: UnitOfWork, record: PatientRecord, *, today: date) -> WriteAccess:
    """Check an import of ``record``: an existing patient needs its care team (or an all-records role);
    a new patient created by a clinician must name that clinician as a current care-team member."""
    ensure_clinical_role(uow, None)
    actor = uow.actor
    patient_id = record.patient.id
    if uow.records.lock(patient_id):
        basis = ensure_can_read(uow, patient_id)
        if basis is Basis.EMERGENCY:
            msg = "emergency access lets you record care entries, not import a bundle; ask the care team"
            _refuse(uow, patient_id, ForbiddenError(msg))
        return WriteAccess(patient_id, basis, True, _is_member(uow, patient_id))
    if actor.sees_all_patients:
        return WriteAccess(patient_id, _all_records_basis(actor.role), False, False)
    named = actor.practitioner is not None and any(
        m.identifier is not None
        and (m.identifier.system, m.identifier.value) == actor.practitioner
        and m.active_on(today)
        for m in record.care_team
    )
    if not named:
        who = "|".join(actor.practitioner) if actor.practitioner else "your practitioner identifier (none is set)"
        msg = (
            f"a new patient's CareTeam must name you ({who}) as a current member: "
            "otherwise you could not open the record you create"
        )
        _refuse(uow, patient_id, ForbiddenError(msg))
    return WriteAccess(patient_id, Basis.CARE_TEAM, False, False)


def ensure_not_self_added(uow: UnitOfWork, access: WriteAccess) -> None:
    """After a write is staged: undo and refuse it when it made its author a member of an existing patient's
    care team they were not in (whatever their role); membership is given by the team, never taken."""
    practitioner = uow.actor.practitioner
    if not access.existed or access.was_member or practitioner is None:
        return
    if uow.records.is_member(access.patient_id, practitioner):
        msg = "you cannot add yourself to the care team of a patient whose care team you are not in"
        _refuse(uow, access.patient_id, ForbiddenError(msg))


def _is_member(uow: UnitOfWork, patient_id: str) -> bool:
    practitioner = uow.actor.practitioner
    return practitioner is not None and uow.records.is_member(patient_id, practitioner)


def _all_records_basis(role: Role) -> Basis:
    return Basis.OPERATOR if role is Role.OPERATOR else Basis.EXPERTISE_CENTRE


def _not_in_team(uow: UnitOfWork, patient_id: str) -> NotInCareTeamError:
    return NotInCareTeamError(NOT_IN_TEAM, patient_id=patient_id, emergency_access=uow.actor.is_clinician)


def _refuse(uow: UnitOfWork, patient_id: str | None, error: ForbiddenError) -> NoReturn:
    """Undo anything staged, audit the refusal in its own transaction, raise."""
    uow.rollback()
    uow.audit.append(uow.actor, "refused", patient_id=patient_id, purpose="access-control", detail=error.message)
    uow.commit()
    raise error
