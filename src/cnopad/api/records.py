"""REST routes for patient records: list, read, import a FHIR Bundle, export as FHIR."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, Field

from cnopad.api.deps import ActorDep, ContainerDep
from cnopad.api.problems import problem_responses
from cnopad.domain import input_rules
from cnopad.services import records as svc

router = APIRouter(prefix="/api", tags=["records"], responses=problem_responses(400, 401, 403, 404, 413, 422))


class PatientOut(BaseModel):
    """A patient in a list."""

    id: str
    name: str | None
    birth_date: date


class UnrecognizedOut(BaseModel):
    """A code, reference or resource the importer did not understand: where, what, why, and whether the
    resource it stands in was set aside (not stored) or kept without it."""

    location: str
    system: str
    code: str
    display: str | None = None
    reason: str = Field(description="why: unknown-code-system, code-not-in-value-sets, other-patient, ...")
    set_aside: bool = Field(description="true when the whole resource was left out of the record")
    detail: str | None = None


class ImportOut(BaseModel):
    """The result of one import."""

    patient: str
    created: int
    updated: int
    unchanged: int
    resources: int
    unrecognized: list[UnrecognizedOut]


@router.get(
    "/patients",
    operation_id="listPatients",
    response_model=list[PatientOut],
    summary="List the patients you may see",
)
def list_patients(
    container: ContainerDep,
    actor: ActorDep,
    q: Annotated[str | None, Query(max_length=100, description="Part of a name or id")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[PatientOut]:
    """Patients in your care teams (all for the expertise centre; none for researchers; admins are refused)."""
    if q is not None:
        input_rules.check_text("query.q", q, max_length=input_rules.LIMITS["search"], multiline=False)
    with container.unit(actor) as uow:
        found = svc.list_patients(uow, query=q, limit=limit, offset=offset)
    return [PatientOut(id=p.id, name=p.name, birth_date=p.birth_date) for p in found]


@router.post(
    "/bundles",
    operation_id="importBundle",
    response_model=ImportOut,
    status_code=200,
    summary="Import a FHIR R4 Bundle",
)
def import_bundle(
    container: ContainerDep,
    actor: ActorDep,
    bundle: Annotated[dict[str, Any], Body(description="A FHIR R4 Bundle with exactly one Patient")],
) -> ImportOut:
    """Validate and store a Bundle in one transaction; re-importing updates what changed.

    An existing patient needs your care team (or the expertise centre role); a new patient's CareTeam must
    name you; no import may add you to a care team you are not in (403, audited, nothing written).
    """
    with container.unit(actor) as uow:
        report = svc.import_bundle(uow, bundle, valuesets=container.knowledge.valuesets, today=container.today())
    return ImportOut(
        patient=report.patient_id,
        created=report.stats.created,
        updated=report.stats.updated,
        unchanged=report.stats.unchanged,
        resources=report.resources,
        unrecognized=[
            UnrecognizedOut(
                location=u.location,
                system=u.system,
                code=u.code,
                display=u.display,
                reason=u.reason.value,
                set_aside=u.set_aside,
                detail=u.detail,
            )
            for u in report.unrecognized
        ],
    )


@router.get(
    "/patients/{patient_id}/fhir",
    operation_id="exportPatient",
    summary="Export a record as a FHIR R4 Bundle",
    response_model=dict[str, Any],
)
def export_patient(
    container: ContainerDep, actor: ActorDep, patient_id: Annotated[str, Field(max_length=64)]
) -> dict[str, Any]:
    """The whole record as a FHIR R4 collection Bundle."""
    with container.unit(actor) as uow:
        return svc.export_bundle(uow, patient_id, valuesets=container.knowledge.valuesets)
