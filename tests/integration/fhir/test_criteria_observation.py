"""The criteria score Observation (docs/fhir-profile.md 4.22): Jansson 2009 ships with unverified points, so it is
exported without a score (dataAbsentReason not-performed, preliminary) but with every item; with its weights marked
verified (a test copy, the points mechanism) the same record gives the range. Validated with fhir.resources."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation as FhirObservation

from cnopad.domain import (
    Bone,
    Concept,
    ImagingResult,
    PatientRecord,
    Side,
    Site,
)
from cnopad.engine.criteria import evaluate_criteria
from cnopad.fhir.criteria import WEIGHTS_VERIFIED_URL, criteria_bundle
from cnopad.knowledge import KnowledgeBase
from conftest import ROOT
from support.criteria import suspected_crmo_child, with_verified_weights

AS_OF = date(2026, 11, 29)
ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"


def _numbers(value: object) -> list[int | float]:
    """Every JSON number in a resource (booleans are not numbers here)."""
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return [value] if isinstance(value, int | float) and not isinstance(value, bool) else []


def _record(kb: KnowledgeBase) -> PatientRecord:
    """A child with symmetric clavicle lesions on whole-body MRI, fever recorded absent and CRP 12 mg/L."""
    left, right = Site(Bone.CLAVICLE, Side.LEFT), Site(Bone.CLAVICLE, Side.RIGHT)
    study = ImagingResult(
        "wbmri",
        (kb.valuesets.coding_for(Concept.WHOLE_BODY_MRI),),
        frozenset({Concept.WHOLE_BODY_MRI, Concept.MRI, Concept.IMAGING}),
        performed=date(2026, 9, 1),
        sites=(left, right),
        study_id="study-1",
    )
    return suspected_crmo_child(kb, "synthetic-fhir-criteria", sites=(left, right), more=[study])


def _observation(kb: KnowledgeBase, record: PatientRecord, lang: str = "en") -> dict[str, Any]:
    bundle = criteria_bundle(record, evaluate_criteria(record, AS_OF, lang=lang, kb=kb))
    Bundle.model_validate(bundle)
    [entry] = bundle["entry"]  # one points instrument: Jansson, scored or not
    observation: dict[str, Any] = entry["resource"]
    FhirObservation.model_validate(observation)
    return observation


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_jansson_with_unverified_points_is_exported_without_a_score_but_with_every_item(
    kb: KnowledgeBase, lang: str
) -> None:
    record = _record(kb)
    observation = _observation(kb, record, lang)
    assert observation["code"]["coding"][0]["code"] == "jansson-2009"
    assert observation["status"] == "preliminary"
    assert not [key for key in observation if key.startswith("value")]
    assert observation["dataAbsentReason"]["coding"] == [
        {"system": ABSENT, "code": "not-performed", "display": "Not Performed"}
    ]
    assert {"url": WEIGHTS_VERIFIED_URL, "valueBoolean": False} in observation["extension"]
    note = observation["note"][0]["text"]
    assert note.startswith("Score not computed: the weights are not verified.")
    items = {c["code"]["coding"][0]["code"]: c for c in observation["component"]}
    assert len(items) == 7
    assert items["jansson-2009.symmetric-lesions"]["valueBoolean"] is True
    assert items["jansson-2009.crp-at-least-1-mg-dl"]["valueBoolean"] is True
    assert items["jansson-2009.normal-blood-count"]["dataAbsentReason"]["coding"][0]["code"] == "unknown"
    assert {"reference": "Observation/crp"} in observation["derivedFrom"]
    assert {"reference": "ImagingStudy/study-1"} in observation["derivedFrom"]
    assert _numbers(observation) == []  # no score, no item points: no number at all in the resource


def test_near_miss_jansson_with_its_weights_marked_verified_is_exported_as_the_range(kb: KnowledgeBase) -> None:
    record = _record(kb)
    observation = _observation(with_verified_weights(kb, "jansson-2009"), record)
    assert observation["valueRange"] == {"low": {"value": 40}, "high": {"value": 63}}
    assert _numbers(observation) == [40, 63]
    assert observation["status"] == "preliminary"
    assert "dataAbsentReason" not in observation
    assert {"url": WEIGHTS_VERIFIED_URL, "valueBoolean": True} in observation["extension"]
    assert not observation["note"][0]["text"].startswith("Score not computed")
    shipped = _observation(kb, record)
    assert shipped["component"] == observation["component"]  # the items are the same either way


def test_the_profile_example_is_a_valid_not_computed_score_observation() -> None:
    text = (ROOT / "docs" / "fhir-profile.md").read_text(encoding="utf-8")
    section = text[text.index("### 4.22 Criteria scores") :]
    [block] = re.findall(r"^```json export-only\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)[:1]
    example = json.loads(block)
    FhirObservation.model_validate(example)
    assert example["status"] == "preliminary"
    assert not [key for key in example if key.startswith("value")]
    assert example["dataAbsentReason"]["coding"][0] == {
        "system": ABSENT,
        "code": "not-performed",
        "display": "Not Performed",
    }
    assert {"url": WEIGHTS_VERIFIED_URL, "valueBoolean": False} in example["extension"]
