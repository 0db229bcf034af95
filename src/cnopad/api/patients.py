"""REST routes for one patient: the record, its assessment (cards, tasks, information), the FHIR care
plan, recording entries (the same checks as the web forms: ``services.entries``) and emergency access.
Who may do what is decided by the services (``services.access``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StrictStr, create_model

from cnopad.api.deps import ActorDep, ContainerDep
from cnopad.api.problems import problem_responses
from cnopad.api.schemas import AssessmentOut, InformationOut, RecordedOut, RecordOut, TaskOut
from cnopad.bootstrap import Container
from cnopad.domain import ENTRY_KINDS, PatientRecord, input_rules
from cnopad.domain.access import Actor
from cnopad.engine import Assessment
from cnopad.engine.criteria.serialize import criteria_dict
from cnopad.fhir.careplan import care_plan_bundle
from cnopad.fhir.criteria import criteria_bundle
from cnopad.services import criteria as criteria_svc
from cnopad.services import emergency_access
from cnopad.services import records as svc
from cnopad.services.entries import FORMS, record_entry
from cnopad.services.entry_forms import Kind
from cnopad.store.codec import plain

router = APIRouter(prefix="/api/patients", tags=["patients"], responses=problem_responses(400, 401, 403, 404, 413, 422))

PatientId = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9\-.]+$", description="FHIR Patient.id")
]
AsOf = Annotated[
    date | None,
    Query(description="Assessment date (default: today); from 1900-01-01 to ten years after today (docs/security.md)"),
]
Lang = Annotated[Literal["nl", "en"], Query(description="Language of the texts")]


def _read(container: Container, actor: Actor, patient_id: str, purpose: str) -> PatientRecord:
    with container.unit(actor) as uow:
        return svc.get_record(uow, patient_id, purpose=purpose)


def _assess(
    container: Container, actor: Actor, patient_id: str, as_of: date | None, lang: str
) -> tuple[PatientRecord, Assessment]:
    from cnopad.engine import assess

    record = _read(container, actor, patient_id, "decision support")
    return record, assess(record, _day(container, as_of), lang=lang, kb=container.knowledge)


def _day(container: Container, as_of: date | None) -> date:
    """The assessment date: today, or ``as_of`` when it lies in the plausible range (else 422 naming it)."""
    today = container.today()
    return input_rules.check_date("query.as_of", as_of, today=today) if as_of is not None else today


@router.get("/{patient_id}", operation_id="readPatient", response_model=RecordOut, summary="Read a record")
def read_patient(container: ContainerDep, actor: ActorDep, patient_id: PatientId) -> RecordOut:
    """The whole record as cnopad holds it (codes, concepts, dates), by entry kind."""
    record = _read(container, actor, patient_id, "care")
    return RecordOut(
        patient=plain(record.patient), entries={kind: plain(getattr(record, kind)) for kind in ENTRY_KINDS}
    )


@router.get(
    "/{patient_id}/assessment", operation_id="assessPatient", response_model=AssessmentOut, summary="Assess a record"
)
def assessment(
    container: ContainerDep, actor: ActorDep, patient_id: PatientId, as_of: AsOf = None, lang: Lang = "nl"
) -> AssessmentOut:
    """Cards, tasks, the step plan and information texts for the patient on ``as_of``."""
    _, result = _assess(container, actor, patient_id, as_of, lang)
    return AssessmentOut.of(result)


@router.get(
    "/{patient_id}/tasks", operation_id="listTasks", response_model=list[TaskOut], summary="Tasks with due dates"
)
def tasks(
    container: ContainerDep, actor: ActorDep, patient_id: PatientId, as_of: AsOf = None, lang: Lang = "nl"
) -> list[TaskOut]:
    """What is due, overdue, upcoming or done on ``as_of``."""
    _, result = _assess(container, actor, patient_id, as_of, lang)
    return [TaskOut.of(t) for t in result.tasks]


@router.get(
    "/{patient_id}/information",
    operation_id="listInformation",
    response_model=list[InformationOut],
    summary="Information texts for the patient's situation",
)
def information(
    container: ContainerDep, actor: ActorDep, patient_id: PatientId, as_of: AsOf = None, lang: Lang = "nl"
) -> list[InformationOut]:
    """The fact and patient texts that apply to this patient now."""
    _, result = _assess(container, actor, patient_id, as_of, lang)
    return [InformationOut.of(i) for i in result.information]


@router.get(
    "/{patient_id}/criteria",
    operation_id="listCriteria",
    response_model=dict[str, Any],
    summary="Criteria and the diagnostic path",
)
def criteria(
    container: ContainerDep,
    actor: ActorDep,
    patient_id: PatientId,
    as_of: AsOf = None,
    lang: Lang = "nl",
    format: Annotated[
        Literal["json", "fhir"], Query(description="json: the criteria panel; fhir: a Bundle of score Observations")
    ] = "json",
) -> dict[str, Any]:
    """Jansson 2009, EULAR/ACR 2025, Bristol 2016 and SAPHO (Kahn 2003) with every item present, absent or unknown,
    points scores as the range still possible (not computed while their weights are not verified), what was verified
    where, the adult notice (no validated criteria for CNO-SCCH) and the sources' diagnostic path (done steps with date
    and result, the rest as suggestions).
    With ``format=fhir``: a FHIR R4 collection Bundle, one Observation per points instrument (docs/fhir-profile.md)."""
    with container.unit(actor) as uow:
        record, report = criteria_svc.criteria_for_stored(
            uow, patient_id, as_of=_day(container, as_of), kb=container.knowledge, lang=lang
        )
    return criteria_bundle(record, report) if format == "fhir" else criteria_dict(report)


@router.get(
    "/{patient_id}/careplan",
    operation_id="exportCarePlan",
    response_model=dict[str, Any],
    summary="The assessment as a FHIR R4 care plan",
)
def careplan(
    container: ContainerDep, actor: ActorDep, patient_id: PatientId, as_of: AsOf = None, lang: Lang = "nl"
) -> dict[str, Any]:
    """A FHIR R4 Bundle: CarePlan (one activity per task), Goals, DetectedIssues for safety findings."""
    record, result = _assess(container, actor, patient_id, as_of, lang)
    return care_plan_bundle(record, result, container.knowledge.valuesets)


class EmergencyAccessIn(BaseModel):
    """Why you need to open a record outside your care team (recorded in the audit log, shown to the team)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=emergency_access.REASON_MIN,
        max_length=emergency_access.REASON_MAX,
        description="The emergency: why you open this record (free text, one line).",
    )


