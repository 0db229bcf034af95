"""REST routes for one patient over ASGI: record, assessment, tasks, information, the FHIR care plan and
recording entries — with roles enforced and every error a problem naming the field."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cnopad.api import create_app
from cnopad.bootstrap import Container
from cnopad.domain.access import Role
from cnopad.fhir.parse import validate_bundle
from cnopad.services.demo import load_demo
from cnopad.services.users import add_user
from conftest import TODAY  # type: ignore[import-not-found]

AGB = "http://fhir.nl/fhir/NamingSystem/agb-z"
OVERDUE = "demo-adult-pamidronate-overdue"


@pytest.fixture
def demo(container: Container) -> Container:
    load_demo(
        lambda: container.unit(container.operator()),
        valuesets=container.knowledge.valuesets,
        today=TODAY,
    )
    return container


@pytest.fixture
def http(demo: Container) -> Iterator[TestClient]:
    with TestClient(create_app(demo)) as client:
        yield client


def _auth(container: Container, name: str, role: Role, agb: str | None = None) -> dict[str, str]:
    with container.unit(container.operator()) as uow:
        _, token = add_user(uow, name, role, practitioner=(AGB, agb) if agb else None)
    return {"Authorization": f"Bearer {token}"}


def test_the_demo_gp_sees_the_overdue_pamidronate_course_of_their_patient(http: TestClient, demo: Container) -> None:
    gp = _auth(demo, "gp", Role.GP, "01999001")
    tasks = http.get(f"/api/patients/{OVERDUE}/tasks", headers=gp)
    overdue = [t for t in tasks.json() if t["status"] == "overdue"]
    assert tasks.status_code == 200
    assert any("NHG-PAMIDRONATE-1" in t["statements"] for t in overdue)


def test_an_assessment_is_the_same_card_set_in_dutch_and_english(http: TestClient, demo: Container) -> None:
    centre = _auth(demo, "lumc", Role.EXPERTISE_CENTRE)
    nl = http.get(f"/api/patients/{OVERDUE}/assessment", headers=centre).json()
    en = http.get(f"/api/patients/{OVERDUE}/assessment", params={"lang": "en"}, headers=centre).json()
    assert [c["uuid"] for c in nl["cards"]] == [c["uuid"] for c in en["cards"]]
    assert nl["lang"] == "nl" and en["lang"] == "en"
    assert all(c["statements"] for c in nl["cards"])


def test_a_gp_cannot_read_a_patient_outside_their_care_team_and_it_is_audited(
    http: TestClient, demo: Container
) -> None:
    stranger = _auth(demo, "other-gp", Role.GP, "01000042")
    response = http.get(f"/api/patients/{OVERDUE}", headers=stranger)
    with demo.unit(demo.operator()) as uow:
        refused = [e for e in uow.audit.events(patient_id=OVERDUE) if e.action == "refused"]
    assert response.status_code == 403
    assert refused and refused[0].user == "other-gp" and refused[0].channel == "api"


def test_a_researcher_reads_no_identified_record(http: TestClient, demo: Container) -> None:
    researcher = _auth(demo, "res", Role.RESEARCHER)
    for path in ("", "/assessment", "/tasks", "/information", "/careplan"):
        assert http.get(f"/api/patients/{OVERDUE}{path}", headers=researcher).status_code == 403


def test_the_care_plan_export_is_a_valid_fhir_bundle_citing_statements(http: TestClient, demo: Container) -> None:
    centre = _auth(demo, "lumc", Role.EXPERTISE_CENTRE)
    bundle = http.get(f"/api/patients/{OVERDUE}/careplan", headers=centre).json()
    validate_bundle(json.loads(json.dumps(bundle)))
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    plan = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan")
    statuses = {a["detail"]["status"] for a in plan["activity"]}
    cited = {x["valueString"] for a in plan["activity"] for x in a["detail"]["extension"]}
    assert kinds[0] == "Patient" and "CarePlan" in kinds
    assert "not-started" in statuses  # the overdue course
    assert "NHG-PAMIDRONATE-1" in cited


def test_the_care_plan_holds_a_detected_issue_for_each_safety_finding(http: TestClient, demo: Container) -> None:
    centre = _auth(demo, "lumc", Role.EXPERTISE_CENTRE)
    bundle = http.get("/api/patients/demo-adult-tos/careplan", headers=centre).json()
    issues = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "DetectedIssue"]
    assert issues
    assert any(x["valueString"] == "NHG-COMPLICATION-TOS-1" for i in issues for x in i["extension"])
    assert all(i["severity"] in ("high", "moderate", "low") for i in issues)


def test_recording_a_pain_score_stores_it_and_a_bad_one_names_the_field(http: TestClient, demo: Container) -> None:
    gp = _auth(demo, "gp", Role.GP, "01999001")
    good = http.post(f"/api/patients/{OVERDUE}/entries/pain", json={"score": 4, "date": "2026-11-20"}, headers=gp)
    too_high = http.post(f"/api/patients/{OVERDUE}/entries/pain", json={"score": 11, "date": "2026-11-20"}, headers=gp)
    future = http.post(f"/api/patients/{OVERDUE}/entries/pain", json={"score": 3, "date": "2027-01-01"}, headers=gp)
    unknown = http.post(
        f"/api/patients/{OVERDUE}/entries/pain", json={"score": 3, "date": "2026-11-20", "x": 1}, headers=gp
    )
    record = http.get(f"/api/patients/{OVERDUE}", headers=gp).json()
    assert good.status_code == 201
    assert too_high.status_code == 422 and too_high.json()["errors"][0]["location"] == "score"
    assert future.status_code == 422 and future.json()["errors"][0]["location"] == "date"
    assert unknown.status_code == 422
    scores = [
        o for o in record["entries"]["observations"] if "pain_score" in o["concepts"] and o["effective"] == "2026-11-20"
    ]
    assert [o["value"] for o in scores] == [4]


def test_an_infusion_recorded_through_the_api_moves_the_course_task_to_done(http: TestClient, demo: Container) -> None:
    gp = _auth(demo, "gp", Role.GP, "01999001")
    record = http.get(f"/api/patients/{OVERDUE}", headers=gp).json()
    pamidronate = next(m["id"] for m in record["entries"]["medications"] if "pamidronate" in m["concepts"])
    before = [t for t in http.get(f"/api/patients/{OVERDUE}/tasks", headers=gp).json() if t["status"] == "overdue"]
    done = http.post(
        f"/api/patients/{OVERDUE}/entries/infusion",
        json={"medication": pamidronate, "given": "2026-11-20", "days": 3},
        headers=gp,
    )
    after = http.get(f"/api/patients/{OVERDUE}/tasks", headers=gp).json()
    assert done.status_code == 201, done.text
    assert any("NHG-PAMIDRONATE-1" in t["statements"] for t in before)
    assert not any("NHG-PAMIDRONATE-1" in t["statements"] and t["status"] == "overdue" for t in after)
