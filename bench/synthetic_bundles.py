"""Synthetic FHIR R4 bundles for benchmarks: one adult CNO patient with ~200 resources (all synthetic)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

CNOPAD = "https://fhir.cnopad.nl/CodeSystem/cnopad"
Json = dict[str, Any]


def _code(system: str, code: str) -> Json:
    return {"coding": [{"system": system, "code": code}]}


def synthetic_bundle(index: int, *, resources: int = 200, seed: int = 7) -> Json:
    """A deterministic bundle for patient ``index`` with about ``resources`` resources."""
    rng = random.Random(seed * 1_000_003 + index)
    pid = f"bench-{index:06d}"
    subject = {"reference": f"Patient/{pid}"}
    birth = date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 50))
    onset = date(2015, 1, 1) + timedelta(days=rng.randint(0, 1500))
    out: list[Json] = [
        {
            "resourceType": "Patient",
            "id": pid,
            "gender": rng.choice(["female", "male"]),
            "birthDate": birth.isoformat(),
            "name": [{"text": f"Bench Patient {index} (synthetisch)"}],
            "meta": {"tag": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HTEST"}]},
        },
        {
            "resourceType": "Condition",
            "id": f"{pid}-cno",
            "subject": subject,
            "code": _code("http://hl7.org/fhir/sid/icd-10", "M86.3"),
            "onsetDateTime": onset.isoformat(),
            "recordedDate": (onset + timedelta(days=900)).isoformat(),
            "bodySite": [_code(CNOPAD, "site-sternum"), _code(CNOPAD, "site-clavicle")],
        },
        {
            "resourceType": "CareTeam",
            "id": f"{pid}-team",
            "subject": subject,
            "participant": [
                {
                    "id": f"{pid}-gp",
                    "role": [_code(CNOPAD, "role-gp")],
                    "member": {
                        "display": "Huisarts (synthetisch)",
                        "identifier": {
                            "system": "http://fhir.nl/fhir/NamingSystem/agb-z",
                            "value": f"01{index % 50:06d}",
                        },
                    },
                }
            ],
        },
        {
            "resourceType": "MedicationRequest",
            "id": f"{pid}-pam",
            "status": "active",
            "intent": "order",
            "subject": subject,
            "medicationCodeableConcept": _code("http://www.whocc.no/atc", "M05BA03"),
            "dosageInstruction": [
                {"timing": {"repeat": {"boundsPeriod": {"start": "2020-01-06"}, "period": 3, "periodUnit": "mo"}}}
            ],
        },
    ]
    n = 0
    while len(out) < resources:
        n += 1
        day = date(2020, 1, 1) + timedelta(days=rng.randint(0, 2000))
        kind = rng.random()
        if kind < 0.35:
            out.append(
                {
                    "resourceType": "Observation",
                    "id": f"{pid}-o{n}",
                    "status": "final",
                    "subject": subject,
                    "code": _code("http://loinc.org", "72514-3"),
                    "effectiveDateTime": day.isoformat(),
                    "valueInteger": rng.randint(0, 10),
                }
            )
        elif kind < 0.6:
            out.append(
                {
                    "resourceType": "Observation",
                    "id": f"{pid}-o{n}",
                    "status": "final",
                    "subject": subject,
                    "code": _code("http://loinc.org", rng.choice(["1988-5", "4537-7", "6768-6", "14682-9"])),
                    "effectiveDateTime": day.isoformat(),
                    "valueQuantity": {"value": round(rng.uniform(0.5, 90), 1), "unit": "mg/L"},
                }
            )
        elif kind < 0.85:
            out.append(
                {
                    "resourceType": "MedicationAdministration",
                    "id": f"{pid}-a{n}",
                    "status": "completed",
                    "subject": subject,
                    "medicationCodeableConcept": _code("http://www.whocc.no/atc", "M05BA03"),
                    "effectiveDateTime": day.isoformat(),
                }
            )
        elif kind < 0.93:
            out.append(
                {
                    "resourceType": "Encounter",
                    "id": f"{pid}-e{n}",
                    "status": "finished",
                    "subject": subject,
                    "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
                    "type": [_code(CNOPAD, rng.choice(["gp_contact", "specialist_contact"]))],
                    "period": {"start": day.isoformat()},
                }
            )
        else:
            out.append(
                {
                    "resourceType": "Procedure",
                    "id": f"{pid}-p{n}",
                    "status": "completed",
                    "subject": subject,
                    "code": _code(CNOPAD, rng.choice(["dental_check", "physiotherapy"])),
                    "performedDateTime": day.isoformat(),
                }
            )
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in out]}
