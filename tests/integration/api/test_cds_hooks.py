"""CDS Hooks service calls: prefetch, FHIR-server fallback, 412, order checks, feedback — every response
checked against the specification's invariants."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient as HttpClient

from cnopad.api import create_app
from cnopad.bootstrap import Container
from cnopad.services.cds import PREFETCH
from support.cds_client import BASE, SigningClient
from support.cds_conformance import check_feedback, check_request, check_response
from support.fake_fhir import BASE as FHIR_BASE
from support.fake_fhir import FakeFhirServer
from support.fhir import ATC, CNOPAD, bundle, care_team, code, condition, medication_request, pain, patient

PATIENT_VIEW = "/cds-services/cnopad-patient-view"
ORDER_SIGN = "/cds-services/cnopad-order-sign"
ORDER_SELECT = "/cds-services/cnopad-order-select"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cds_hooks"
FHIR_AUTHORIZATION = {
    "access_token": "some-opaque-fhir-access-token",
    "token_type": "Bearer",
    "expires_in": 300,
    "scope": "user/*.read",
    "subject": "cnopad",
}


def _record() -> dict[str, Any]:
    """A synthetic adult with confirmed CNO-SCCH on an NSAID with pain still recorded, no dental check."""
    return bundle(
        patient("p1", birth="1979-05-04", name="Hook Synthetisch"),
        condition("c1", CNOPAD, "cno_scch", onset="2019-02-01", recorded="2023-03-01", sites=("sternum", "clavicle")),
        medication_request("m1", "M01AE02", start="2023-03-10"),
        pain("o1", 7, "2026-10-01"),
        care_team("ct", ("gp", "Huisarts Synthetisch", "01999001")),
    )


def _prefetch(record: dict[str, Any], *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    resources = [e["resource"] for e in record["entry"]]
    out: dict[str, Any] = {}
    for key, template in PREFETCH.items():
        if key in skip:
            continue
        kind = template.split("/")[0].split("?")[0]
        if kind == "Patient":
            out[key] = resources[0]
        else:
            matches = [r for r in resources if r["resourceType"] == kind]
            out[key] = (
                {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in matches]}
                if matches
                else None
            )
    return out


def _call(hook: str, prefetch: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hook": hook,
        "hookInstance": "0f3a4f2e-1f0b-4d8e-9d2c-5a6b7c8d9e01",
        "context": {"userId": "Practitioner/huisarts", "patientId": "p1"},
    }
    if prefetch is not None:
        body["prefetch"] = prefetch
    body.update(extra)
    return body


def _draft(order_id: str, atc: str) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": order_id,
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": code(ATC, atc),
        "subject": {"reference": "Patient/p1"},
    }


@pytest.fixture
def ehr(tmp_path: Path) -> SigningClient:
    return SigningClient(tmp_path)


@pytest.fixture
def fhir_server() -> FakeFhirServer:
    return FakeFhirServer(_record())


@pytest.fixture
def container(make_container: Callable[..., Container], ehr: SigningClient) -> Container:
    """The CDS service on each real database (SQLite and PostgreSQL)."""
    return make_container(base_url=BASE, cds_clients=ehr.clients_file())


@pytest.fixture
def http(container: Container, fhir_server: FakeFhirServer) -> Iterator[HttpClient]:
    app = create_app(container)
    app.state.fhir_transport = httpx.ASGITransport(app=fhir_server)  # the hospital's FHIR server, in process
    with HttpClient(app, base_url=BASE) as client:
        yield client


def _post(http: HttpClient, ehr: SigningClient, path: str, body: dict[str, Any], **headers: str) -> httpx.Response:
    return http.post(path, json=body, headers={**ehr.auth(path), **headers})


def test_patient_view_with_complete_prefetch_returns_conformant_cards_citing_statements(
    http: HttpClient, ehr: SigningClient
) -> None:
    response = _post(http, ehr, PATIENT_VIEW, _call("patient-view", _prefetch(_record())))
    body = response.json()
    assert response.status_code == 200, body
    assert check_response(body) == []
    assert body["cards"], "an adult with CNO on an NSAID and persisting pain gets advice"
    for card in body["cards"]:
        assert card["extension"]["nl.cnopad.statements"]
        assert card["links"][0] == {"label": "Open in cnopad", "url": f"{BASE}/patients/p1", "type": "absolute"}
    assert any("NHG-BISPHOSPHONATE-1" in c["extension"]["nl.cnopad.statements"] for c in body["cards"])


def test_cards_come_in_english_when_asked_and_the_card_set_stays_the_same(http: HttpClient, ehr: SigningClient) -> None:
    dutch = _post(http, ehr, PATIENT_VIEW, _call("patient-view", _prefetch(_record()))).json()
    english = _post(
        http, ehr, PATIENT_VIEW, _call("patient-view", _prefetch(_record())), **{"Accept-Language": "en"}
    ).json()
    assert sorted(c["uuid"] for c in dutch["cards"]) == sorted(c["uuid"] for c in english["cards"])
    assert {c["summary"] for c in dutch["cards"]} != {c["summary"] for c in english["cards"]}


def test_a_missing_prefetch_key_without_a_fhir_server_gives_412(http: HttpClient, ehr: SigningClient) -> None:
    response = _post(http, ehr, PATIENT_VIEW, _call("patient-view", _prefetch(_record(), skip=("observations",))))
    assert response.status_code == 412
    assert "observations" in response.json()["detail"]


def test_missing_prefetch_keys_are_fetched_from_the_fhir_server_with_the_token(
    http: HttpClient, ehr: SigningClient, fhir_server: FakeFhirServer
) -> None:
    auth = FHIR_AUTHORIZATION
    body = _call(
        "patient-view",
        _prefetch(_record(), skip=("observations", "careTeams")),
        fhirServer=FHIR_BASE,
        fhirAuthorization=auth,
    )
    assert check_request(body) == []
    with_server = _post(http, ehr, PATIENT_VIEW, body)
    complete = _post(http, ehr, PATIENT_VIEW, _call("patient-view", _prefetch(_record())))
    assert with_server.status_code == 200
    assert sorted(fhir_server.requests) == [
        "CareTeam?patient=p1&_include=CareTeam:participant",
        "Observation?patient=p1",
    ]
    assert sorted(c["uuid"] for c in with_server.json()["cards"]) == sorted(c["uuid"] for c in complete.json()["cards"])


def test_paged_results_are_followed_on_the_fhir_server(
    http: HttpClient, ehr: SigningClient, fhir_server: FakeFhirServer
) -> None:
    fhir_server.page_size = 1
    extra = [pain(f"o{n}", 6, f"2026-0{n}-01") for n in range(2, 5)]
    fhir_server.resources.extend(extra)
    auth = FHIR_AUTHORIZATION
    response = _post(http, ehr, PATIENT_VIEW, _call("patient-view", {}, fhirServer=FHIR_BASE, fhirAuthorization=auth))
    assert response.status_code == 200, response.json()
    assert [r for r in fhir_server.requests if r.startswith("Observation")] == [
        "Observation?patient=p1",
        "Observation?patient=p1&_page=2",
        "Observation?patient=p1&_page=3",
        "Observation?patient=p1&_page=4",
    ]


def test_an_operation_outcome_in_prefetch_is_refetched_or_gives_412(
    http: HttpClient, ehr: SigningClient, fhir_server: FakeFhirServer
) -> None:
    prefetch = _prefetch(_record())
    prefetch["conditions"] = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "timeout"}]}
    auth = FHIR_AUTHORIZATION
    without_server = _post(http, ehr, PATIENT_VIEW, _call("patient-view", prefetch))
    with_server = _post(
        http, ehr, PATIENT_VIEW, _call("patient-view", prefetch, fhirServer=FHIR_BASE, fhirAuthorization=auth)
    )
    assert without_server.status_code == 412
    assert with_server.status_code == 200
    assert fhir_server.requests == ["Condition?patient=p1"]


def test_null_prefetch_means_no_data_and_is_fine(http: HttpClient, ehr: SigningClient) -> None:
    prefetch = _prefetch(_record())
    prefetch["goals"] = None
    prefetch["immunizations"] = None
    assert _post(http, ehr, PATIENT_VIEW, _call("patient-view", prefetch)).status_code == 200


def test_a_failing_fhir_server_gives_412(http: HttpClient, ehr: SigningClient, fhir_server: FakeFhirServer) -> None:
    fhir_server.fail = True
    auth = FHIR_AUTHORIZATION
    response = _post(http, ehr, PATIENT_VIEW, _call("patient-view", {}, fhirServer=FHIR_BASE, fhirAuthorization=auth))
    assert response.status_code == 412
    assert "answered 500" in response.json()["detail"]


def test_order_sign_warns_about_a_bisphosphonate_without_dental_check(http: HttpClient, ehr: SigningClient) -> None:
    orders = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": _draft("draft-pam", "M05BA03")}]}
    body = _call(
        "order-sign",
        _prefetch(_record()),
        context={"userId": "Practitioner/x", "patientId": "p1", "draftOrders": orders},
    )
    response = _post(http, ehr, ORDER_SIGN, body)
    cards = response.json()["cards"]
    assert response.status_code == 200
    assert check_response(response.json()) == []
    dental = [c for c in cards if "NHG-BP-ONJ-1" in c["extension"]["nl.cnopad.statements"]]
    assert dental and dental[0]["indicator"] in ("warning", "critical")
    assert dental[0]["overrideReasons"], "safety cards offer override reasons"


def test_order_select_checks_only_the_selected_orders(http: HttpClient, ehr: SigningClient) -> None:
    orders = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": _draft("draft-pam", "M05BA03")}, {"resource": _draft("draft-ibu", "M01AE01")}],
    }
    context = {
        "userId": "Practitioner/x",
        "patientId": "p1",
        "draftOrders": orders,
        "selections": ["MedicationRequest/draft-ibu"],
    }
    ibuprofen_only = _post(http, ehr, ORDER_SELECT, _call("order-select", _prefetch(_record()), context=context)).json()
    context["selections"] = ["MedicationRequest/draft-pam"]
    pamidronate = _post(http, ehr, ORDER_SELECT, _call("order-select", _prefetch(_record()), context=context)).json()
    assert not any("NHG-BP-ONJ-1" in c["extension"]["nl.cnopad.statements"] for c in ibuprofen_only["cards"])
    assert any("NHG-BP-ONJ-1" in c["extension"]["nl.cnopad.statements"] for c in pamidronate["cards"])


BAD_CALLS = [
    ("hook of another service", PATIENT_VIEW, lambda b: {**b, "hook": "order-sign"}, 422, "hook"),
    ("no context", PATIENT_VIEW, lambda b: {k: v for k, v in b.items() if k != "context"}, 422, "context"),
    (
        "authorization without server (cds-r-1)",
        PATIENT_VIEW,
        lambda b: {
            **b,
            "fhirAuthorization": {
                "access_token": "t",
                "token_type": "Bearer",
                "expires_in": 1,
                "scope": "s",
                "subject": "x",
            },
        },
        422,
        "cds-r-1",
    ),
    (
        "a Patient that cannot be read",
        PATIENT_VIEW,
        lambda b: {
            **b,
            "prefetch": {**b["prefetch"], "patient": {**b["prefetch"]["patient"], "birthDate": "2099-01-01"}},
        },
        422,
        "prefetch.patient.birthDate",
    ),
    (
        "two Patients",
        PATIENT_VIEW,
        lambda b: {
            **b,
            "prefetch": {
                **b["prefetch"],
                "conditions": {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": patient("p2")}]},
            },
        },
        422,
        "exactly one Patient",
    ),
    (
        "order-select without selections",
        ORDER_SELECT,
        lambda b: {
            **b,
            "hook": "order-select",
            "context": {**b["context"], "draftOrders": {"resourceType": "Bundle", "type": "collection"}},
        },
        422,
        "context.selections",
    ),
    ("unknown service", "/cds-services/nope", lambda b: b, 404, "nope"),
]


@pytest.mark.parametrize(("case", "path", "change", "status", "reason"), BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_a_bad_call_gets_a_problem_naming_what_is_wrong(
    http: HttpClient, ehr: SigningClient, case: str, path: str, change: Any, status: int, reason: str
) -> None:
    response = _post(http, ehr, path, change(_call("patient-view", _prefetch(_record()))))
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert reason in response.text


def test_deeply_nested_json_is_refused_without_a_server_error(http: HttpClient, ehr: SigningClient) -> None:
    nested = "[" * 100_000 + "]" * 100_000
    response = http.post(
        PATIENT_VIEW, content=nested, headers={**ehr.auth(PATIENT_VIEW), "content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    "fixture", ["feedback-accepted.json", "feedback-overridden.json", "feedback-overridden-reason.json"]
)
def test_the_specifications_feedback_examples_are_accepted(http: HttpClient, ehr: SigningClient, fixture: str) -> None:
    body = json.loads((FIXTURES / fixture).read_text())
    path = PATIENT_VIEW + "/feedback"
    assert check_feedback(body) == []
    assert http.post(path, json=body, headers=ehr.auth(path)).status_code == 200


BAD_FEEDBACK = [
    ("accepted without suggestions (cds-fb-2)", lambda f: {**f, "outcome": "accepted"}, "cds-fb-2"),
    ("unknown outcome (cds-fb-1)", lambda f: {**f, "outcome": "ignored"}, "outcome"),
    ("empty override reason (cds-fb-3)", lambda f: {**f, "overrideReason": {}}, "cds-fb-3"),
    ("no timestamp", lambda f: {k: v for k, v in f.items() if k != "outcomeTimestamp"}, "outcomeTimestamp"),
]


@pytest.mark.parametrize(("case", "change", "reason"), BAD_FEEDBACK, ids=[c[0] for c in BAD_FEEDBACK])
def test_feedback_that_breaks_an_invariant_is_refused(
    http: HttpClient, ehr: SigningClient, case: str, change: Any, reason: str
) -> None:
    body = json.loads((FIXTURES / "feedback-overridden.json").read_text())
    body["feedback"][0] = change(body["feedback"][0])
    path = PATIENT_VIEW + "/feedback"
    assert check_feedback(body) != [] or case == "no timestamp"
    response = http.post(path, json=body, headers=ehr.auth(path))
    assert response.status_code == 422
    assert reason in response.text


def test_feedback_is_reported_per_rule_with_override_reasons(
    http: HttpClient, ehr: SigningClient, container: Container
) -> None:
    from cnopad.services.feedback import feedback_report

    cards = _post(http, ehr, PATIENT_VIEW, _call("patient-view", _prefetch(_record()))).json()["cards"]
    first = cards[0]
    reason = {
        "system": "https://fhir.cnopad.nl/CodeSystem/override-reason",
        "code": "already-done",
        "display": "Already arranged",
    }
    feedback = {
        "feedback": [
            {
                "card": first["uuid"],
                "outcome": "overridden",
                "overrideReason": {"reason": reason},
                "outcomeTimestamp": "2026-11-23T10:00:00Z",
            },
            {
                "card": first["uuid"],
                "outcome": "overridden",
                "overrideReason": {"userComment": "ander plan"},
                "outcomeTimestamp": "2026-11-23T10:01:00Z",
            },
        ]
    }
    path = PATIENT_VIEW + "/feedback"
    assert http.post(path, json=feedback, headers=ehr.auth(path)).status_code == 200
    with container.unit(container.operator()) as uow:
        report = feedback_report(uow)
    assert len(report) == 1
    assert report[0].overridden == 2 and report[0].override_rate == 1.0
    assert report[0].reasons == {"Already arranged": 1, "comment only": 1}
    assert report[0].rule_id != "(unknown card)"


def test_the_specifications_example_request_is_served_from_its_fhir_server(
    container: Container, ehr: SigningClient
) -> None:
    body = json.loads((FIXTURES / "request-patient-view.json").read_text())
    assert check_request(body) == []
    spec_patient = copy.deepcopy(body["prefetch"]["patientToGreet"])
    server = FakeFhirServer(bundle(spec_patient), latency=0.02)
    app = create_app(container)
    app.state.fhir_transport = httpx.ASGITransport(app=server)
    with HttpClient(app, base_url=BASE) as http:
        response = _post(http, ehr, PATIENT_VIEW, body)
    assert response.status_code == 200, response.text
    assert check_response(response.json()) == []
    # the example's prefetch key (patientToGreet) is not one of cnopad's, so every key is read from the server
    assert "Patient/1288992" in server.requests
    assert len(server.requests) == len(PREFETCH)
    assert server.round_trips() == 1, "the missing prefetch queries are asked all at once"


def test_every_cds_call_is_in_the_audit_log_with_client_user_and_channel(
    http: HttpClient, ehr: SigningClient, container: Container
) -> None:
    http.get("/cds-services", headers=ehr.auth("/cds-services"))
    _post(http, ehr, PATIENT_VIEW, _call("patient-view", _prefetch(_record())))
    with container.unit(container.operator()) as uow:
        events = list(reversed(uow.audit.events()))
    assert [(e.action, e.channel, e.role) for e in events] == [
        ("cds-discovery", "cds", "cds_client"),
        ("cds-patient-view", "cds", "cds_client"),
    ]
    assert events[1].patient_id == "p1"
    assert events[1].user == "https://ehr.test.invalid Practitioner/huisarts"
    assert events[1].purpose == "decision support"


def test_a_token_is_good_for_one_call_across_workers_and_a_replay_leaves_no_trace(
    make_container: Callable[..., Container], ehr: SigningClient
) -> None:
    # two workers on one database: a replay sent to the other worker (which has not seen the jti) is refused in the
    # transaction that would have audited it, and a token whose call failed is used up all the same
    containers = [make_container(base_url=BASE, cds_clients=ehr.clients_file()) for _ in range(2)]
    body = _call("patient-view", _prefetch(_record()))
    good, failing = ehr.auth(PATIENT_VIEW), ehr.auth(PATIENT_VIEW)
    with (
        HttpClient(create_app(containers[0]), base_url=BASE) as one,
        HttpClient(create_app(containers[1]), base_url=BASE) as other,
    ):
        answered = one.post(PATIENT_VIEW, json=body, headers=good)
        replayed = other.post(PATIENT_VIEW, json=body, headers=good)
        refused = one.post(PATIENT_VIEW, json={"hook": "patient-view"}, headers=failing)
        replayed_after_failure = other.post(PATIENT_VIEW, json=body, headers=failing)
        replayed_same_worker = one.post(PATIENT_VIEW, json=body, headers=good)
    assert answered.status_code == 200
    assert answered.json()["cards"]
    assert refused.status_code in (400, 422)
    for replay in (replayed, replayed_after_failure, replayed_same_worker):
        assert replay.status_code == 401
        assert "replay" in replay.json()["detail"]
    with containers[1].unit(containers[1].operator()) as uow:
        calls = [e for e in uow.audit.events(patient_id="p1", limit=50) if e.action == "cds-patient-view"]
    assert len(calls) == 1, "only the answered call is audited as a hook call"
