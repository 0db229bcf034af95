"""Hypothesis drives every REST and CDS Hooks route with out-of-range dates, lone surrogates, control characters,
huge strings and values of the wrong JSON type, on SQLite and PostgreSQL: never a 5xx; a 4xx is problem
details, and a 422 names the location of what was refused."""

from __future__ import annotations

import itertools
import json
from typing import Any
from urllib.parse import quote

from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnopad.api import create_app
from cnopad.bootstrap import Container
from cnopad.domain.access import Role
from cnopad.services.cds import PREFETCH
from cnopad.services.entries import FORMS
from cnopad.services.users import add_user
from conftest import TODAY  # type: ignore[import-not-found]
from support.cds_client import SigningClient
from support.fhir import bundle, care_team, pain, patient

PATIENT = "demo-adult-pamidronate-overdue"
AGB = "http://fhir.nl/fhir/NamingSystem/agb-z"
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))

#: dates a user or an EHR might send that no rule accepts
BAD_DATES = st.sampled_from(
    ["0001-01-01", "1899-12-31", "9999-12-31", "2100-01-01", "2026-02-30", "2026-13-01", "20261123", "", "0"]
)
#: text no rule accepts: lone surrogates, control characters, huge strings, any code point at all
BAD_TEXT = st.one_of(
    st.sampled_from(["\ud800", "a\udfffb", "\x00", "x\x1b[31m", "\x7f", "A" * 100_000]),
    st.text(alphabet=st.characters(exclude_categories=()), min_size=1, max_size=40),
)
#: the same in a URL (clients refuse URLs over 64 KiB, so the huge string is smaller)
BAD_QUERY = st.one_of(
    st.sampled_from(["\ud800", "a\udfffb", "\x00", "x\x1b[31m", "\x7f", "%", "_", "A" * 5_000]),
    st.text(alphabet=st.characters(exclude_categories=()), min_size=1, max_size=40),
)
WRONG_TYPES = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.none(),
)
BAD_VALUES = st.one_of(BAD_DATES, BAD_TEXT, WRONG_TYPES)
_USERS = itertools.count()

#: a valid body per form whose choices do not depend on the record (the others: every field fuzzed alone)
GOOD: dict[str, dict[str, Any]] = {
    "medication_start": {"drug": "M01AE02", "start": TODAY.isoformat()},
    "lab": {"test": "1988-5", "value": 3, "unit": "mg/L", "date": TODAY.isoformat()},
    "pain": {"score": 4, "date": TODAY.isoformat()},
    "imaging": {"modality": "mri", "date": TODAY.isoformat()},
    "screening": {"screening": "tb_screening", "date": TODAY.isoformat(), "result": "negative"},
    "vaccination": {"vaccine": "J07BB02", "date": TODAY.isoformat()},
    "goal": {"goal": "goal_less_pain", "description": "Minder pijn", "date": TODAY.isoformat()},
    "care_team": {"name": "Dr. Visser", "roles": ["gp"]},
    "referral": {"target": "referral_dentist", "date": TODAY.isoformat()},
    "medication_stop": {"medication": "x", "stop": TODAY.isoformat()},
    "infusion": {"medication": "x", "given": TODAY.isoformat()},
    "contact": {"contact": "expertise_centre_review", "date": TODAY.isoformat()},
}


def _send(
    demo_http: TestClient, method: str, path: str, headers: dict[str, str], body: Any = None, **params: Any
) -> Any:
    """One request; a body is sent as ASCII JSON, so lone surrogates travel as ``\\ud800`` escapes, and query
    values are percent-encoded byte for byte (a lone surrogate as the bytes UTF-8 would give it)."""
    content = json.dumps(body).encode("ascii") if body is not None else None
    extra = {"content-type": "application/json"} if content is not None else {}
    query = "&".join(f"{k}={quote(str(v).encode('utf-8', 'surrogatepass'), safe='')}" for k, v in params.items())
    url = f"{path}?{query}" if query else path
    return demo_http.request(method, url, content=content, headers={**headers, **extra})


