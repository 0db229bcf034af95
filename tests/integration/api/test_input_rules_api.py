"""Input rules at the edge of the REST API and CDS Hooks, on SQLite and PostgreSQL: implausible dates, invalid
Unicode, control characters, over-long text and wrong JSON types are refused with 422 naming the field (never a
500), a streamed body over the limit is 413, and a search for ``%`` or ``_`` finds those characters only."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cnopad.bootstrap import Container
from cnopad.domain.access import Role
from cnopad.services.cds import PREFETCH
from cnopad.services.users import add_user
from conftest import TODAY  # type: ignore[import-not-found]
from support.cds_client import SigningClient
from support.fhir import bundle, care_team, pain, patient

OVERDUE = "demo-adult-pamidronate-overdue"
PATIENT_VIEW = "/cds-services/cnopad-patient-view"


def _locations(response: Any) -> list[str]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return [e["location"] for e in response.json().get("errors", [])]


def _raw_post(demo_http: TestClient, path: str, text: str, headers: dict[str, str]) -> Any:
    """POST a JSON text as is (json= would refuse a lone surrogate before it reached the server)."""
    return demo_http.post(
        path, content=text.encode("utf-8", "surrogatepass"), headers={**headers, "content-type": "application/json"}
    )


def test_an_implausible_assessment_date_is_refused_naming_as_of(
    demo_http: TestClient, centre_auth: dict[str, str]
) -> None:
    for route in ("assessment", "tasks", "information", "careplan", "criteria"):
        for as_of in ("0001-01-01", "1899-12-31", "9999-12-31", "2100-01-01"):
            response = demo_http.get(f"/api/patients/{OVERDUE}/{route}", params={"as_of": as_of}, headers=centre_auth)
            assert response.status_code == 422, (route, as_of, response.text)
            assert _locations(response) == ["query.as_of"]


def test_an_assessment_date_within_the_horizon_is_answered(demo_http: TestClient, centre_auth: dict[str, str]) -> None:
    later = TODAY.replace(year=TODAY.year + 9).isoformat()
    assert (
        demo_http.get(f"/api/patients/{OVERDUE}/tasks", params={"as_of": later}, headers=centre_auth).status_code == 200
    )


def test_a_planned_referral_beyond_the_horizon_is_refused_and_nothing_is_stored(
    demo_http: TestClient, centre_auth: dict[str, str], demo_container: Container
) -> None:
    with demo_container.unit(demo_container.operator()) as uow:
        before = uow.records.get(OVERDUE, purpose="test").referrals
    body = {"target": "referral_dentist", "date": TODAY.isoformat(), "planned": "9999-12-31"}
    response = demo_http.post(f"/api/patients/{OVERDUE}/entries/referral", json=body, headers=centre_auth)
    assert response.status_code == 422, response.text
    assert _locations(response) == ["planned"]
    with demo_container.unit(demo_container.operator()) as uow:
        assert uow.records.get(OVERDUE, purpose="test").referrals == before


@pytest.mark.parametrize("bad", ["\\ud800", "\\udfff", "\\u0000", "\\u0007", "\\u001b[31m"])
def test_invalid_unicode_or_a_control_character_in_a_text_field_is_refused_naming_it(
    demo_http: TestClient, centre_auth: dict[str, str], bad: str
) -> None:
    text = f'{{"goal": "goal_less_pain", "description": "minder pijn {bad} graag", "date": "{TODAY.isoformat()}"}}'
    response = _raw_post(demo_http, f"/api/patients/{OVERDUE}/entries/goal", text, centre_auth)
    assert response.status_code == 422, response.text
    assert _locations(response) == ["description"]


def test_a_lone_surrogate_in_an_emergency_access_reason_is_refused(
    demo_http: TestClient, demo_container: Container
) -> None:
    with demo_container.unit(demo_container.operator()) as uow:
        _, token = add_user(
            uow, "outsider", Role.GP, practitioner=("http://fhir.nl/fhir/NamingSystem/agb-z", "01000042")
        )
    response = _raw_post(
        demo_http,
        f"/api/patients/{OVERDUE}/emergency-access",
        '{"reason": "bewusteloos op de SEH \\ud800"}',
        {"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422, response.text
    assert _locations(response) == ["reason"]


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"score": True, "date": TODAY.isoformat()}, "score"),
        ({"score": "3", "date": TODAY.isoformat()}, "score"),
        ({"score": 3.0, "date": TODAY.isoformat()}, "score"),
        ({"score": 3, "date": 0}, "date"),
        ({"score": 3, "date": 1_700_000_000}, "date"),
    ],
)
def test_a_value_of_the_wrong_json_type_is_refused_not_converted(
    demo_http: TestClient, centre_auth: dict[str, str], demo_container: Container, body: dict[str, Any], location: str
) -> None:
    response = demo_http.post(f"/api/patients/{OVERDUE}/entries/pain", json=body, headers=centre_auth)
    assert response.status_code == 422, response.text
    assert _locations(response) == [location]


def test_a_pain_score_as_a_json_number_and_a_date_as_a_json_string_are_recorded(
    demo_http: TestClient, centre_auth: dict[str, str]
) -> None:
    body = {"score": 4, "date": TODAY.isoformat()}
    assert demo_http.post(f"/api/patients/{OVERDUE}/entries/pain", json=body, headers=centre_auth).status_code == 201


def test_a_lab_value_may_be_a_json_number_with_decimals(demo_http: TestClient, centre_auth: dict[str, str]) -> None:
    body = {"test": "1988-5", "value": 3.5, "unit": "mg/L", "date": TODAY.isoformat()}
    assert demo_http.post(f"/api/patients/{OVERDUE}/entries/lab", json=body, headers=centre_auth).status_code == 201


def _import(demo_http: TestClient, headers: dict[str, str], data: dict[str, Any]) -> Any:
    return demo_http.post("/api/bundles", json=data, headers=headers)


def _record(**patient_fields: Any) -> dict[str, Any]:
    return bundle(patient("p-rules", **patient_fields), pain("o1", 3, "2024-05-01", pid="p-rules"), pid="p-rules")


@pytest.mark.parametrize("birth", ["0001-01-01", "1899-12-31"])
def test_an_import_with_an_implausible_birth_date_is_refused_naming_the_element(
    demo_http: TestClient, centre_auth: dict[str, str], birth: str
) -> None:
    response = _import(demo_http, centre_auth, _record(birth=birth))
    assert response.status_code == 422, response.text
    assert _locations(response) == ["Bundle.entry[0].resource.birthDate"]


def test_an_import_with_a_birth_date_in_the_future_is_refused(
    demo_http: TestClient, centre_auth: dict[str, str]
) -> None:
    response = _import(demo_http, centre_auth, _record(birth=TODAY.replace(year=TODAY.year + 1).isoformat()))
    assert response.status_code == 422, response.text
    assert _locations(response) == ["Bundle.entry[0].resource.birthDate"]


def test_an_import_with_a_megabyte_name_is_refused_and_nothing_is_stored(
    demo_http: TestClient, centre_auth: dict[str, str], demo_container: Container
) -> None:
    response = _import(demo_http, centre_auth, _record(name="A" * 1_000_000))
    assert response.status_code == 422, response.text
    assert _locations(response) == ["Bundle.entry[0].resource.name"]
    with demo_container.unit(demo_container.operator()) as uow:
        assert not uow.records.exists("p-rules")


def test_an_import_with_a_name_at_the_column_length_is_stored(
    demo_http: TestClient, centre_auth: dict[str, str]
) -> None:
    response = _import(demo_http, centre_auth, _record(name="A" * 200))
    assert response.status_code == 200, response.text


def test_an_import_with_a_lone_surrogate_names_the_element(demo_http: TestClient, centre_auth: dict[str, str]) -> None:
    text = json.dumps(_record(name="SURROGATE")).replace("SURROGATE", "Jan \\ud800")
    response = _raw_post(demo_http, "/api/bundles", text, centre_auth)
    assert response.status_code == 422, response.text
    assert _locations(response) == ["Bundle.entry[0].resource.name[0].text"]


def test_a_care_team_identifier_longer_than_its_column_is_refused(
    demo_http: TestClient, centre_auth: dict[str, str]
) -> None:
    data = bundle(
        patient("p-rules"), care_team("ct", ("gp", "Huisarts Synthetisch", "0" * 300), pid="p-rules"), pid="p-rules"
    )
    response = _import(demo_http, centre_auth, data)
    assert response.status_code == 422, response.text
    assert any(loc.endswith("identifier[0].value") or "identifier" in loc for loc in _locations(response))


def test_a_streamed_body_over_the_limit_is_413(
    demo_http: TestClient, centre_auth: dict[str, str], demo_container: Container
) -> None:
    limit = demo_container.settings.max_body_bytes

    def chunks() -> Iterator[bytes]:
        yield b'{"resourceType": "Bundle", "pad": "'
        for _ in range(limit // 1_000_000 + 2):
            yield b"x" * 1_000_000
        yield b'"}'

    response = demo_http.post(
        "/api/bundles", content=chunks(), headers={**centre_auth, "content-type": "application/json"}
    )
    assert response.status_code == 413, response.text
    assert response.json()["status"] == 413


@pytest.mark.parametrize("query", ["%", "_", "\\", "%%", "a_b"])
def test_a_search_with_a_like_wildcard_finds_only_that_character(
    demo_http: TestClient, centre_auth: dict[str, str], query: str
) -> None:
    response = demo_http.get("/api/patients", params={"q": query}, headers=centre_auth)
    assert response.status_code == 200, response.text
    assert response.json() == [], "no demo patient has a % or _ or \\ in its name or id"


def test_a_search_with_a_control_character_is_refused_naming_q(
    demo_http: TestClient, centre_auth: dict[str, str]
) -> None:
    response = demo_http.get("/api/patients", params={"q": "jan\x00"}, headers=centre_auth)
    assert response.status_code == 422, response.text
    assert _locations(response) == ["query.q"]


def _cds_call(user_id: str) -> str:
    record = bundle(patient("p1", birth="1979-05-04"), care_team("ct", ("gp", "Huisarts Synthetisch", "01999001")))
    body = {
        "hook": "patient-view",
        "hookInstance": "0f3a4f2e-1f0b-4d8e-9d2c-5a6b7c8d9e01",
        "context": {"userId": "USERID", "patientId": "p1"},
        "prefetch": {
            key: copy.deepcopy(record["entry"][0]["resource"]) if key == "patient" else None for key in PREFETCH
        },
    }
    return json.dumps(body).replace("USERID", user_id)


@pytest.mark.parametrize("user_id", ["Practitioner/\\ud800", "Practitioner/\\u0000x", "Practitioner/a\\u001bb"])
def test_a_cds_call_with_an_invalid_user_id_is_refused_naming_it(
    demo_http: TestClient, ehr: SigningClient, user_id: str
) -> None:
    response = _raw_post(demo_http, PATIENT_VIEW, _cds_call(user_id), ehr.auth(PATIENT_VIEW))
    assert response.status_code == 422, response.text
    assert _locations(response) == ["context.userId"]


def test_a_cds_call_with_an_implausible_birth_date_in_prefetch_is_refused_naming_it(
    demo_http: TestClient, ehr: SigningClient
) -> None:
    body = json.loads(_cds_call("Practitioner/huisarts"))
    body["prefetch"]["patient"]["birthDate"] = "0001-01-01"
    response = demo_http.post(PATIENT_VIEW, json=body, headers=ehr.auth(PATIENT_VIEW))
    assert response.status_code == 422, response.text
    assert any(loc.endswith("birthDate") for loc in _locations(response)), response.text


def test_a_cds_prefetch_patient_with_a_lone_surrogate_refuses_the_call_naming_it(
    demo_http: TestClient, ehr: SigningClient
) -> None:
    body = json.loads(_cds_call("Practitioner/huisarts"))
    body["prefetch"]["patient"]["name"] = [{"text": "SURROGATE"}]
    text = json.dumps(body).replace("SURROGATE", "Jan \\ud800")
    response = _raw_post(demo_http, PATIENT_VIEW, text, ehr.auth(PATIENT_VIEW))
    assert response.status_code == 422, response.text
    assert _locations(response) == ["prefetch.patient.name[0].text"]


def test_a_cds_prefetch_observation_with_a_control_character_is_set_aside_and_listed(
    demo_http: TestClient, ehr: SigningClient
) -> None:
    body = json.loads(_cds_call("Practitioner/huisarts"))
    observation = pain("o1", 5, "2026-01-01")
    observation["note"] = [{"text": "pijn\u0000"}]
    body["prefetch"]["observations"] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": observation}],
    }
    response = demo_http.post(PATIENT_VIEW, json=body, headers=ehr.auth(PATIENT_VIEW))
    assert response.status_code == 200, response.text
    listed = response.json()["extension"]["nl.cnopad.not-understood"]
    assert any(
        item["reason"] == "invalid-value" and "contains control characters" in json.dumps(item) for item in listed
    )


def test_a_resource_whose_id_would_come_from_an_over_long_full_url_is_refused(
    demo_http: TestClient, centre_auth: dict[str, str]
) -> None:
    data = _record()
    del data["entry"][1]["resource"]["id"]
    data["entry"][1]["fullUrl"] = "urn:uuid:" + "a" * 300
    response = _import(demo_http, centre_auth, data)
    assert response.status_code == 422, response.text
    assert _locations(response) == ["Bundle.entry[1].resource.id"]
