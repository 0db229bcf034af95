"""Who may read or write which record: clinicians their care teams' patients, the expertise centre and
admins all, researchers no identified record."""

from __future__ import annotations

from cnopad.domain.access import Role
from cnopad.errors import ForbiddenError, NotFoundError
from cnopad.store import UnitOfWork


def ensure_can_read(uow: UnitOfWork, patient_id: str) -> None:
    """Raise unless the actor may open this record; refusals are audited too."""
    actor = uow.actor
    if actor.role is Role.RESEARCHER:
        _refuse(uow, patient_id, "researchers read no identified record")
    if actor.sees_all_patients:
        if not uow.records.exists(patient_id):
            msg = f"no patient with id {patient_id!r}"
            raise NotFoundError(msg)
        return
    if actor.practitioner is None or not uow.records.is_member(patient_id, actor.practitioner):
        # the same answer whether the patient exists or not, so ids cannot be probed
        _refuse(uow, patient_id, "you are not in this patient's care team")


def ensure_can_write(uow: UnitOfWork, patient_id: str | None) -> None:
    """Raise unless the actor may change this record (None: create or import a new one)."""
    actor = uow.actor
    if actor.role is Role.RESEARCHER:
        _refuse(uow, patient_id, "researchers change no record")
    if patient_id is not None:
        ensure_can_read(uow, patient_id)


def _refuse(uow: UnitOfWork, patient_id: str | None, reason: str) -> None:
    uow.audit.append(uow.actor, "refused", patient_id=patient_id, purpose="access-control", detail=reason)
    uow.commit()
    raise ForbiddenError(reason)
