"""Hypothesis strategies for valid FHIR R4 bundles of the kinds cnopad reads (synthetic data)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from cnopad.knowledge import knowledge

Json = dict[str, Any]
TODAY = date(2026, 11, 23)
CNOPAD = "https://fhir.cnopad.nl/CodeSystem/cnopad"


def _exact_codes(*concepts: str) -> list[tuple[str, str]]:
    """(system, code) pairs of exact codes from the value sets of the given concepts (or all)."""
    out = []
    for vs in knowledge().valuesets.sets:
        if concepts and str(vs.meaning) not in concepts:
            continue
        out.extend((e.system.value, e.code) for e in vs.include if e.match == "exact")
    return sorted(set(out))


ALL_CODES = _exact_codes()
ATC_CODES = [c for c in ALL_CODES if c[0] == "http://www.whocc.no/atc"] + [("http://www.whocc.no/atc", "M01AE01")]
SITE_CODES = [(CNOPAD, f"site-{s}") for s in ("sternum", "clavicle", "first_rib", "vertebra", "mandible", "long_bone")]
ROLE_CODES = [(CNOPAD, f"role-{r}") for r in ("gp", "main_treating", "coordinator", "expertise_centre", "dentist")]
ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
texts = (
    st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs")), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)


def codeable(pairs: list[tuple[str, str]]) -> st.SearchStrategy[Json]:
    """A CodeableConcept with one to three codings from ``pairs``."""
    return st.lists(st.sampled_from(pairs), min_size=1, max_size=3, unique=True).map(
        lambda cs: {"coding": [{"system": s, "code": c} for s, c in cs]}
    )


def days(start: date, end: date = TODAY) -> st.SearchStrategy[date]:
    """A date between ``start`` and ``end``."""
    return st.dates(min_value=start, max_value=max(start, end))


def decimals() -> st.SearchStrategy[float | int]:
    """Non-negative numbers with few decimals (as FHIR JSON carries them)."""
    return st.one_of(st.integers(0, 5000), st.decimals(0, 5000, places=2, allow_nan=False).map(float))


@st.composite
def bundles(draw: st.DrawFn) -> Json:
    """A valid Bundle with one Patient and a random mix of the resources cnopad reads."""
    birth = draw(days(date(1935, 1, 1), date(2022, 1, 1)))
    pid = draw(ids)
    subject = {"reference": f"Patient/{pid}"}
    resources: list[Json] = [
        {
            "resourceType": "Patient",
            "id": pid,
            "gender": draw(st.sampled_from(["female", "male", "other", "unknown"])),
            "birthDate": birth.isoformat(),
            "name": [{"text": draw(texts)}],
            "meta": {"tag": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HTEST"}]},
        }
    ]
    used: set[str] = set()

    def new_id() -> str:
        value = draw(ids.filter(lambda v: v not in used))
        used.add(value)
        return value

    for _ in range(draw(st.integers(0, 3))):
        onset = draw(days(birth))
        r: Json = {
            "resourceType": "Condition",
            "id": new_id(),
            "code": draw(codeable(ALL_CODES)),
            "subject": subject,
            "onsetDateTime": onset.isoformat(),
            "recordedDate": draw(days(onset)).isoformat(),
            "verificationStatus": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                        "code": draw(st.sampled_from(["confirmed", "provisional", "refuted"])),
                    }
                ]
            },
        }
        if draw(st.booleans()):
            r["bodySite"] = [
                {"coding": [{"system": s, "code": c}]}
                for s, c in draw(st.lists(st.sampled_from(SITE_CODES), max_size=3, unique=True))
            ]
        resources.append(r)
    for _ in range(draw(st.integers(0, 3))):
        start = draw(days(birth))
        repeat: Json = {"boundsPeriod": {"start": start.isoformat()}}
        if draw(st.booleans()):
            repeat["boundsPeriod"]["end"] = draw(days(start, start + timedelta(days=900))).isoformat()
        if draw(st.booleans()):
            repeat.update(
                {"period": draw(st.integers(1, 6)), "periodUnit": draw(st.sampled_from(["d", "wk", "mo", "a"]))}
            )
            if draw(st.booleans()):
                repeat["extension"] = [
                    {
                        "url": "https://fhir.cnopad.nl/StructureDefinition/course-days",
                        "valueInteger": draw(st.integers(2, 5)),
                    }
                ]
        dosage: Json = {"timing": {"repeat": repeat}}
        if draw(st.booleans()):
            dosage["doseAndRate"] = [{"doseQuantity": {"value": draw(decimals()), "unit": "mg"}}]
        resources.append(
            {
                "resourceType": "MedicationRequest",
                "id": new_id(),
                "intent": draw(st.sampled_from(["order", "plan", "proposal"])),
                "subject": subject,
                "status": draw(st.sampled_from(["active", "completed", "stopped", "draft", "on-hold"])),
                "medicationCodeableConcept": draw(codeable(ATC_CODES)),
                "dosageInstruction": [dosage],
            }
        )
    for _ in range(draw(st.integers(0, 2))):
        start = draw(days(birth))
        resources.append(
            {
                "resourceType": "MedicationStatement",
                "id": new_id(),
                "subject": subject,
                "status": draw(st.sampled_from(["active", "completed", "intended", "not-taken"])),
                "medicationCodeableConcept": draw(codeable(ATC_CODES)),
                "effectivePeriod": {"start": start.isoformat()},
            }
        )
    for _ in range(draw(st.integers(0, 3))):
        resources.append(
            {
                "resourceType": "MedicationAdministration",
                "id": new_id(),
                "status": "completed",
                "subject": subject,
                "medicationCodeableConcept": draw(codeable(ATC_CODES)),
                "effectiveDateTime": draw(days(birth)).isoformat(),
                "dosage": {"dose": {"value": draw(decimals()), "unit": "mg"}},
            }
        )
    for _ in range(draw(st.integers(0, 2))):
        resources.append(
            {
                "resourceType": "Immunization",
                "id": new_id(),
                "status": "completed",
                "patient": subject,
                "vaccineCode": draw(codeable(ATC_CODES)),
                "occurrenceDateTime": draw(days(birth)).isoformat(),
            }
        )
    for _ in range(draw(st.integers(0, 4))):
        obs: Json = {
            "resourceType": "Observation",
            "id": new_id(),
            "status": "final",
            "subject": subject,
            "effectiveDateTime": draw(days(birth)).isoformat(),
        }
        kind = draw(st.sampled_from(["pain", "quantity", "coded", "boolean", "string"]))
        if kind == "pain":
            obs.update(
                code={"coding": [{"system": "http://loinc.org", "code": "72514-3"}]},
                valueInteger=draw(st.integers(0, 10)),
            )
        else:
            obs["code"] = draw(codeable([c for c in ALL_CODES if c[0] != "http://loinc.org" or c[1] != "72514-3"]))
            if kind == "quantity":
                obs["valueQuantity"] = {"value": draw(decimals()), "unit": "mg/L"}
            elif kind == "coded":
                obs["valueCodeableConcept"] = draw(codeable(ALL_CODES))
            elif kind == "boolean":
                obs["valueBoolean"] = draw(st.booleans())
            else:
                obs["valueString"] = draw(texts)
        resources.append(obs)
    for _ in range(draw(st.integers(0, 2))):
        when = draw(days(birth)).isoformat()
        study_id, report_id = new_id(), new_id()
        resources.append(
            {
                "resourceType": "ImagingStudy",
                "id": study_id,
                "status": "available",
                "subject": subject,
                "started": when,
                "modality": [
                    {
                        "system": "http://dicom.nema.org/resources/ontology/DCM",
                        "code": draw(st.sampled_from(["CT", "MR", "NM", "DX"])),
                    }
                ],
            }
        )
        resources.append(
            {
                "resourceType": "DiagnosticReport",
                "id": report_id,
                "status": "final",
                "subject": subject,
                "effectiveDateTime": when,
                "code": {
                    "coding": [
                        {"system": CNOPAD, "code": draw(st.sampled_from(["spect_ct", "whole_body_mri", "xray"]))}
                    ]
                },
                "imagingStudy": [{"reference": f"ImagingStudy/{study_id}"}],
                "conclusionCode": [
                    {"coding": [{"system": s, "code": c}]}
                    for s, c in draw(
                        st.lists(
                            st.sampled_from(
                                [
                                    (CNOPAD, "imaging_activity"),
                                    (CNOPAD, "osteolytic_lesion"),
                                    (CNOPAD, "hyperostosis"),
                                    *SITE_CODES,
                                ]
                            ),
                            max_size=3,
                            unique=True,
                        )
                    )
                ],
            }
        )
    for _ in range(draw(st.integers(0, 2))):
        start = draw(days(birth))
        proc: Json = {
            "resourceType": "Procedure",
            "id": new_id(),
            "status": "completed",
            "subject": subject,
            "code": {
                "coding": [
                    {"system": CNOPAD, "code": draw(st.sampled_from(["dental_check", "physiotherapy", "tb_screening"]))}
                ]
            },
        }
        if draw(st.booleans()):
            proc["performedPeriod"] = {"start": start.isoformat(), "end": draw(days(start)).isoformat()}
        else:
            proc["performedDateTime"] = start.isoformat()
        resources.append(proc)
    if draw(st.booleans()):
        resources.append(
            {
                "resourceType": "CareTeam",
                "id": new_id(),
                "subject": subject,
                "participant": [
                    {
                        "id": new_id(),
                        "role": [{"coding": [{"system": s, "code": c}]}],
                        "member": {
                            "display": draw(texts),
                            "identifier": {
                                "system": "http://fhir.nl/fhir/NamingSystem/agb-z",
                                "value": draw(st.from_regex(r"\A0[0-9]{7}\Z")),
                            },
                        },
                    }
                    for s, c in draw(st.lists(st.sampled_from(ROLE_CODES), min_size=1, max_size=3, unique=True))
                ],
            }
        )
    if draw(st.booleans()):
        start = draw(days(birth))
        resources.append(
            {
                "resourceType": "Goal",
                "id": new_id(),
                "lifecycleStatus": "active",
                "subject": subject,
                "description": {"text": draw(texts)},
                "startDate": start.isoformat(),
                "statusDate": draw(days(start)).isoformat(),
            }
        )
    if draw(st.booleans()):
        resources.append(
            {
                "resourceType": "ServiceRequest",
                "id": new_id(),
                "status": "active",
                "intent": "order",
                "subject": subject,
                "code": {"coding": [{"system": CNOPAD, "code": "referral_physiotherapy"}]},
                "authoredOn": draw(days(birth)).isoformat(),
            }
        )
    if draw(st.booleans()):
        resources.append(
            {
                "resourceType": "Encounter",
                "id": new_id(),
                "status": "finished",
                "subject": subject,
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
                "type": [{"coding": [{"system": CNOPAD, "code": "gp_contact"}]}],
                "period": {"start": draw(days(birth)).isoformat()},
            }
        )
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}
