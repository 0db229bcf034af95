"""Import, export, read and list patient records; each checks who may do so (:mod:`cnopad.services.access`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from cnopad.domain import PatientRecord
from cnopad.domain.access import Role
from cnopad.fhir import RecordWriter, Unrecognized, read_bundle
from cnopad.fhir.parse import validate_bundle
from cnopad.knowledge.valuesets import ValueSetIndex
from cnopad.services import access
from cnopad.store import PatientSummary, SaveStats, UnitOfWork


@dataclass(frozen=True)
class ImportReport:
    """What one import did: the patient, the entry counts, and what was not understood."""

    patient_id: str
    stats: SaveStats
    unrecognized: tuple[Unrecognized, ...]
    resources: int


def import_bundle(
    uow: UnitOfWork,
    data: str | bytes | dict[str, Any],
    *,
    valuesets: ValueSetIndex,
    today: date,
    purpose: str = "import",
) -> ImportReport:
    """Validate and store one FHIR Bundle in one transaction; bad input writes nothing (InputError).

    Roles that change no record are refused before the bundle is read; then the write is checked against
    the stored patient inside the same transaction (ForbiddenError, audited, nothing written).
    """
    access.ensure_clinical_role(uow, None)
    result = read_bundle(data, valuesets=valuesets, today=today)
    allowed = access.ensure_can_import(uow, result.record, today=today)
    stats = uow.records.save(result.record, purpose=allowed.basis.purpose(purpose), action="import")
    access.ensure_not_self_added(uow, allowed)
    uow.commit()
    return ImportReport(result.record.patient.id, stats, result.unrecognized, result.resource_count)


def export_bundle(
    uow: UnitOfWork, patient_id: str, *, valuesets: ValueSetIndex, purpose: str = "export"
) -> dict[str, Any]:
    """The stored record as a FHIR R4 Bundle, validated before it leaves (access checked; audited as an export)."""
    purpose = access.ensure_can_read(uow, patient_id).purpose(purpose)
    record = uow.records.get(patient_id, purpose=purpose, audit=False)
    bundle = RecordWriter(valuesets).bundle(record, tuple(uow.records.voided(patient_id)))
    validate_bundle(_json_roundtrip(bundle))
    uow.audit.append(
        uow.actor,
        "export",
        patient_id=patient_id,
        purpose=purpose,
        detail=f"resources={len(bundle['entry'])}",
    )
    uow.commit()
    return bundle


def _json_roundtrip(bundle: dict[str, Any]) -> dict[str, Any]:
    import json

    result: dict[str, Any] = json.loads(json.dumps(bundle))
    return result


def get_record(uow: UnitOfWork, patient_id: str, *, purpose: str = "care") -> PatientRecord:
    """One patient's record (access checked; audited read)."""
    purpose = access.ensure_can_read(uow, patient_id).purpose(purpose)
    record = uow.records.get(patient_id, purpose=purpose)
    uow.commit()
    return record


def list_patients(
    uow: UnitOfWork, *, query: str | None = None, purpose: str = "care", limit: int = 100, offset: int = 0
) -> list[PatientSummary]:
    """The patients this user may see: all for the expertise centre, else their care teams; admins are refused."""
    access.ensure_can_list(uow)
    actor = uow.actor
    member = None if actor.sees_all_patients else actor.practitioner
    if actor.role is Role.RESEARCHER or (not actor.sees_all_patients and member is None):
        why = "researcher" if actor.role is Role.RESEARCHER else "no care-team link"
        uow.audit.append(actor, "list", patient_id=None, purpose=purpose, detail=f"patients=0 ({why})")
        uow.commit()
        return []
    found = uow.records.list(purpose=purpose, query=query, member=member, limit=limit, offset=offset)
    uow.commit()
    return found
