"""Correcting the record: void an entry entered in error (with a reason), and read who wrote what and when.

A voided entry is never deleted: its row stays with status ``entered-in-error``, its history names who
voided it, when and why, the FHIR export carries it with status ``entered-in-error``, and the engine no
longer sees it. A correction is a void followed by the right entry through its form. Care-team entries are
not voided here: membership decides access, and a membership ends with its end date instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cnopad.domain import PatientRecord
from cnopad.domain.input_rules import LIMITS, text_reason
from cnopad.services import worklist
from cnopad.services.access import ensure_can_read, ensure_can_write
from cnopad.services.entry_forms import Field, FieldError, Kind, coerce
from cnopad.store import UnitOfWork
from cnopad.store.records import EntryHistory

#: the kinds of entry the forms write and a clinician may void (not the care team: see the module text)
VOIDABLE = frozenset(
    {
        "medications",
        "administrations",
        "immunizations",
        "observations",
        "imaging",
        "procedures",
        "goals",
        "referrals",
        "encounters",
    }
)
VOID_FORM = (Field("reason", Kind.TEXT, required=True, max_length=500),)


@dataclass(frozen=True)
class Voided:
    """The record as it is after the void (without the voided entry)."""

    record: PatientRecord


def void_entry(
    uow: UnitOfWork,
    patient_id: str,
    kind: str,
    entry_id: str,
    raw_reason: object,
    *,
    today: date,
    knowledge_version: str,
) -> Voided:
    """Void one current entry with a reason (FieldError on the kind, the entry id or the reason; NotFoundError:
    no such entry), commit.

    Who may write is checked first, in this transaction; the worklist summary is refreshed with it.
    """
    if kind not in VOIDABLE:
        raise FieldError("kind", "unknown-choice")  # noqa: EM101 - a field and a rule slug, not a message
    _check_entry_id(entry_id)
    allowed = ensure_can_write(uow, patient_id)
    reason = coerce(VOID_FORM, {"reason": raw_reason}, today=today)["reason"]
    purpose = allowed.basis.purpose("care")
    uow.records.void(patient_id, kind, entry_id, reason=reason, purpose=purpose)
    record = uow.records.get(patient_id, purpose=purpose, audit=False)
    worklist.refresh(uow, record, today=today, knowledge_version=knowledge_version)
    uow.commit()
    return Voided(record)


def _check_entry_id(entry_id: str) -> None:
    """Refuse an entry id no entry can have (longer than its column, control characters), naming the field:
    a cut id could name another entry, so it is never shortened."""
    field = "entry_id"
    if len(entry_id) > LIMITS[field]:
        raise FieldError(field, "too-long", max=LIMITS[field])
    reason = text_reason(entry_id, multiline=False)
    if reason is not None:
        raise FieldError(field, "control-characters" if "control" in reason else "invalid-unicode")


def entry_history(uow: UnitOfWork, patient_id: str, *, limit: int = 100) -> tuple[EntryHistory, ...]:
    """The most recently written entries of a record with their authors (access checked; read audited)."""
    purpose = ensure_can_read(uow, patient_id).purpose("care")
    found = uow.records.history(patient_id, limit=limit)
    uow.audit.append(uow.actor, "read", patient_id=patient_id, purpose=purpose, detail=f"history={len(found)}")
    return found
