"""Read MedicationRequest, MedicationStatement, MedicationAdministration and Immunization."""

from __future__ import annotations

from cnopad.domain import (
    Administration,
    Coding,
    EventStatus,
    Immunization,
    MedicationSource,
    MedicationStatus,
    MedicationUse,
    PeriodUnit,
    RequestIntent,
    Schedule,
)
from cnopad.errors import InputError
from cnopad.fhir.read_context import JsonObject, ReadContext, Reason, Unrecognized

#: extension on Timing.repeat: how many consecutive days one course lasts (pamidronate: 3)
COURSE_DAYS_URL = "https://fhir.cnopad.nl/StructureDefinition/course-days"


def medication_codings(resource: JsonObject, location: str, ctx: ReadContext) -> tuple[tuple[Coding, ...], str | None]:
    """The drug's codings and name, from medicationCodeableConcept or a referenced Medication."""
    if resource.get("medicationCodeableConcept"):
        concept = resource["medicationCodeableConcept"]
        return ctx.codings(concept, f"{location}.medicationCodeableConcept"), concept.get("text")
    target = ctx.resolve_located(resource.get("medicationReference"), f"{location}.medicationReference")
    if target is None:
        return (), None
    concept = target.resource.get("code") or {}
    return ctx.codings(concept, f"{target.location}.code"), concept.get("text")


def _schedule(timing: JsonObject | None, location: str, ctx: ReadContext) -> Schedule | None:
    """The course schedule of a Timing; a unit cnopad does not plan in (s, min, h) is reported, not lost."""
    repeat = (timing or {}).get("repeat") or {}
    if not repeat.get("period") or not repeat.get("periodUnit"):
        return None
    unit = repeat["periodUnit"]
    if unit not in {u.value for u in PeriodUnit}:
        ctx.unrecognized.append(
            Unrecognized(
                f"{location}.repeat.periodUnit",
                "http://hl7.org/fhir/ValueSet/units-of-time",
                str(unit),
                "schedule unit not planned by cnopad",
                Reason.UNIT_NOT_PLANNED,
            )
        )
        return None
    days = 1
    for ext in repeat.get("extension") or []:
        if ext.get("url") == COURSE_DAYS_URL and ext.get("valueInteger") is not None:
            days = int(ext["valueInteger"])
            if days < 1:
                where = f"{location}.repeat.extension"
                raise InputError(where, f"a course lasts at least one day (got {days})")
    return Schedule(every=int(repeat["period"]), unit=PeriodUnit(unit), days=days)


def read_medication_request(resource: JsonObject, location: str, ctx: ReadContext) -> MedicationUse:
    """A prescription: drug (ATC), status, start/stop (Timing boundsPeriod or authoredOn), dose, schedule."""
    ctx.check_subject(resource, "subject", location)
    codings, text = medication_codings(resource, location, ctx)
    dosage = (resource.get("dosageInstruction") or [{}])[0]
    dosage_loc = f"{location}.dosageInstruction[0]"
    bounds = ((dosage.get("timing") or {}).get("repeat") or {}).get("boundsPeriod") or {}
    start = ctx.day(bounds.get("start") or resource.get("authoredOn"), f"{dosage_loc}.timing.repeat.boundsPeriod.start")
    end = ctx.day(bounds.get("end"), f"{dosage_loc}.timing.repeat.boundsPeriod.end")
    ctx.ordered(start, end, f"{dosage_loc}.timing.repeat.boundsPeriod.end")
    dose_and_rate = (dosage.get("doseAndRate") or [{}])[0]
    return MedicationUse(
        id=str(resource["id"]),
        codings=codings,
        concepts=ctx.concepts(codings),
        status=ctx.enum(MedicationStatus, resource.get("status", "unknown"), f"{location}.status"),
        source=MedicationSource.REQUEST,
        start=start,
        end=end,
        dose=ctx.quantity(
            dose_and_rate.get("doseQuantity"), f"{dosage_loc}.doseAndRate[0].doseQuantity", non_negative=True
        ),
        schedule=_schedule(dosage.get("timing"), f"{dosage_loc}.timing", ctx),
        route=(dosage.get("route") or {}).get("text"),
        text=text,
        intent=ctx.enum(RequestIntent, resource.get("intent", "order"), f"{location}.intent"),
    )


def read_medication_statement(resource: JsonObject, location: str, ctx: ReadContext) -> MedicationUse:
    """A reported medication use: drug, status, effective period, dose."""
    ctx.check_subject(resource, "subject", location)
    codings, text = medication_codings(resource, location, ctx)
    period = resource.get("effectivePeriod") or {}
    start = ctx.day(period.get("start") or resource.get("effectiveDateTime"), f"{location}.effectivePeriod.start")
    end = ctx.day(period.get("end"), f"{location}.effectivePeriod.end")
    ctx.ordered(start, end, f"{location}.effectivePeriod.end")
    dosage = (resource.get("dosage") or [{}])[0]
    dose_and_rate = (dosage.get("doseAndRate") or [{}])[0]
    return MedicationUse(
        id=str(resource["id"]),
        codings=codings,
        concepts=ctx.concepts(codings),
        status=ctx.enum(MedicationStatus, resource.get("status", "unknown"), f"{location}.status"),
        source=MedicationSource.STATEMENT,
        start=start,
        end=end,
        dose=ctx.quantity(
            dose_and_rate.get("doseQuantity"),
            f"{location}.dosage[0].doseAndRate[0].doseQuantity",
            non_negative=True,
        ),
        schedule=_schedule(dosage.get("timing"), f"{location}.dosage[0].timing", ctx),
        route=(dosage.get("route") or {}).get("text"),
        text=text,
    )


def read_administration(resource: JsonObject, location: str, ctx: ReadContext) -> Administration:
    """One administration (e.g. one pamidronate infusion day): drug, day, dose, status."""
    ctx.check_subject(resource, "subject", location)
    codings, _ = medication_codings(resource, location, ctx)
    status = ctx.enum(EventStatus, resource.get("status", "unknown"), f"{location}.status")
    when = resource.get("effectiveDateTime") or (resource.get("effectivePeriod") or {}).get("start")
    given_on = ctx.day(when, f"{location}.effectiveDateTime", past=status is EventStatus.COMPLETED)
    if given_on is None:  # effective[x] is required by R4; the lenient CDS Hooks path checks it here
        where = f"{location}.effectiveDateTime"
        raise InputError(where, "an administration needs the day it was given")
    dosage = resource.get("dosage") or {}
    return Administration(
        id=str(resource["id"]),
        codings=codings,
        given_on=given_on,
        concepts=ctx.concepts(codings),
        dose=ctx.quantity(dosage.get("dose"), f"{location}.dosage.dose", non_negative=True),
        status=status,
        route=(dosage.get("route") or {}).get("text"),
    )


def read_immunization(resource: JsonObject, location: str, ctx: ReadContext) -> Immunization:
    """A vaccination (vaccine by ATC J07), given or not done."""
    ctx.check_subject(resource, "patient", location)
    codings = ctx.codings(resource.get("vaccineCode"), f"{location}.vaccineCode")
    status = ctx.enum(EventStatus, resource.get("status", "completed"), f"{location}.status")
    return Immunization(
        id=str(resource["id"]),
        codings=codings,
        concepts=ctx.concepts(codings),
        given_on=ctx.day(
            resource.get("occurrenceDateTime"),
            f"{location}.occurrenceDateTime",
            past=status is EventStatus.COMPLETED,
        ),
        status=status,
    )
