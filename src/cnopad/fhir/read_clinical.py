"""Read Patient, Condition and AllergyIntolerance resources into the domain."""

from __future__ import annotations

from cnopad.domain import (
    Allergy,
    ClinicalStatus,
    Condition,
    Identifier,
    Patient,
    Sex,
    Verification,
    input_rules,
)
from cnopad.errors import InputError
from cnopad.fhir.read_context import JsonObject, ReadContext

#: HL7 v3 ActReason "HTEST" (test health data): marks synthetic demo and test patients
SYNTHETIC_TAG = ("http://terminology.hl7.org/CodeSystem/v3-ActReason", "HTEST")

_VERIFICATION = {
    "unconfirmed": Verification.SUSPECTED,
    "provisional": Verification.SUSPECTED,
    "differential": Verification.SUSPECTED,
    "confirmed": Verification.CONFIRMED,
    "refuted": Verification.RULED_OUT,
    "entered-in-error": Verification.RULED_OUT,
}


def read_patient(resource: JsonObject, location: str, ctx: ReadContext) -> Patient:
    """The Patient: id, birth date (required: every statement's scope depends on age), sex, name."""
    if not resource.get("birthDate"):
        msg = f"{location}.birthDate"
        raise InputError(msg, "cnopad needs the birth date (adult or child care depends on it)")
    birth = ctx.day(resource["birthDate"], f"{location}.birthDate", past=True)
    assert birth is not None  # noqa: S101 - checked above
    identifiers = tuple(
        Identifier(str(i.get("system", "")), str(i["value"]))
        for i in resource.get("identifier") or []
        if i.get("value")
    )
    if resource.get("id") is not None and not isinstance(resource["id"], str):
        msg = f"{location}.id"
        raise InputError(msg, "must be a string")
    pid = resource.get("id") or (identifiers[0].value if identifiers else None)
    if not pid:
        msg = f"{location}.id"
        raise InputError(msg, "the Patient needs an id or an identifier so cnopad can recognise it again")
    tags = {(t.get("system"), t.get("code")) for t in (resource.get("meta") or {}).get("tag") or []}
    name = _name(resource.get("name") or [])
    # the lengths of the patients table's columns: a longer value is refused here, never cut by a database
    input_rules.check_text(f"{location}.id", str(pid), max_length=input_rules.LIMITS["patient_id"])
    if name is not None:
        input_rules.check_text(f"{location}.name", name, max_length=input_rules.LIMITS["patient_name"])
    return Patient(
        id=str(pid),
        birth_date=birth,
        sex=ctx.enum(Sex, resource.get("gender") or "unknown", f"{location}.gender"),
        name=name,
        identifiers=identifiers,
        synthetic=SYNTHETIC_TAG in tags,
    )


def _name(names: list[JsonObject]) -> str | None:
    for name in names:
        if name.get("text"):
            return str(name["text"])
        parts = [*(name.get("given") or []), name.get("family")]
        joined = " ".join(str(p) for p in parts if p)
        if joined:
            return joined
    return None


def read_condition(resource: JsonObject, location: str, ctx: ReadContext) -> Condition:
    """A Condition: the CNO diagnosis (status, form, dates, sites) or any other problem."""
    ctx.check_subject(resource, "subject", location)
    codings = ctx.codings(resource.get("code"), f"{location}.code")
    verification = _coded_status(resource.get("verificationStatus"))
    if verification and verification not in _VERIFICATION:
        msg = f"{location}.verificationStatus"
        raise InputError(msg, f"{verification!r} is not one of: {', '.join(_VERIFICATION)}")
    clinical = _coded_status(resource.get("clinicalStatus"))
    onset = ctx.day(
        resource.get("onsetDateTime") or (resource.get("onsetPeriod") or {}).get("start"),
        f"{location}.onsetDateTime",
        past=True,
    )
    recorded = ctx.day(resource.get("recordedDate"), f"{location}.recordedDate", past=True)
    abated = ctx.day(resource.get("abatementDateTime"), f"{location}.abatementDateTime", past=True)
    ctx.ordered(onset, abated, f"{location}.abatementDateTime")
    return Condition(
        id=str(resource["id"]),
        codings=codings,
        concepts=ctx.concepts(codings),
        verification=_VERIFICATION.get(verification or "", Verification.CONFIRMED),
        clinical_status=ctx.enum(ClinicalStatus, clinical, f"{location}.clinicalStatus") if clinical else None,
        onset=onset,
        recorded=recorded,
        abated=abated,
        sites=ctx.sites(resource.get("bodySite"), f"{location}.bodySite"),
        text=(resource.get("code") or {}).get("text"),
    )


def _coded_status(concept: JsonObject | None) -> str | None:
    for coding in (concept or {}).get("coding") or []:
        if coding.get("code"):
            return str(coding["code"])
    return None


def read_allergy(resource: JsonObject, location: str, ctx: ReadContext) -> Allergy:
    """An AllergyIntolerance (substance codes in ATC or SNOMED CT)."""
    ctx.check_subject(resource, "patient", location)
    codings = ctx.codings(resource.get("code"), f"{location}.code")
    return Allergy(
        id=str(resource["id"]),
        codings=codings,
        concepts=ctx.concepts(codings),
        recorded=ctx.day(resource.get("recordedDate"), f"{location}.recordedDate", past=True),
        criticality=resource.get("criticality"),
        text=(resource.get("code") or {}).get("text"),
    )
