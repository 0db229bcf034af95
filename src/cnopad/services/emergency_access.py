"""Emergency access ("break-glass", NEN 7510): a GP or specialist outside a patient's care team opens the
record in an emergency, giving a reason. The grant is audited (action ``break-glass`` with the reason), ends
after ``CNOPAD_EMERGENCY_ACCESS_HOURS``, shows on the patient's page and in ``cnopad audit show --patient``,
allows reading and recording care entries, and never makes the clinician a care-team member.
"""

from __future__ import annotations

from datetime import timedelta

from cnopad.domain import input_rules
from cnopad.errors import ConflictError, NotFoundError
from cnopad.services.access import ensure_clinical_role
from cnopad.services.entry_forms import FieldError
from cnopad.store import EmergencyGrant, UnitOfWork

#: the reason must say something (a word or two is not a reason) and fit one audit line
REASON_MIN = 10
REASON_MAX = input_rules.LIMITS["reason"]


def clean_reason(reason: str) -> str:
    """The reason on one line (whitespace runs become one space); FieldError naming ``reason`` when unusable."""
    field = "reason"
    problem = input_rules.text_reason(reason, typed=True)
    if problem is not None:
        raise FieldError(field, "control-characters" if "control" in problem else "invalid-unicode")
    text = " ".join(reason.split())
    if not text:
        raise FieldError(field, "required")
    if len(text) < REASON_MIN:
        raise FieldError(field, "too-short", min=REASON_MIN)
    if len(text) > REASON_MAX:
        raise FieldError(field, "too-long", max=REASON_MAX)
    return text


def request_emergency_access(uow: UnitOfWork, patient_id: str, reason: str, *, hours: int) -> EmergencyGrant:
    """Grant the acting clinician emergency access to one record for ``hours`` (audited ``break-glass``)."""
    ensure_clinical_role(uow, patient_id)
    actor = uow.actor
    if not actor.is_clinician:
        msg = "the expertise centre opens every record without emergency access"
        raise ConflictError(msg)
    text = clean_reason(reason)
    if not uow.records.exists(patient_id):
        # audited too: an emergency request is never a silent probe for patient ids
        uow.audit.append(actor, "refused", patient_id=patient_id, purpose="emergency access", detail="no such patient")
        uow.commit()
        msg = f"no patient with id {patient_id!r}"
        raise NotFoundError(msg)
    if actor.practitioner is not None and uow.records.is_member(patient_id, actor.practitioner):
        msg = "you are in this patient's care team and need no emergency access"
        raise ConflictError(msg)
    now = uow.clock()
    until = now + timedelta(hours=hours)
    grant = uow.emergency.grant(patient_id, actor.user, actor.role.value, text, granted_at=now, expires_at=until)
    uow.audit.append(
        actor,
        "break-glass",
        patient_id=patient_id,
        purpose="emergency access",
        detail=f"until={until.isoformat(timespec='minutes')} reason={text}",
    )
    uow.commit()
    return grant
