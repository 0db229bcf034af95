"""Small builders for FHIR R4 test bundles (synthetic data only)."""

from __future__ import annotations

from typing import Any

CNOPAD = "https://fhir.cnopad.nl/CodeSystem/cnopad"
ATC = "http://www.whocc.no/atc"
LOINC = "http://loinc.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
SNOMED = "http://snomed.info/sct"
HTEST = {"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HTEST"}
AGB = "http://fhir.nl/fhir/NamingSystem/agb-z"

Json = dict[str, Any]


def code(system: str, value: str, display: str | None = None) -> Json:
    c: Json = {"system": system, "code": value}
    if display:
        c["display"] = display
    return {"coding": [c]}


def patient(pid: str = "p1", birth: str = "1980-03-02", gender: str = "female", name: str = "Test Synthetisch") -> Json:
    return {
        "resourceType": "Patient",
        "id": pid,
        "meta": {"tag": [HTEST]},
        "name": [{"text": name}],
        "gender": gender,
        "birthDate": birth,
    }


def bundle(*resources: Json, pid: str | None = None) -> Json:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}


def subject(pid: str = "p1") -> Json:
    return {"reference": f"Patient/{pid}"}


def condition(
    cid: str,
    system: str,
    value: str,
    *,
    onset: str | None = None,
    recorded: str | None = None,
    status: str = "confirmed",
    pid: str = "p1",
    sites: tuple[str, ...] = (),
) -> Json:
    r: Json = {
        "resourceType": "Condition",
        "id": cid,
        "code": code(system, value),
        "subject": subject(pid),
        "verificationStatus": code("http://terminology.hl7.org/CodeSystem/condition-ver-status", status),
    }
    if onset:
        r["onsetDateTime"] = onset
    if recorded:
        r["recordedDate"] = recorded
    if sites:
        r["bodySite"] = [code(CNOPAD, f"site-{s}") for s in sites]
    return r


def medication_request(
    mid: str,
    atc: str,
    *,
    start: str,
    end: str | None = None,
    dose: float | None = None,
    status: str = "active",
    pid: str = "p1",
    every_months: int | None = None,
    days: int | None = None,
) -> Json:
    repeat: Json = {"boundsPeriod": {"start": start, **({"end": end} if end else {})}}
    if every_months:
        repeat.update({"period": every_months, "periodUnit": "mo"})
        if days:
            repeat["extension"] = [
                {"url": "https://fhir.cnopad.nl/StructureDefinition/course-days", "valueInteger": days}
            ]
    dosage: Json = {"timing": {"repeat": repeat}}
    if dose is not None:
        dosage["doseAndRate"] = [{"doseQuantity": {"value": dose, "unit": "mg"}}]
    return {
        "resourceType": "MedicationRequest",
        "id": mid,
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": code(ATC, atc),
        "subject": subject(pid),
        "dosageInstruction": [dosage],
    }


def administration(aid: str, atc: str, day: str, *, pid: str = "p1", dose: float | None = 30) -> Json:
    r: Json = {
        "resourceType": "MedicationAdministration",
        "id": aid,
        "status": "completed",
        "medicationCodeableConcept": code(ATC, atc),
        "subject": subject(pid),
        "effectiveDateTime": day,
    }
    if dose is not None:
        r["dosage"] = {"dose": {"value": dose, "unit": "mg"}}
    return r


def observation(oid: str, system: str, value_code: str, day: str, *, pid: str = "p1", **value: Any) -> Json:
    r: Json = {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "code": code(system, value_code),
        "subject": subject(pid),
        "effectiveDateTime": day,
    }
    r.update(value)
    return r


def pain(oid: str, score: int, day: str, *, pid: str = "p1") -> Json:
    return observation(oid, LOINC, "72514-3", day, pid=pid, valueInteger=score)


def procedure(prid: str, concept: str, day: str, *, pid: str = "p1", status: str = "completed") -> Json:
    return {
        "resourceType": "Procedure",
        "id": prid,
        "status": status,
        "code": code(CNOPAD, concept),
        "subject": subject(pid),
        "performedDateTime": day,
    }


def care_team(tid: str, *members: tuple[str, str, str | None], pid: str = "p1") -> Json:
    """members: (role, name, AGB code or None)."""
    parts = []
    for index, (role, name, agb) in enumerate(members):
        member: Json = {"display": name}
        if agb:
            member["identifier"] = {"system": AGB, "value": agb}
        parts.append({"id": f"{tid}-{index}", "role": [code(CNOPAD, f"role-{role}")], "member": member})
    return {"resourceType": "CareTeam", "id": tid, "subject": subject(pid), "participant": parts}