def _checked(response: Any, *, named: str | None = None) -> None:
    """Never a 5xx; a 4xx is problem details; a 422 names a location (``named`` in one of them, when given)."""
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), response.text[:300]
        problem = response.json()
        assert problem["status"] == response.status_code
    if response.status_code == 422:
        locations = [e["location"] for e in response.json()["errors"]]
        assert locations and all(locations), response.text[:500]
        if named is not None:
            assert any(named in location for location in locations), (named, locations)


def _covered() -> set[tuple[str, str]]:
    return {
        ("GET", "/api/patients"),
        ("GET", "/api/patients/{patient_id}"),
        ("GET", "/api/patients/{patient_id}/assessment"),
        ("GET", "/api/patients/{patient_id}/tasks"),
        ("GET", "/api/patients/{patient_id}/information"),
        ("GET", "/api/patients/{patient_id}/careplan"),
        ("GET", "/api/patients/{patient_id}/criteria"),
        ("GET", "/api/patients/{patient_id}/fhir"),
        ("GET", "/api/users"),
        ("GET", "/cds-services"),
        ("POST", "/api/bundles"),
        ("POST", "/api/patients/{patient_id}/emergency-access"),
        ("POST", "/cds-services/{service_id}"),
        ("POST", "/cds-services/{service_id}/feedback"),
        *(("POST", f"/api/patients/{{patient_id}}/entries/{form.replace('_', '-')}") for form in FORMS),
    }


def test_every_route_of_the_api_is_fuzzed_here(demo_container: Container) -> None:
    routes = {
        (method, str(route.path))
        for route in iter_route_contexts(create_app(demo_container).routes)
        if route.methods and str(route.path).startswith(("/api", "/cds-services"))
        for method in route.methods
        if method != "HEAD"
    }
    assert routes == _covered(), "a new API route: fuzz it here"


READS = ["", "/assessment", "/tasks", "/information", "/careplan", "/criteria", "/fhir"]


@FUZZ
@given(read=st.sampled_from(READS), as_of=st.one_of(BAD_DATES, BAD_QUERY), lang=st.one_of(st.just("nl"), BAD_QUERY))
def test_reads_with_bad_query_values_never_fail(
    demo_http: TestClient, centre_auth: dict[str, str], read: str, as_of: str, lang: str
) -> None:
    _checked(_send(demo_http, "GET", f"/api/patients/{PATIENT}{read}", centre_auth, as_of=as_of, lang=lang))


@FUZZ
@given(
    q=BAD_QUERY,
    limit=st.one_of(st.integers(min_value=-(2**40), max_value=2**40), BAD_QUERY),
    patient_id=st.one_of(BAD_QUERY, st.sampled_from(["%", "_", "..", "a" * 65])),
)
def test_lists_users_discovery_and_paths_with_bad_values_never_fail(
    demo_http: TestClient, centre_auth: dict[str, str], ehr: SigningClient, q: str, limit: object, patient_id: str
) -> None:
    _checked(_send(demo_http, "GET", "/api/patients", centre_auth, q=q, limit=limit))
    _checked(_send(demo_http, "GET", "/api/users", centre_auth))
    _checked(demo_http.get("/cds-services", headers=ehr.auth("/cds-services")))
    path_id = quote(patient_id.encode("utf-8", "surrogatepass"), safe="")
    _checked(_send(demo_http, "GET", f"/api/patients/{path_id}/tasks", centre_auth))


@FUZZ
@given(form=st.sampled_from(sorted(FORMS)), data=st.data())
def test_a_record_form_with_one_bad_value_is_refused_naming_that_field(
    demo_http: TestClient, centre_auth: dict[str, str], form: str, data: st.DataObject
) -> None:
    field = data.draw(st.sampled_from([f.name for f in FORMS[form]]))
    value = data.draw(BAD_VALUES)
    body = {**GOOD[form], field: value}
    response = _send(demo_http, "POST", f"/api/patients/{PATIENT}/entries/{form.replace('_', '-')}", centre_auth, body)
    # a value may still be acceptable (an empty optional field, a plausible date); a refusal names the field
    named = field if form not in ("medication_stop", "infusion") else None
    _checked(response, named=named)


