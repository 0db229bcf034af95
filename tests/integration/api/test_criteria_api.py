"""GET /api/patients/{id}/criteria (listCriteria) over ASGI on both databases: the panel for a suspected adult with
the "no validated criteria" notice and Jansson not computed (its points are not verified), a suspected child, the
FHIR score Observation without a score, and access refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation

from cnopad.api import create_app
from cnopad.bootstrap import Container
from cnopad.domain.access import Role
from cnopad.fhir.criteria import WEIGHTS_VERIFIED_URL
from cnopad.services.demo import load_demo
from cnopad.services.users import add_user
from conftest import TODAY  # type: ignore[import-not-found]

AGB = "http://fhir.nl/fhir/NamingSystem/agb-z"
ADULT = "demo-adult-suspected"
CHILD = "demo-child-unifocal"


@pytest.fixture
def demo(container: Container) -> Container:
    load_demo(lambda: container.unit(container.operator()), valuesets=container.knowledge.valuesets, today=TODAY)
    return container


@pytest.fixture
def http(demo: Container) -> Iterator[TestClient]:
    with TestClient(create_app(demo)) as client:
        yield client


def _auth(container: Container, name: str, role: Role, agb: str | None = None) -> dict[str, str]:
    with container.unit(container.operator()) as uow:
        _, token = add_user(uow, name, role, practitioner=(AGB, agb) if agb else None)
    return {"Authorization": f"Bearer {token}"}


def test_a_suspected_adult_gets_the_no_validated_criteria_notice_and_jansson_not_computed(
    http: TestClient, demo: Container
) -> None:
    centre = _auth(demo, "lumc", Role.EXPERTISE_CENTRE)
    response = http.get(f"/api/patients/{ADULT}/criteria", params={"lang": "en"}, headers=centre)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["age_group"] == "adult" and data["diagnosis"] == "suspected"
    assert data["notice"]["statements"] == ["NHG-DX-DELAY-1"]
    jansson = next(i for i in data["instruments"] if i["id"] == "jansson-2009")
    assert jansson["weights_verified"] is False
    assert jansson["status"] == "not_computed" and jansson["status_reason"] == "weights_not_verified"
    assert jansson["status_label"] == "score not computed: weights not verified"
    assert jansson["score"] is None and jansson["open_items"] == []
    assert [i["points"] for i in jansson["items"]] == [None] * 7  # the unverified points appear nowhere
    states = {i["id"]: i["state"] for i in jansson["items"]}
    assert states["vertebral-clavicular-sternal"] == "present"  # the items are still decided
    assert states["normal-blood-count"] == "unknown"
    assert {s["id"] for s in data["diagnostic_path"]} >= {
        "specialist",
        "labs",
        "expertise-centre",
        "patient-association",
    }


def test_a_child_with_a_single_lesion_gets_the_biopsy_step_as_needed(http: TestClient, demo: Container) -> None:
    centre = _auth(demo, "lumc", Role.EXPERTISE_CENTRE)
    data = http.get(f"/api/patients/{CHILD}/criteria", headers=centre).json()
    assert data["notice"] is None
    biopsy = next(s for s in data["diagnostic_path"] if s["id"] == "biopsy")
    assert biopsy["state"] == "needed" and biopsy["suggestions"]


def test_the_fhir_format_is_a_bundle_of_valid_score_observations(http: TestClient, demo: Container) -> None:
    centre = _auth(demo, "lumc", Role.EXPERTISE_CENTRE)
    bundle = http.get(f"/api/patients/{ADULT}/criteria", params={"format": "fhir"}, headers=centre).json()
    Bundle.model_validate(bundle)
    [entry] = bundle["entry"]
    observation = entry["resource"]
    Observation.model_validate(observation)
    assert observation["code"]["coding"][0]["code"] == "jansson-2009"
    assert observation["status"] == "preliminary"
    assert not [key for key in observation if key.startswith("value")]  # the score is not computed
    assert observation["dataAbsentReason"]["coding"][0]["code"] == "not-performed"
    assert observation["note"][0]["text"].startswith("Score not computed: the weights are not verified.")
    assert {"url": WEIGHTS_VERIFIED_URL, "valueBoolean": False} in observation["extension"]
    assert len(observation["component"]) == 7
    assert any(c.get("dataAbsentReason") for c in observation["component"])
    assert any(c.get("valueBoolean") is True for c in observation["component"])
    assert any(r["reference"].startswith("Observation/") for r in observation["derivedFrom"])


def test_a_researcher_and_a_gp_outside_the_care_team_are_refused(http: TestClient, demo: Container) -> None:
    researcher = _auth(demo, "res", Role.RESEARCHER)
    stranger = _auth(demo, "other-gp", Role.GP, "01000042")
    assert http.get(f"/api/patients/{ADULT}/criteria", headers=researcher).status_code == 403
    assert http.get(f"/api/patients/{ADULT}/criteria", headers=stranger).status_code == 403
