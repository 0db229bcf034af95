"""CDS Hooks with real-world data: ``urn:uuid`` and absolute references, codes in systems cnopad does not read,
Medications behind ``medicationReference``, other patients' resources, bad values. cnopad fails safe, not
closed: what it cannot read is named (one info card and the response extension) and set aside, everything
else is still assessed, and a draft order it could not check gets a warning card. Every response is checked
against the CDS Hooks invariants; every test runs on SQLite and on PostgreSQL (calls write to the audit log).
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient as HttpClient

from cnopad.api import create_app
from cnopad.bootstrap import Container
from cnopad.fhir import Reason
from cnopad.knowledge import KnowledgeBase
from cnopad.services.cds import PREFETCH
from cnopad.settings import Settings
from cnopad.store import Store, make_engine
from conftest import fixed_clock  # type: ignore[import-not-found]
from support.cds_client import BASE, SigningClient
from support.cds_conformance import check_response
from support.fake_fhir import BASE as FHIR_BASE
from support.fake_fhir import FakeFhirServer
from support.fhir import ATC, CNOPAD, LOINC, SNOMED, care_team, code, condition, medication_request, pain, patient
from support.loop import run_async

PATIENT_VIEW = "/cds-services/cnopad-patient-view"
ORDER_SIGN = "/cds-services/cnopad-order-sign"
ORDER_SELECT = "/cds-services/cnopad-order-select"
EXTENSION = "nl.cnopad.not-understood"
#: RxNorm: a system cnopad does not read (the code is the penicillin of the AHRQ CQL Services Synthea example)
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOCAL = "http://ehr.example.org/fhir/CodeSystem/local-codes"
PID = "6c1b4b8e-3f0a-4c55-9d0e-2f1a5b7c9d01"
AUTH = {
    "access_token": "some-opaque-fhir-access-token",
    "token_type": "Bearer",
    "expires_in": 300,
    "scope": "user/*.read",
    "subject": "cnopad",
}


@pytest.fixture
def ehr(tmp_path: Path) -> SigningClient:
    return SigningClient(tmp_path)


@pytest.fixture
def cds(database_url: str, tmp_path: Path, kb: KnowledgeBase, ehr: SigningClient) -> Iterator[Container]:
    """A container on SQLite and on PostgreSQL that trusts the test EHR."""
    settings = Settings(data_dir=tmp_path, database_url=database_url, base_url=BASE, cds_clients=ehr.clients_file())
    engine = make_engine(database_url)
    yield Container(settings=settings, store=Store(engine, fixed_clock), knowledge=kb, clock=fixed_clock)
    engine.dispose()


@pytest.fixture
def server() -> FakeFhirServer:
    return FakeFhirServer({"entry": []})


@pytest.fixture
def http(cds: Container, server: FakeFhirServer) -> Iterator[HttpClient]:
    app = create_app(cds)
    app.state.fhir_transport = httpx.ASGITransport(app=server)
    with HttpClient(app, base_url=BASE) as client:
        yield client


def _post(http: HttpClient, ehr: SigningClient, path: str, body: dict[str, Any], **headers: str) -> dict[str, Any]:
    response = http.post(path, json=body, headers={**ehr.auth(path), **headers})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    assert check_response(data) == []
    return data


def _call(hook: str, prefetch: dict[str, Any], pid: str = PID, **extra: Any) -> dict[str, Any]:
    context = {"userId": "Practitioner/huisarts", "patientId": pid, **extra.pop("context", {})}
    return {"hook": hook, "hookInstance": "5b6c7d8e-1f0b-4d8e-9d2c-5a6b7c8d9e01", "context": context,
            "prefetch": prefetch, **extra}  # fmt: skip


def _searchset(*entries: dict[str, Any]) -> dict[str, Any]:
    """A searchset Bundle; an entry is a resource, or (resource, fullUrl)."""
    out = []
    for item in entries:
        resource, full_url = item if isinstance(item, tuple) else (item, None)
        out.append({"resource": resource, **({"fullUrl": full_url} if full_url else {})})
    return {"resourceType": "Bundle", "type": "searchset", "entry": out}


def _complete(**keys: Any) -> dict[str, Any]:
    """A prefetch with every key (null = no data) and the given ones filled in."""
    return {key: keys.get(key) for key in PREFETCH}


def _safety_cards(body: dict[str, Any]) -> set[str]:
    """The cards of the engine (without cnopad's own data-check cards)."""
    return {c["uuid"] for c in body["cards"] if not c["source"]["label"].startswith("cnopad (")}


def _statements(body: dict[str, Any]) -> set[str]:
    return {s for c in body["cards"] for s in c.get("extension", {}).get("nl.cnopad.statements", [])}


def _info(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in body["cards"] if c["source"]["label"].startswith("cnopad (") and c["indicator"] == "info"]


# ------------------------------------------------------------------------------------ the messy real-world call


def _pregnant_on_methotrexate(pid: str = PID) -> dict[str, dict[str, Any]]:
    """A synthetic adult woman with CNO-SCCH on methotrexate, recorded as pregnant (ids as an EHR gives them)."""
    person = patient(pid, birth="1990-04-04", name="Zwanger Synthetisch")
    dx = condition("a1e2c3d4-0000-4000-8000-000000000001", CNOPAD, "cno_scch", onset="2024-01-01", pid=pid)
    mtx = medication_request("a1e2c3d4-0000-4000-8000-000000000002", "L04AX03", start="2026-01-01", pid=pid)
    pregnant = {
        "resourceType": "Observation",
        "id": "a1e2c3d4-0000-4000-8000-000000000003",
        "status": "final",
        "code": code(LOINC, "82810-3"),
        "valueCodeableConcept": code(SNOMED, "77386006"),
        "subject": {"reference": f"Patient/{pid}"},
        "effectiveDateTime": "2026-11-01",
    }
    hurts = pain("a1e2c3d4-0000-4000-8000-000000000004", 5, "2026-11-01", pid=pid)
    return {"patient": person, "condition": dx, "mtx": mtx, "pregnant": pregnant, "pain": hurts}


def _clean(r: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return _complete(
        patient=r["patient"],
        conditions=_searchset(r["condition"]),
        medicationRequests=_searchset(r["mtx"]),
        observations=_searchset(r["pregnant"], r["pain"]),
    )


def _messy(r: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The same facts as an EHR or Synthea sends them, plus data cnopad cannot read."""
    r = copy.deepcopy(r)
    uuid_ref = {"reference": f"urn:uuid:{PID}"}  # the Patient comes without fullUrl: its id is the uuid
    r["condition"]["subject"] = uuid_ref
    medication = {
        "resourceType": "Medication",
        "id": "b2e2c3d4-0000-4000-8000-000000000009",
        "code": code(ATC, "L04AX03"),
    }
    mtx = {k: v for k, v in r["mtx"].items() if k != "medicationCodeableConcept"}
    mtx["medicationReference"] = {"reference": f"urn:uuid:{medication['id']}"}
    mtx["subject"] = uuid_ref
    penicillin = {
        "resourceType": "MedicationRequest",
        "id": "c3e2c3d4-0000-4000-8000-00000000000a",
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": code(RXNORM, "834061", "Penicillin V Potassium 250 MG Oral Tablet"),
        "subject": uuid_ref,
        "authoredOn": "2026-10-01",
    }
    local_lab = {
        "resourceType": "Observation",
        "id": "d4e2c3d4-0000-4000-8000-00000000000b",
        "status": "final",
        "code": code(LOCAL, "VIT-D", "Vitamine D (lokaal)"),
        "subject": {"reference": f"https://ehr.example.org/fhir/Patient/{PID}"},
        "effectiveDateTime": "2026-10-01",
        "valueQuantity": {"value": 40, "unit": "nmol/L"},
    }
    r["pregnant"]["subject"] = {"reference": f"https://ehr.example.org/fhir/Patient/{PID}"}
    return _complete(
        patient=r["patient"],
        conditions=_searchset((r["condition"], f"urn:uuid:{r['condition']['id']}")),
        medicationRequests=_searchset(
            (mtx, f"urn:uuid:{mtx['id']}"),
            (penicillin, f"urn:uuid:{penicillin['id']}"),
            (medication, f"urn:uuid:{medication['id']}"),
        ),
        observations=_searchset(
            (r["pregnant"], f"https://ehr.example.org/fhir/Observation/{r['pregnant']['id']}"),
            r["pain"],
            local_lab,
        ),
    )


def test_real_world_references_and_unreadable_codes_give_the_same_safety_cards_and_name_what_was_not_read(
    http: HttpClient, ehr: SigningClient
) -> None:
    record = _pregnant_on_methotrexate()
    clean = _post(http, ehr, PATIENT_VIEW, _call("patient-view", _clean(record)))
    messy = _post(http, ehr, PATIENT_VIEW, _call("patient-view", _messy(record)))

    assert "CRMO-PREGNANCY-1" in _statements(clean), "the pregnancy warning is the point of this case"
    assert _safety_cards(messy) == _safety_cards(clean)
    assert EXTENSION not in clean and _info(clean) == []
    listed = {i["location"]: (i["reason"], i["set_aside"]) for i in messy["extension"][EXTENSION]}
    assert listed.pop("prefetch.observations.entry[2].resource.code.coding[0]") == ("unknown-code-system", True)
    # RxNorm is not read today (unknown system: set aside); should it become a known system, the penicillin is
    # still named, as a code cnopad does not use
    penicillin = listed.pop("prefetch.medicationRequests.entry[1].resource.medicationCodeableConcept.coding[0]")
    assert penicillin in {("unknown-code-system", True), ("code-not-in-value-sets", False)}
    assert listed == {}, "nothing else: the urn:uuid, absolute and Medication references all resolved"
    [info] = _info(messy)
    assert info["summary"].startswith("2 gegevens") and len(info["summary"]) < 140
    assert "834061" in info["detail"] and "VIT-D" in info["detail"]


def test_the_info_card_and_the_extension_come_in_english_too(http: HttpClient, ehr: SigningClient) -> None:
    messy = _messy(_pregnant_on_methotrexate())
    english = _post(http, ehr, PATIENT_VIEW, _call("patient-view", messy), **{"Accept-Language": "en"})
    dutch = _post(http, ehr, PATIENT_VIEW, _call("patient-view", messy))

    [info] = _info(english)
    assert info["summary"] == "2 items could not be read by cnopad; the advice may be incomplete."
    assert "a code system cnopad does not read" in info["detail"]
    assert english["extension"] == dutch["extension"]
    assert {c["uuid"] for c in english["cards"]} == {c["uuid"] for c in dutch["cards"]}


def test_another_patients_resource_and_a_bad_value_are_set_aside_and_the_rest_is_assessed(
    http: HttpClient, ehr: SigningClient
) -> None:
    record = _pregnant_on_methotrexate()
    prefetch = _clean(record)
    stranger = condition("e5e2c3d4-0000-4000-8000-00000000000c", CNOPAD, "crmo", pid="someone-else")
    prefetch["conditions"]["entry"].append({"resource": stranger})
    prefetch["observations"]["entry"].append(
        {"resource": pain("f6e2c3d4-0000-4000-8000-00000000000d", 12, "2026-10-01", pid=PID)}
    )
    body = _post(http, ehr, PATIENT_VIEW, _call("patient-view", prefetch))
    clean = _post(http, ehr, PATIENT_VIEW, _call("patient-view", _clean(record)))

    assert _safety_cards(body) == _safety_cards(clean)
    items = {i["location"]: i for i in body["extension"][EXTENSION]}
    assert items["prefetch.conditions.entry[1].resource.subject.reference"]["reason"] == "other-patient"
    bad = items["prefetch.observations.entry[2].resource.valueInteger"]
    assert (bad["reason"], bad["set_aside"], bad["detail"]) == (
        "invalid-value",
        True,
        "pain score 12 is outside the 0-10 scale",
    )


# ------------------------------------------------------------------------------------ medicationReference


def _nsaid_patient(medication: dict[str, Any] | None = None, *, reference: str | None = None) -> dict[str, Any]:
    """An adult with CNO-SCCH on an NSAID with pain still recorded: the step plan suggests a bisphosphonate."""
    person = patient("p1", birth="1979-05-04", name="Hook Synthetisch")
    dx = condition("c1", CNOPAD, "cno_scch", onset="2019-02-01", recorded="2023-03-01", sites=("sternum",))
    nsaid = medication_request("m1", "M01AE02", start="2023-03-10")
    if reference is not None:
        del nsaid["medicationCodeableConcept"]
        nsaid["medicationReference"] = {"reference": reference}
        if medication is not None and reference.startswith("#"):
            nsaid["contained"] = [medication]
    return _complete(
        patient=person,
        conditions=_searchset(dx),
        medicationRequests=_searchset(nsaid),
        observations=_searchset(pain("o1", 7, "2026-10-01")),
        careTeams=_searchset(care_team("ct", ("gp", "Huisarts Synthetisch", "01999001"))),
    )


NAPROXEN = {"resourceType": "Medication", "id": "naproxen", "code": code(ATC, "M01AE02", "naproxen")}


def test_a_medication_reference_resolves_from_another_key_from_contained_and_from_the_fhir_server(
    http: HttpClient, ehr: SigningClient, server: FakeFhirServer
) -> None:
    inline = _post(http, ehr, PATIENT_VIEW, _call("patient-view", _nsaid_patient(), pid="p1"))

    other_key = _nsaid_patient(reference="Medication/naproxen")
    other_key["medicationStatements"] = _searchset(NAPROXEN)  # e.g. _include'd by another search
    contained = _nsaid_patient({**NAPROXEN, "id": "med"}, reference="#med")
    server.resources.append(NAPROXEN)
    fetched = _nsaid_patient(reference=f"{FHIR_BASE}/Medication/naproxen")
    answers = [
        _post(http, ehr, PATIENT_VIEW, _call("patient-view", other_key, pid="p1")),
        _post(http, ehr, PATIENT_VIEW, _call("patient-view", contained, pid="p1")),
        _post(
            http,
            ehr,
            PATIENT_VIEW,
            _call("patient-view", fetched, pid="p1", fhirServer=FHIR_BASE, fhirAuthorization=AUTH),
        ),
    ]

    assert "NHG-BISPHOSPHONATE-1" in _statements(inline), "the NSAID counts: a bisphosphonate is the next step"
    for answer in answers:
        assert {c["uuid"] for c in answer["cards"]} == {c["uuid"] for c in inline["cards"]}
        assert EXTENSION not in answer
    assert server.requests == ["Medication?_id=naproxen"], "one search for the Medications, nothing else"


def test_a_medication_that_is_neither_sent_nor_fetchable_sets_its_request_aside_and_says_why(
    http: HttpClient, ehr: SigningClient
) -> None:
    body = _post(
        http, ehr, PATIENT_VIEW, _call("patient-view", _nsaid_patient(reference="Medication/naproxen"), pid="p1")
    )

    [item] = body["extension"][EXTENSION]
    assert item["location"] == "prefetch.medicationRequests.entry[0].resource.medicationReference.reference"
    assert (item["reason"], item["set_aside"]) == ("reference-not-found", True)
    assert "no fhirServer" in item["detail"]
    assert "NHG-BISPHOSPHONATE-1" not in _statements(body), "cnopad does not pretend to know the drug"


def test_a_server_without_search_by_id_is_asked_for_the_medication_by_read_and_a_missing_one_is_named(
    http: HttpClient, ehr: SigningClient, server: FakeFhirServer
) -> None:
    server.id_search = False
    server.resources.append(NAPROXEN)
    found = _nsaid_patient(reference="Medication/naproxen")
    absent = _nsaid_patient(reference="Medication/gone")
    extra = {"fhirServer": FHIR_BASE, "fhirAuthorization": AUTH}
    read = _post(http, ehr, PATIENT_VIEW, _call("patient-view", found, pid="p1", **extra))
    missing = _post(http, ehr, PATIENT_VIEW, _call("patient-view", absent, pid="p1", **extra))

    assert "NHG-BISPHOSPHONATE-1" in _statements(read) and EXTENSION not in read
    assert server.requests[:2] == ["Medication?_id=naproxen", "Medication/naproxen"]
    [item] = missing["extension"][EXTENSION]
    assert item["reason"] == "reference-not-found" and "did not return it" in item["detail"]


DEMOS = Path(__file__).resolve().parents[3] / "src" / "cnopad" / "services" / "demo_bundles"


@pytest.mark.parametrize("name", sorted(p.name for p in DEMOS.glob("*.json")))
def test_a_care_team_member_the_prefetch_does_not_hold_keeps_its_roles_and_is_named(
    name: str, kb: KnowledgeBase
) -> None:
    """A member reference to a Practitioner that is not sent (an EHR that ignores the template's _include)
    costs its name and identifier, never the roles the assessment reads: the same cards as with it."""
    from cnopad.services.cds import HookCall, evaluate, gather
    from conftest import TODAY  # type: ignore[import-not-found]

    resources = [e["resource"] for e in json.loads((DEMOS / name).read_text(encoding="utf-8"))["entry"]]
    patient_id = next(r["id"] for r in resources if r["resourceType"] == "Patient")

    def by_type(*, members: bool) -> dict[str, Any]:
        prefetch: dict[str, Any] = {}
        for key, kind in ((k, t.split("/")[0].split("?")[0]) for k, t in PREFETCH.items()):
            found = [r for r in resources if r["resourceType"] == kind]
            if kind == "CareTeam" and members:
                found += [r for r in resources if r["resourceType"] == "Practitioner"]
            prefetch[key] = found[0] if kind == "Patient" else (_searchset(*found) if found else None)
        return prefetch

    answers = []
    for members in (True, False):
        call = HookCall("cnopad-patient-view", "patient-view", {"patientId": patient_id}, by_type(members=members),
                        None, None)  # fmt: skip
        data = run_async(gather(call, lambda *_: pytest.fail("nothing to fetch")))  # type: ignore[arg-type]
        answers.append(evaluate(call, data, kb=kb, today=TODAY))
    complete, without = answers

    assert complete.not_understood == ()
    assert [c.uuid for c in without.cards if c.rule_id != "cnopad-data-not-understood"] == [
        c.uuid for c in complete.cards
    ]
    assert all(u.reason is Reason.REFERENCE_NOT_FOUND and not u.set_aside for u in without.not_understood)
    assert all(".participant[" in u.location for u in without.not_understood)


# ------------------------------------------------------------------------------------ draft orders


def _draft(order_id: str, concept: dict[str, Any], pid: str = "p1") -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": order_id,
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": concept,
        "subject": {"reference": f"Patient/{pid}"},
    }


def _orders(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}


def _order_cards(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in body["cards"] if c["source"]["label"].startswith("cnopad (") and c["indicator"] == "warning"]


@pytest.mark.parametrize(
    ("case", "concept", "why"),
    [
        ("a local code only", code(LOCAL, "ADA-40", "Adalimumab 40 mg (lokaal)"), "unknown-code-system"),
        # SNOMED CT 782102009: semaglutide 1.34 mg/mL solution for injection (clinical drug), as named in the
        # SNOMED CT editorial guide; a known system, but a code no value set of cnopad holds
        (
            "a SNOMED CT code cnopad does not map",
            code(SNOMED, "782102009", "semaglutide 1.34 mg/mL"),
            "code-not-in-value-sets",
        ),
        ("text only", {"text": "adalimumab 40 mg"}, "text-only"),
    ],
)
def test_a_draft_order_cnopad_cannot_check_gets_a_warning_card_never_a_silent_pass(
    http: HttpClient, ehr: SigningClient, case: str, concept: dict[str, Any], why: str
) -> None:
    orders = _orders(_draft("draft-x", concept))
    body = _post(
        http, ehr, ORDER_SIGN, _call("order-sign", _nsaid_patient(), pid="p1", context={"draftOrders": orders})
    )

    [warning] = _order_cards(body)
    assert warning["summary"].startswith("cnopad kon deze opdracht niet controleren")
    assert "context.draftOrders.entry[0].resource" in warning["detail"]
    assert why in {i["reason"] for i in body["extension"][EXTENSION]}


def test_order_select_warns_only_about_the_selected_order_it_could_not_check(
    http: HttpClient, ehr: SigningClient
) -> None:
    orders = _orders(_draft("unknown", code(LOCAL, "X-1")), _draft("ibuprofen", code(ATC, "M01AE01")))
    context = {"draftOrders": orders, "selections": ["MedicationRequest/ibuprofen"]}
    checked = _post(http, ehr, ORDER_SELECT, _call("order-select", _nsaid_patient(), pid="p1", context=context))
    context["selections"] = ["MedicationRequest/unknown"]
    unchecked = _post(http, ehr, ORDER_SELECT, _call("order-select", _nsaid_patient(), pid="p1", context=context))

    assert _order_cards(checked) == []
    assert len(_order_cards(unchecked)) == 1


def test_a_draft_orders_medication_is_fetched_and_the_order_is_checked(
    http: HttpClient, ehr: SigningClient, server: FakeFhirServer
) -> None:
    server.resources.append({"resourceType": "Medication", "id": "pam", "code": code(ATC, "M05BA03")})
    order = _draft("draft-pam", code(ATC, "M05BA03"))
    del order["medicationCodeableConcept"]
    order["medicationReference"] = {"reference": "Medication/pam"}
    call = _call("order-sign", _nsaid_patient(), pid="p1", context={"draftOrders": _orders(order)}, fhirServer=FHIR_BASE,
                 fhirAuthorization=AUTH)  # fmt: skip
    body = _post(http, ehr, ORDER_SIGN, call)

    assert "NHG-BP-ONJ-1" in _statements(body), "the pamidronate order is checked: no dental check on record"
    assert _order_cards(body) == []


# ------------------------------------------------------------------------------------ the fhirServer flow


def test_without_prefetch_the_fhir_server_is_asked_in_at_most_three_round_trips(
    cds: Container, ehr: SigningClient
) -> None:
    """Every search at once (1), the next pages together (2), the Medications in one search (3)."""
    record = _nsaid_patient(reference="Medication/naproxen")
    resources = [record["patient"]] + [
        e["resource"] for k, v in record.items() if k != "patient" and v for e in v["entry"]
    ]
    resources += [NAPROXEN, pain("o2", 6, "2026-09-01"), pain("o3", 6, "2026-08-01")]
    slow = FakeFhirServer({"entry": [{"resource": r} for r in resources]}, latency=0.05, page_size=2, includes=False)
    app = create_app(cds)
    app.state.fhir_transport = httpx.ASGITransport(app=slow)
    with HttpClient(app, base_url=BASE) as http:
        started = time.perf_counter()
        body = _post(
            http, ehr, PATIENT_VIEW, _call("patient-view", {}, pid="p1", fhirServer=FHIR_BASE, fhirAuthorization=AUTH)
        )
        elapsed = time.perf_counter() - started

    assert "NHG-BISPHOSPHONATE-1" in _statements(body)
    assert len(slow.requests) == len(PREFETCH) + 1 + 1, "15 searches, one next page, one Medication search"
    assert slow.round_trips() <= 3
    assert elapsed < 1.5, f"{elapsed:.2f} s (sequential requests would take at least {len(slow.requests) * 0.05:.2f} s)"
    print(f"\nfhirServer flow: {len(slow.requests)} requests, {slow.round_trips()} round trips, {elapsed:.3f} s")  # noqa: T201


# ------------------------------------------------------------------------------------ the peer's Synthea bodies

SYNTHEA = Path(__file__).resolve().parents[2] / "fixtures" / "ahrq_synthea"
#: cnopad's prefetch key for each resource type it asks for
_KEY_OF = {template.split("/")[0].split("?")[0]: key for key, template in PREFETCH.items()}


def _rekeyed(body: dict[str, Any]) -> dict[str, Any]:
    """The peer's body with its prefetch under cnopad's keys (by resource type; what cnopad does not ask for,
    such as MedicationDispense, left out; keys it has no data for null) and its Patient in context."""
    theirs = body["prefetch"]
    ours = dict.fromkeys(PREFETCH)
    for value in theirs.values():
        kind = value.get("resourceType") if value.get("resourceType") != "Bundle" else None
        kinds = {kind} if kind else {e["resource"]["resourceType"] for e in value.get("entry", [])}
        for k in kinds:
            if k in _KEY_OF:
                ours[_KEY_OF[k]] = value
    out = {k: v for k, v in body.items() if k not in ("prefetch", "fhirServer")}
    out["context"] = {**body["context"], "patientId": theirs["Patient"]["id"]}
    out["prefetch"] = ours
    return out


@pytest.mark.parametrize("name", ["Cher186_Crooks415.json", "unhealthy_patient.json"])
def test_the_peers_synthea_requests_are_answered_and_what_cnopad_cannot_read_is_listed(
    http: HttpClient, ehr: SigningClient, name: str
) -> None:
    body = json.loads((SYNTHEA / name).read_text(encoding="utf-8"))
    answer = _post(http, ehr, PATIENT_VIEW, _rekeyed(body))

    items = answer["extension"][EXTENSION]
    [info] = _info(answer)
    assert info["summary"].startswith(f"{len(items)} gegevens")
    assert {i["reason"] for i in items} <= {r.value for r in Reason}
    rxnorm = [
        f"prefetch.medicationRequests.entry[{n}].resource"
        for n, e in enumerate((body["prefetch"].get("MedicationRequest") or {}).get("entry", []))
        if e["resource"]["medicationCodeableConcept"]["coding"][0]["system"] == RXNORM
    ]
    for where in rxnorm:
        assert any(i["location"].startswith(where) for i in items), f"{where} is named as not understood"
    listed_conditions = {i["location"].split(".resource")[0] for i in items if ".conditions." in i["location"]}
    assert listed_conditions, "SNOMED CT conditions cnopad has no use for are named, not dropped silently"


def test_a_peer_body_whose_context_names_another_patient_than_its_prefetch_is_refused(
    http: HttpClient, ehr: SigningClient
) -> None:
    body = _rekeyed(json.loads((SYNTHEA / "Cher186_Crooks415.json").read_text(encoding="utf-8")))
    body["context"]["patientId"] = "2-1"  # what the peer's file says; its Patient is another id
    response = http.post(PATIENT_VIEW, json=body, headers=ehr.auth(PATIENT_VIEW))

    assert response.status_code == 412
    assert "'2-1'" in response.json()["detail"] and "1818afec-ef81-4c14-9ecf-0541f2ee9b22" in response.json()["detail"]