@FUZZ
@given(reason=st.one_of(BAD_TEXT, WRONG_TYPES))
def test_an_emergency_access_request_with_a_bad_reason_never_fails(
    demo_http: TestClient, demo_container: Container, reason: object
) -> None:
    with demo_container.unit(demo_container.operator()) as uow:
        _, token = add_user(uow, f"outsider-{next(_USERS)}", Role.GP, practitioner=(AGB, "01000042"))
    response = _send(
        demo_http,
        "POST",
        f"/api/patients/{PATIENT}/emergency-access",
        {"Authorization": f"Bearer {token}"},
        {"reason": reason},
    )
    _checked(response)


@FUZZ
@given(element=st.sampled_from(["name", "birthDate", "id", "gender", "pain-date", "pain-value"]), value=BAD_VALUES)
def test_an_import_with_one_bad_element_is_refused_naming_the_bundle_location(
    demo_http: TestClient, centre_auth: dict[str, str], element: str, value: object
) -> None:
    data = bundle(patient("p-fuzz"), pain("o1", 3, "2024-05-01", pid="p-fuzz"), pid="p-fuzz")
    resource = data["entry"][0]["resource"]
    if element == "pain-date":
        data["entry"][1]["resource"]["effectiveDateTime"] = value
    elif element == "pain-value":
        data["entry"][1]["resource"]["valueInteger"] = value
    elif element == "name":
        resource["name"] = [{"text": value}]
    else:
        resource[element] = value
    response = _send(demo_http, "POST", "/api/bundles", centre_auth, data)
    _checked(response, named="Bundle")


def _hook_body(user_id: object, birth: object, pain_date: object) -> dict[str, Any]:
    record = bundle(patient("p1", birth="1979-05-04"), care_team("ct", ("gp", "Huisarts Synthetisch", "01999001")))
    observation = pain("o1", 5, "2026-01-01")
    observation["effectiveDateTime"] = pain_date
    who = dict(record["entry"][0]["resource"], birthDate=birth)
    prefetch: dict[str, Any] = {key: None for key in PREFETCH}
    prefetch["patient"] = who
    prefetch["observations"] = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": observation}]}
    return {
        "hook": "patient-view",
        "hookInstance": "0f3a4f2e-1f0b-4d8e-9d2c-5a6b7c8d9e01",
        "context": {"userId": user_id, "patientId": "p1"},
        "prefetch": prefetch,
    }


@FUZZ
@given(
    user_id=st.one_of(st.just("Practitioner/huisarts"), BAD_TEXT, WRONG_TYPES),
    birth=st.one_of(st.just("1979-05-04"), BAD_DATES, WRONG_TYPES),
    pain_date=st.one_of(st.just("2026-01-01"), BAD_DATES, BAD_TEXT),
)
def test_a_cds_call_with_bad_values_never_fails(
    demo_http: TestClient, ehr: SigningClient, user_id: object, birth: object, pain_date: object
) -> None:
    path = "/cds-services/cnopad-patient-view"
    response = _send(demo_http, "POST", path, ehr.auth(path), _hook_body(user_id, birth, pain_date))
    _checked(response)


@FUZZ
@given(
    card=st.one_of(BAD_TEXT, WRONG_TYPES),
    timestamp=st.one_of(BAD_DATES, BAD_TEXT, WRONG_TYPES),
    system=st.one_of(BAD_TEXT, st.just("s" * 301)),
    comment=st.one_of(BAD_TEXT, WRONG_TYPES),
)
def test_cds_feedback_with_bad_values_never_fails(
    demo_http: TestClient, ehr: SigningClient, card: object, timestamp: object, system: object, comment: object
) -> None:
    path = "/cds-services/cnopad-patient-view/feedback"
    body = {
        "feedback": [
            {
                "card": card,
                "outcome": "overridden",
                "overrideReason": {"reason": {"code": "c", "system": system}, "userComment": comment},
                "outcomeTimestamp": timestamp,
            }
        ]
    }
    _checked(_send(demo_http, "POST", path, ehr.auth(path), body))
