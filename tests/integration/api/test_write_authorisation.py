"""Write authorisation over the REST API (SQLite and PostgreSQL): an import or an entry reaches an existing
record only through its care team (or the expertise centre), never adds its author to a care team, and an
administrator opens and records nothing clinical. Refusals write nothing and are audited as ``refused``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cnopad.api import create_app
from cnopad.bootstrap import Container
from cnopad.domain.access import Role
from cnopad.services.demo import demo_bundle, manifest
from cnopad.services.records import import_bundle
from cnopad.services.users import add_user
from conftest import TODAY  # type: ignore[import-not-found]
from support.fhir import bundle, care_team, pain, patient
from support.record_state import last_event, record_state

AGB = "http://fhir.nl/fhir/NamingSystem/agb-z"
TNF = "demo-adult-tnf"
DEMO_GP = "01999001"
INTRUDER = "01000666"


@pytest.fixture
def tnf(container: Container) -> Container:
    """The database with the demo patient on a TNF-alpha inhibitor (the demo GP is in its care team)."""
    found = next(p for p in manifest()[1] if p.patient_id == TNF)
    with container.unit(container.operator()) as uow:
        import_bundle(uow, demo_bundle(found, today=TODAY), valuesets=container.knowledge.valuesets, today=TODAY)
    return container


@pytest.fixture
def http(tnf: Container) -> Iterator[TestClient]:
    with TestClient(create_app(tnf)) as client:
        yield client


def _auth(container: Container, name: str, role: Role, agb: str | None = None) -> dict[str, str]:
    with container.unit(container.operator()) as uow:
        _, token = add_user(uow, name, role, practitioner=(AGB, agb) if agb else None)
    return {"Authorization": f"Bearer {token}"}


def test_a_gp_outside_the_care_team_cannot_overwrite_a_patient_or_join_its_care_team_by_importing(
    http: TestClient, tnf: Container
) -> None:
    intruder = _auth(tnf, "intruder", Role.GP, INTRUDER)
    assert http.get(f"/api/patients/{TNF}", headers=intruder).status_code == 403
    before = record_state(tnf, TNF)
    takeover = bundle(
        patient(TNF, birth="1990-01-01", name="Overschreven"),
        care_team("careteam", ("gp", "Indringer", INTRUDER), pid=TNF),
    )

    response = http.post("/api/bundles", json=takeover, headers=intruder)

    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert record_state(tnf, TNF) == before
    assert http.get(f"/api/patients/{TNF}", headers=intruder).status_code == 403
    refused = last_event(tnf, "intruder")
    assert (refused.action, refused.patient_id) == ("refused", TNF)


def test_the_rightful_gp_stays_in_the_care_team_after_a_refused_takeover(http: TestClient, tnf: Container) -> None:
    intruder = _auth(tnf, "intruder", Role.GP, INTRUDER)
    rightful = _auth(tnf, "huisarts", Role.GP, DEMO_GP)
    # participant careteam-1 is the demo GP: the takeover replaces that entry with the intruder
    takeover = care_team("careteam", ("dentist", "Tandarts", None), ("gp", "Indringer", INTRUDER), pid=TNF)
    assert http.post("/api/bundles", json=bundle(patient(TNF), takeover), headers=intruder).status_code == 403
    assert http.get(f"/api/patients/{TNF}", headers=rightful).status_code == 200


def test_a_gp_outside_the_care_team_cannot_record_a_pain_score(http: TestClient, tnf: Container) -> None:
    intruder = _auth(tnf, "intruder", Role.GP, INTRUDER)
    before = record_state(tnf, TNF)
    response = http.post(
        f"/api/patients/{TNF}/entries/pain", json={"date": TODAY.isoformat(), "score": 3}, headers=intruder
    )
    assert response.status_code == 403
    assert record_state(tnf, TNF) == before
    assert last_event(tnf, "intruder").action == "refused"


def test_a_care_team_member_still_imports_and_records(http: TestClient, tnf: Container) -> None:
    rightful = _auth(tnf, "huisarts", Role.GP, DEMO_GP)
    imported = http.post(
        "/api/bundles", json=bundle(patient(TNF), pain("pain-x", 4, "2026-11-01", pid=TNF)), headers=rightful
    )
    recorded = http.post(
        f"/api/patients/{TNF}/entries/pain", json={"date": TODAY.isoformat(), "score": 3}, headers=rightful
    )
    assert imported.status_code == 200, imported.text
    assert recorded.status_code == 201, recorded.text


@pytest.mark.parametrize("path", ["", "/assessment", "/tasks", "/information", "/careplan", "/fhir"])
def test_an_administrator_opens_no_record(http: TestClient, tnf: Container, path: str) -> None:
    admin = _auth(tnf, "beheer", Role.ADMIN)
    response = http.get(f"/api/patients/{TNF}{path}", headers=admin)
    assert response.status_code == 403
    assert "administrator" in response.json()["detail"]
    assert (last_event(tnf, "beheer").action, last_event(tnf, "beheer").patient_id) == ("refused", TNF)


def test_an_administrator_lists_no_patients(http: TestClient, tnf: Container) -> None:
    admin = _auth(tnf, "beheer", Role.ADMIN)
    assert http.get("/api/patients", headers=admin).status_code == 403
    assert last_event(tnf, "beheer").action == "refused"


def test_an_administrator_cannot_record_a_pain_score_or_import(http: TestClient, tnf: Container) -> None:
    admin = _auth(tnf, "beheer", Role.ADMIN)
    before = record_state(tnf, TNF)
    scored = http.post(f"/api/patients/{TNF}/entries/pain", json={"date": TODAY.isoformat(), "score": 3}, headers=admin)
    imported = http.post(
        "/api/bundles", json=bundle(patient(TNF), pain("pain-y", 2, "2026-11-01", pid=TNF)), headers=admin
    )
    assert (scored.status_code, imported.status_code) == (403, 403)
    assert record_state(tnf, TNF) == before
    assert last_event(tnf, "beheer").action == "refused"
