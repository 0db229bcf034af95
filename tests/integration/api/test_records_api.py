"""The REST API for records over real HTTP (ASGI): tokens, roles, problem details, size limit."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from cnopad.api import create_app
from cnopad.bootstrap import Container
from cnopad.domain.access import Role
from cnopad.services.users import add_user
from support.fhir import bundle, care_team, pain, patient


@pytest.fixture
def client(container: Container) -> Iterator[httpx.Client]:
    with TestClient(create_app(container)) as c:
        yield c


def _token(container: Container, name: str, role: Role, practitioner: tuple[str, str] | None = None) -> dict[str, str]:
    with container.unit(container.operator()) as uow:
        _, token = add_user(uow, name, role, practitioner=practitioner)
    return {"Authorization": f"Bearer {token}"}


def test_requests_without_a_valid_token_get_401_problem_details(client: httpx.Client) -> None:
    missing = client.get("/api/patients")
    wrong = client.get("/api/patients", headers={"Authorization": "Bearer cnp_not-a-token"})
    assert missing.status_code == wrong.status_code == 401
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["status"] == 401


def test_the_expertise_centre_imports_and_lists_and_exports(client: httpx.Client, container: Container) -> None:
    auth = _token(container, "lumc", Role.EXPERTISE_CENTRE)
    imported = client.post("/api/bundles", json=bundle(patient("p1"), pain("o1", 4, "2024-01-01")), headers=auth)
    listed = client.get("/api/patients", headers=auth)
    exported = client.get("/api/patients/p1/fhir", headers=auth)
    assert imported.status_code == 200 and imported.json()["created"] == 2
    assert [p["id"] for p in listed.json()] == ["p1"]
    assert exported.json()["resourceType"] == "Bundle"


def test_a_bad_bundle_gets_422_naming_the_field_and_nothing_is_stored(
    client: httpx.Client, container: Container
) -> None:
    auth = _token(container, "lumc", Role.EXPERTISE_CENTRE)
    response = client.post("/api/bundles", json=bundle(patient("p1"), pain("o1", 11, "2024-01-01")), headers=auth)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"location": "Bundle.entry[1].resource.valueInteger", "reason": "pain score 11 is outside the 0-10 scale"}
    ]
    assert client.get("/api/patients", headers=auth).json() == []


def test_a_gp_cannot_export_a_patient_outside_their_care_team(client: httpx.Client, container: Container) -> None:
    centre = _token(container, "lumc", Role.EXPERTISE_CENTRE)
    gp = _token(container, "gp", Role.GP, ("http://fhir.nl/fhir/NamingSystem/agb-z", "01000001"))
    client.post(
        "/api/bundles",
        json=bundle(patient("mine"), care_team("ct", ("gp", "Huisarts", "01000001"), pid="mine")),
        headers=centre,
    )
    client.post("/api/bundles", json=bundle(patient("other", name="Ander")), headers=centre)
    assert client.get("/api/patients/mine/fhir", headers=gp).status_code == 200
    refused = client.get("/api/patients/other/fhir", headers=gp)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "you are not in this patient's care team"


def test_a_researcher_reads_no_identified_record(client: httpx.Client, container: Container) -> None:
    centre = _token(container, "lumc", Role.EXPERTISE_CENTRE)
    researcher = _token(container, "res", Role.RESEARCHER)
    client.post("/api/bundles", json=bundle(patient("p1")), headers=centre)
    assert client.get("/api/patients", headers=researcher).json() == []
    assert client.get("/api/patients/p1/fhir", headers=researcher).status_code == 403


def test_a_body_over_the_size_limit_is_refused_with_413(client: httpx.Client, container: Container) -> None:
    auth = _token(container, "lumc", Role.EXPERTISE_CENTRE)
    huge = (
        b'{"resourceType":"Bundle","type":"collection","entry":['
        + b" " * (container.settings.max_body_bytes + 10)
        + b"]}"
    )
    response = client.post("/api/bundles", content=huge, headers={**auth, "content-type": "application/json"})
    assert response.status_code == 413


def test_an_import_lists_what_it_did_not_understand_and_stores_the_rest(container: Container) -> None:
    """On SQLite and PostgreSQL: another patient's resource and a code only in an unknown system are set aside."""
    stranger = {**pain("o9", 9, "2024-01-02"), "subject": {"reference": "Patient/someone-else"}}
    local = {**pain("o8", 3, "2024-01-03"), "code": {"coding": [{"system": "http://lab.example.org", "code": "PIJN"}]}}
    content = bundle(patient("p1"), pain("o1", 4, "2024-01-01"), stranger, local)
    with TestClient(create_app(container)) as client:
        auth = _token(container, "lumc", Role.EXPERTISE_CENTRE)
        imported = client.post("/api/bundles", json=content, headers=auth)
        exported = client.get("/api/patients/p1/fhir", headers=auth)

    assert imported.status_code == 200, imported.text
    body = imported.json()
    assert body["created"] == 2, "the Patient and the one pain score that could be read"
    assert [(u["location"], u["reason"], u["set_aside"]) for u in body["unrecognized"]] == [
        ("Bundle.entry[2].resource.subject.reference", "other-patient", True),
        ("Bundle.entry[3].resource.code.coding[0]", "unknown-code-system", True),
    ]
    assert body["unrecognized"][1]["code"] == "PIJN"
    ids = {e["resource"]["id"] for e in exported.json()["entry"]}
    assert "o1" in ids and not {"o8", "o9"} & ids
