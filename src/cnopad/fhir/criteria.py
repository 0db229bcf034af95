"""Criteria scores as FHIR R4 Observations (issue 13; docs/fhir-profile.md, "Criteria scores").

One Observation per points instrument (Jansson 2009) that applies to the patient. With verified weights: the
score as ``valueInteger`` when every item is known, else as ``valueRange`` (low = what is certain, high = what is
still possible) with status ``preliminary``. With unverified weights the score is not computed: no value[x] but
``dataAbsentReason`` ``not-performed``, status ``preliminary``, and a note saying why. Always one
component per item (``valueBoolean`` present/absent, or ``dataAbsentReason`` unknown); ``derivedFrom`` the
Observations and ImagingStudies the items rest on (the FHIR R4 types that element allows); the other entries
(conditions, biopsies, reports) in the ``criteria-evidence`` extension; the instrument, its citation and whether
its weights were verified in a note and an extension. No LOINC or SNOMED code is known to cnopad for these scores;
the code is cnopad's own (``https://fhir.cnopad.nl/CodeSystem/criteria``).
"""

from __future__ import annotations

from typing import Any

from cnopad.domain import PatientRecord
from cnopad.engine.criteria import CriteriaReport, InstrumentResult, State, Status
from cnopad.fhir.writer import FULL_URL_BASE

JsonObject = dict[str, Any]

CRITERIA_SYSTEM = "https://fhir.cnopad.nl/CodeSystem/criteria"
EVIDENCE_URL = "https://fhir.cnopad.nl/StructureDefinition/criteria-evidence"
WEIGHTS_VERIFIED_URL = "https://fhir.cnopad.nl/StructureDefinition/criteria-weights-verified"
_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"


def _references(record: PatientRecord, evidence: list[str]) -> tuple[list[JsonObject], list[JsonObject]]:
    """(derivedFrom, other evidence) references for the entry ids an instrument's items rest on."""
    observations = {o.id for o in record.observations}
    studies = {i.id: i for i in record.imaging}
    kinds = {c.id: "Condition" for c in record.conditions} | {b.id: "Procedure" for b in record.biopsies}
    derived: list[JsonObject] = []
    other: list[JsonObject] = []
    for entry in dict.fromkeys(evidence):
        if entry in observations:
            derived.append({"reference": f"Observation/{entry}"})
        elif entry in studies:
            study = studies[entry]
            if study.study_id is not None:
                derived.append({"reference": f"ImagingStudy/{study.study_id}"})
            else:
                other.append(
                    {
                        "url": EVIDENCE_URL,
                        "valueReference": {"reference": f"DiagnosticReport/{study.report_id or entry}"},
                    }
                )
        elif entry in kinds:
            other.append({"url": EVIDENCE_URL, "valueReference": {"reference": f"{kinds[entry]}/{entry}"}})
    return derived, other


def is_exported(result: InstrumentResult) -> bool:
    """A points instrument (the only kind with a maximum score) that applies to the patient: scored, or not
    computed because its weights are not verified (never one not for the patient's age group)."""
    return result.max_points is not None and result.status is not Status.NOT_APPLICABLE


def score_observation(record: PatientRecord, report: CriteriaReport, result: InstrumentResult) -> JsonObject:
    """One points instrument as an Observation: the score or the range still possible, or, when the score is not
    computed (weights not verified), no value and why; always its items."""
    computed = result.score_min is not None
    exact = computed and result.score_min == result.score_max
    derived, other = _references(record, [e for item in result.items for e in item.evidence])
    components: list[JsonObject] = []
    for item in result.items:
        component: JsonObject = {
            "code": {"coding": [{"system": CRITERIA_SYSTEM, "code": f"{result.id}.{item.id}", "display": item.text}]}
        }
        if item.state is State.UNKNOWN:
            component["dataAbsentReason"] = {"coding": [{"system": _ABSENT_REASON, "code": "unknown"}]}
        else:
            component["valueBoolean"] = item.state is State.PRESENT
        components.append(component)
    verified = "verified" if result.weights_verified else "NOT verified"
    note = f"{result.citation} {result.interpretation} Weights {verified}: {result.weights_where}"
    if not computed:
        note = f"Score not computed: the weights are not verified. {note}"
    observation: JsonObject = {
        "resourceType": "Observation",
        "id": f"criteria-{result.id}-{report.patient_id}"[:64],
        "extension": [{"url": WEIGHTS_VERIFIED_URL, "valueBoolean": result.weights_verified}, *other],
        "status": "final" if exact else "preliminary",
        "category": [{"coding": [{"system": _CATEGORY, "code": "survey", "display": "Survey"}]}],
        "code": {
            "coding": [{"system": CRITERIA_SYSTEM, "code": result.id, "display": result.title}],
            "text": result.title,
        },
        "subject": {"reference": f"Patient/{report.patient_id}"},
        "effectiveDateTime": report.as_of.isoformat(),
        "note": [{"text": note}],
        "component": components,
    }
    if not computed:
        observation["dataAbsentReason"] = {
            "coding": [{"system": _ABSENT_REASON, "code": "not-performed", "display": "Not Performed"}],
            "text": "Score not computed: weights not verified",
        }
    elif exact:
        observation["valueInteger"] = result.score_min
    else:
        observation["valueRange"] = {"low": {"value": result.score_min}, "high": {"value": result.score_max}}
    if derived:
        observation["derivedFrom"] = derived
    return observation


def criteria_bundle(record: PatientRecord, report: CriteriaReport) -> JsonObject:
    """A FHIR R4 collection Bundle with one Observation per points instrument that applies (scored or not)."""
    observations = [score_observation(record, report, r) for r in report.instruments if is_exported(r)]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": f"{FULL_URL_BASE}/Observation/{o['id']}", "resource": o} for o in observations],
    }
