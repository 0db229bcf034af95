"""References resolve the FHIR way over every resource of a request: fullUrl, urn:uuid, absolute URLs by their
Type/id, relative Type/id (also against an entry's fullUrl), contained resources; and locations stay those of
the request."""

from __future__ import annotations

from typing import Any

import pytest

from cnopad.fhir import Located, ReferenceIndex, read_bundle
from cnopad.knowledge.valuesets import ValueSetIndex
from conftest import TODAY
from support.fhir import ATC, CNOPAD, bundle, code, condition, medication_request, patient

MED = {"resourceType": "Medication", "id": "med-1", "code": code(ATC, "M01AE02")}


def _index(*items: tuple[dict[str, Any], str | None]) -> ReferenceIndex:
    return ReferenceIndex(Located(r, f"Bundle.entry[{i}].resource", url) for i, (r, url) in enumerate(items))


@pytest.mark.parametrize(
    ("full_url", "reference"),
    [
        ("urn:uuid:4f6a3b2c-1d0e-4f5a-8b9c-0d1e2f3a4b5c", "urn:uuid:4f6a3b2c-1d0e-4f5a-8b9c-0d1e2f3a4b5c"),
        ("https://ehr.example.org/fhir/Medication/med-1", "https://ehr.example.org/fhir/Medication/med-1"),
        (None, "Medication/med-1"),
        (None, "https://another.example.org/fhir/Medication/med-1"),
        (None, "Medication/med-1/_history/3"),
        ("https://ehr.example.org/fhir/Medication/other-id", "Medication/other-id"),
    ],
)
def test_a_reference_finds_its_target_by_full_url_by_type_and_id_or_by_the_tail_of_a_url(
    full_url: str | None, reference: str
) -> None:
    index = _index(({"resourceType": "Patient", "id": "p1"}, None), (MED, full_url))

    found = index.find(reference)

    assert found is not None and found.resource is MED and found.location == "Bundle.entry[1].resource"


def test_a_urn_uuid_without_a_matching_full_url_finds_the_one_resource_with_that_id() -> None:
    uid = "4f6a3b2c-1d0e-4f5a-8b9c-0d1e2f3a4b5c"
    alone = _index(({"resourceType": "Patient", "id": uid}, None))
    twice = _index(({"resourceType": "Patient", "id": uid}, None), ({**MED, "id": uid}, None))

    assert alone.find(f"urn:uuid:{uid}") is not None
    assert twice.find(f"urn:uuid:{uid}") is None, "two resources with that id: the reference stays unresolved"
    assert alone.find("urn:uuid:0000") is None


def test_a_contained_reference_resolves_inside_the_referring_resource_only() -> None:
    request = {"resourceType": "MedicationRequest", "id": "r1", "contained": [{**MED, "id": "m"}]}
    index = _index((request, None))
    within = Located(request, "prefetch.medicationRequests.entry[0].resource")

    found = index.find("#m", within=within)

    assert found is not None and found.location == "prefetch.medicationRequests.entry[0].resource.contained[0]"
    assert index.find("#m") is None


def test_a_bundle_with_urn_uuid_references_reads_like_one_with_relative_references(valuesets: ValueSetIndex) -> None:
    relative = bundle(
        patient("p1"),
        condition("c1", CNOPAD, "cno_scch", onset="2024-01-01"),
        medication_request("m1", "M01AE02", start="2024-02-01"),
    )
    uuids = {"Patient/p1": "urn:uuid:9a6b5c4d-0000-4000-8000-000000000001"}
    with_urns = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"fullUrl": uuids["Patient/p1"], "resource": relative["entry"][0]["resource"]},
            *(
                {"resource": {**e["resource"], "subject": {"reference": uuids["Patient/p1"]}}}
                for e in relative["entry"][1:]
            ),
        ],
    }

    first = read_bundle(relative, valuesets=valuesets, today=TODAY)
    second = read_bundle(with_urns, valuesets=valuesets, today=TODAY)

    assert second.record == first.record and second.unrecognized == ()


def test_a_medication_reference_to_a_contained_medication_is_read_and_its_code_located_there(
    valuesets: ValueSetIndex,
) -> None:
    request = medication_request("m1", "M01AE02", start="2024-02-01")
    del request["medicationCodeableConcept"]
    request["contained"] = [{"resourceType": "Medication", "id": "x", "code": code("http://example.org/drugs", "N1")}]
    request["medicationReference"] = {"reference": "#x"}

    result = read_bundle(bundle(patient("p1"), request), valuesets=valuesets, today=TODAY)

    [item] = result.unrecognized
    assert item.location == "Bundle.entry[1].resource.contained[0].code.coding[0]"
    assert item.set_aside and item.reason.value == "unknown-code-system"
    assert result.record.size() == 0