class EmergencyAccessOut(BaseModel):
    """An emergency access in force: who, why, and until when (UTC)."""

    patient: str
    user: str
    reason: str
    granted_at: datetime
    expires_at: datetime


@router.post(
    "/{patient_id}/emergency-access",
    operation_id="requestEmergencyAccess",
    response_model=EmergencyAccessOut,
    status_code=201,
    summary="Emergency access (break-glass) to a record outside your care team",
    responses=problem_responses(409),
)
def request_emergency_access(
    container: ContainerDep,
    actor: ActorDep,
    patient_id: PatientId,
    body: Annotated[EmergencyAccessIn, Body()],
) -> EmergencyAccessOut:
    """For a GP or specialist outside the care team: read the record and record care entries for
    ``CNOPAD_EMERGENCY_ACCESS_HOURS`` hours. Audited as ``break-glass`` with the reason and shown on the
    patient's page; it never makes you a care-team member and allows no import. 409 when you need none."""
    with container.unit(actor) as uow:
        grant = emergency_access.request_emergency_access(
            uow, patient_id, body.reason, hours=container.settings.emergency_access_hours
        )
    return EmergencyAccessOut(
        patient=grant.patient_id,
        user=grant.user,
        reason=grant.reason,
        granted_at=grant.granted_at,
        expires_at=grant.expires_at,
    )


def _json_date(value: object) -> object:
    # a JSON date is a string (YYYY-MM-DD); a number would otherwise be read as seconds since 1970
    if isinstance(value, str | date):
        return value
    msg = "a date is a string YYYY-MM-DD"
    raise ValueError(msg)


def _json_number(value: object) -> object:
    # true/false and numbers in strings are not numbers (lax Pydantic would store true as 1)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        msg = "a number is required (a JSON number, not a string or true/false)"
        raise ValueError(msg)
    return value


#: per kind the strict JSON type: an integer must be a JSON integer, a decimal a JSON number, a date a string
_PYTHON_TYPE: dict[Kind, Any] = {
    Kind.TEXT: StrictStr,
    Kind.INT: StrictInt,
    Kind.DECIMAL: Annotated[Decimal, BeforeValidator(_json_number)],
    Kind.DATE: Annotated[date, BeforeValidator(_json_date)],
}


def _input_model(form: str) -> type[BaseModel]:
    """A documented input schema per form (types and fixed choices here; clinical checks in the service)."""
    fields: dict[str, Any] = {}
    for field in FORMS[form]:
        kind: Any = _PYTHON_TYPE.get(field.kind, str)
        choices: Any = Literal.__getitem__(field.choices) if field.choices else str  # shown in the OpenAPI document
        if field.kind is Kind.CHOICE:
            kind = choices
        elif field.kind is Kind.MULTI:
            kind = list[choices]
        if field.kind is Kind.TEXT:
            kind = Annotated[kind, Field(max_length=field.max_length)]  # the service checks it too; shown in OpenAPI
        fields[field.name] = (kind, ...) if field.required else (kind | None, None)
    name = "".join(part.title() for part in form.split("_")) + "In"
    model: type[BaseModel] = create_model(name, __config__=ConfigDict(extra="forbid"), **fields)
    return model


def _add_entry_route(form: str) -> None:
    model = _input_model(form)
    slug = form.replace("_", "-")
    operation = "record" + "".join(part.title() for part in form.split("_"))

    def record(container: ContainerDep, actor: ActorDep, patient_id: PatientId, body: BaseModel) -> RecordedOut:
        with container.unit(actor) as uow:
            done = record_entry(
                uow,
                patient_id,
                form,
                body.model_dump(exclude_none=True),
                valuesets=container.knowledge.valuesets,
                today=container.today(),
                knowledge_version=container.knowledge.version,
            )
        return RecordedOut(patient=patient_id, form=form, entries=[e.id for e in done.entries])

    # the body type is made per form at import time; a real annotation object (not a string) lets FastAPI see it
    record.__annotations__["body"] = Annotated[model, Body()]
    record.__doc__ = f"Record a {form.replace('_', ' ')} entry; every field is checked and nothing is saved on error."
    router.add_api_route(
        f"/{{patient_id}}/entries/{slug}",
        record,
        methods=["POST"],
        operation_id=operation,
        response_model=RecordedOut,
        status_code=201,
        summary=f"Record: {form.replace('_', ' ')}",
    )


for _form in FORMS:
    _add_entry_route(_form)
