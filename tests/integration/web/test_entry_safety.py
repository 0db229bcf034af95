"""Safe entry through the forms, over real HTTP on SQLite and PostgreSQL: lab units from the value sets
(converted exactly or refused at the unit field), every task closable from a form (the child's blood and
urine tests, the expertise-centre review), a live vaccine under a TNF-alpha inhibitor raising its card in
the saved page, voiding an entry with a reason (history, engine, FHIR export), and a form sent after the
session ended (the sign-in box instead of a lost form)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import httpx

from cnopad.bootstrap import Container
from cnopad.domain import (
    CareRole,
    CareTeamMember,
    Coding,
    Concept,
    Condition,
    Identifier,
    MedicationUse,
    Patient,
    PatientRecord,
    Sex,
)
from cnopad.engine import TaskStatus, assess
from cnopad.services import records as record_service
from cnopad.store.tables import web_sessions
from integration.web.conftest import Served, csrf_of, sign_in
from integration.web.factories import GP1, entry_count

TODAY = date(2026, 11, 23)  # the fixed clock of tests/conftest.py


def _post(client: httpx.Client, patient: str, form: str, data: dict[str, Any]) -> httpx.Response:
    page = client.get(f"/patients/{patient}")
    return client.post(
        f"/patients/{patient}/record/{form}",
        data={**data, "csrf_token": csrf_of(page.text)},
        headers={"HX-Request": "true"},
    )


def _stored(container: Container, patient: str) -> PatientRecord:
    with container.unit(container.operator()) as uow:
        return uow.records.get(patient, purpose="test", audit=False)


def _child_on_naproxen(container: Container) -> None:
    """A synthetic 10-year-old with CRMO on naproxen since January, no blood or urine tests since."""
    vs = container.knowledge.valuesets
    crmo = vs.coding_for(Concept.CRMO)
    naproxen = Coding("http://www.whocc.no/atc", "M01AE02", "naproxen")
    record = PatientRecord.build(
        Patient("pt-child", date(2016, 3, 3), Sex.MALE, "Kees Kind", synthetic=True),
        [
            Condition("pt-child-dx", (crmo,), vs.concepts((crmo,)), recorded=date(2025, 9, 10)),
            MedicationUse("pt-child-nsaid", (naproxen,), vs.concepts((naproxen,)), start=date(2026, 1, 1)),
            CareTeamMember("pt-child-gp", frozenset({CareRole.GP}), "Dr. Jansen", Identifier(*GP1)),
        ],
    )
    with container.unit(container.operator()) as uow:
        uow.records.save(record, purpose="test")
        uow.commit()


def _task(container: Container, patient: str, kind: str) -> TaskStatus:
    tasks = [t for t in assess(_stored(container, patient), TODAY).tasks if t.kind == kind]
    assert len(tasks) == 1, tasks
    return tasks[0].status


# ---------------------------------------------------------------------------------------------- units
def test_a_crp_in_a_unit_of_another_test_is_refused_at_the_unit_field_and_nothing_is_saved(
    served: Served, gp: httpx.Client
) -> None:
    before = entry_count(served.container, "pt-own")
    response = _post(gp, "pt-own", "lab", {"test": "1988-5", "value": "12", "unit": "mmol/L", "date": "2026-11-10"})
    assert response.status_code == 422
    message = re.search(r'id="lab-unit-error">([^<]+)<', response.text)
    assert message, response.text[:2000]
    assert message.group(1).startswith("Eenheid: mmol/L past niet")  # names the field and the unit
    assert "mg/L" in message.group(1)  # and says which units fit
    assert entry_count(served.container, "pt-own") == before


def test_a_crp_in_mg_per_decilitre_is_stored_in_mg_per_litre(served: Served, gp: httpx.Client) -> None:
    response = _post(gp, "pt-own", "lab", {"test": "1988-5", "value": "1,25", "unit": "mg/dL", "date": "2026-11-10"})
    assert response.status_code == 200, response.text[:2000]
    crp = next(o for o in _stored(served.container, "pt-own").observations if Concept.CRP in o.concepts)
    assert (str(crp.value.value), crp.value.unit) == ("12.5", "mg/L")  # type: ignore[union-attr]


def test_the_lab_form_offers_only_units_of_the_value_sets(gp: httpx.Client) -> None:
    page = gp.get("/patients/pt-own").text
    select = re.search(r'<select id="lab-unit" name="unit"[^>]*>(.*?)</select>', page, re.S)
    assert select
    offered = set(re.findall(r'<option value="([^"]+)"', select.group(1)))
    assert {"mg/L", "mg/dL", "mm/h", "umol/L", "g/dL", "10*9/L", "mg/mg"} <= offered
    assert "mg" not in offered  # a dose unit is no lab unit


# ---------------------------------------------------------------------------------------------- tasks
def test_the_childs_blood_and_urine_tests_close_the_overdue_monitoring_task(served: Served, gp: httpx.Client) -> None:
    _child_on_naproxen(served.container)
    assert _task(served.container, "pt-child", "child_monitoring") is TaskStatus.OVERDUE
    blood = _post(gp, "pt-child", "lab", {"test": "718-7", "value": "12.1", "unit": "g/dL", "date": "2026-11-20"})
    assert blood.status_code == 200, blood.text[:2000]
    # a urinalysis is done or not: it takes no value
    refused = _post(gp, "pt-child", "lab", {"test": "24356-8", "value": "3", "unit": "", "date": "2026-11-20"})
    assert refused.status_code == 422 and 'id="lab-value-error"' in refused.text
    urine = _post(gp, "pt-child", "lab", {"test": "24356-8", "value": "", "unit": "", "date": "2026-11-20"})
    assert urine.status_code == 200, urine.text[:2000]
    assert _task(served.container, "pt-child", "child_monitoring") is TaskStatus.UPCOMING


def test_an_expertise_centre_review_is_recorded_with_the_contact_form(served: Served, gp: httpx.Client) -> None:
    response = _post(gp, "pt-own", "contact", {"contact": "expertise_centre_review", "date": "2026-11-03"})
    assert response.status_code == 200, response.text[:2000]
    record = _stored(served.container, "pt-own")
    assert any(Concept.EXPERTISE_CENTRE_REVIEW in e.concepts for e in record.encounters)


# ---------------------------------------------------------------------------------------------- engine
def test_a_live_vaccine_given_under_a_tnf_inhibitor_raises_the_alert_in_the_saved_page(
    served: Served, gp: httpx.Client
) -> None:
    start = _post(gp, "pt-own", "medication_start", {"drug": "L04AB04", "start": "2026-06-01"})
    assert start.status_code == 200
    assert "Levend vaccin gegeven" not in start.text
    saved = _post(gp, "pt-own", "vaccination", {"vaccine": "J07BD52", "date": "2026-11-20"})
    assert saved.status_code == 200
    card = re.search(r'<section id="assessment".*?</section>', saved.text, re.S)
    assert card and "Levend vaccin gegeven tijdens corticosteroïd, methotrexaat of TNF-alfaremmer" in card.group(0)
    assert "Levend vaccin gegeven" in gp.get("/patients/pt-own").text


# ---------------------------------------------------------------------------------------------- voiding
def test_a_voided_entry_keeps_its_history_leaves_the_advice_and_is_exported_as_entered_in_error(
    served: Served, gp: httpx.Client
) -> None:
    _post(gp, "pt-own", "pain", {"score": "9", "date": "2026-11-20"})
    pain = next(o for o in _stored(served.container, "pt-own").observations if o.id.startswith("web-pain-"))
    page = gp.get("/patients/pt-own").text
    row = re.search(rf'<tr id="entry-observations-{pain.id}".*?</tr>', page, re.S)
    assert row and "gp-one" in row.group(0) and "vastgelegd" in row.group(0) and "UTC" in row.group(0)
    # the timeline's table names the author and time of each pain score and infusion too
    assert re.search(r"<td>Pijnscore 9</td><td>gp-one \(huisarts\), [^<]+ UTC</td>", page)
    url = f"/patients/pt-own/entries/observations/{pain.id}/void"

    missing = gp.post(url, data={"reason": " ", "csrf_token": csrf_of(page)}, headers={"HX-Request": "true"})
    assert missing.status_code == 422 and "Vul dit in." in missing.text
    assert any(o.id == pain.id for o in _stored(served.container, "pt-own").observations)

    voided = gp.post(
        url, data={"reason": "Score of another patient", "csrf_token": csrf_of(page)}, headers={"HX-Request": "true"}
    )
    assert voided.status_code == 200, voided.text[:2000]
    row = re.search(rf'<tr id="entry-observations-{pain.id}".*?</tr>', voided.text, re.S)
    assert row and "Ingetrokken" in row.group(0) and "Score of another patient" in row.group(0)
    assert all(o.id != pain.id for o in _stored(served.container, "pt-own").observations)
    with served.container.unit(served.container.operator()) as uow:
        bundle = record_service.export_bundle(uow, "pt-own", valuesets=served.container.knowledge.valuesets)
        events = uow.audit.events(patient_id="pt-own", limit=10)
    exported = next(e["resource"] for e in bundle["entry"] if e["resource"]["id"] == pain.id)
    assert exported["status"] == "entered-in-error"
    void_event = next(e for e in events if e.action == "void")
    assert (void_event.user, void_event.channel) == ("gp-one", "web")
    assert "another patient" not in void_event.detail  # free text stays out of the audit detail

    again = gp.post(url, data={"reason": "twice", "csrf_token": csrf_of(page)}, headers={"HX-Request": "true"})
    assert again.status_code == 404  # nothing current to void


def test_another_gp_cannot_void_an_entry_of_a_patient_outside_their_care_team(served: Served) -> None:
    other = sign_in(served.url, "gp-two")
    page = other.get("/worklist").text
    response = other.post(
        "/patients/pt-own/entries/observations/pt-own-pain/void",
        data={"reason": "not mine", "csrf_token": csrf_of(page)},
    )
    assert response.status_code == 403
    assert any(o.id == "pt-own-pain" for o in _stored(served.container, "pt-own").observations)


def test_an_entry_id_longer_than_its_column_is_refused_naming_the_field_and_never_cut(
    served: Served, gp: httpx.Client
) -> None:
    page = gp.get("/patients/pt-own").text
    before = entry_count(served.container, "pt-own")
    # the id of a current entry, made one character longer than the entries table's column (128): cutting it
    # would look up another id; it is refused before anything is read, naming the field in each language
    too_long = "pt-own-pain" + "x" * (129 - len("pt-own-pain"))
    for lang, message in (
        ("nl", "entry_id: Te lang: hoogstens 128 tekens."),
        ("en", "entry_id: Too long: at most 128 characters."),
    ):
        response = gp.post(
            f"/patients/pt-own/entries/observations/{too_long}/void?lang={lang}",
            data={"reason": "Wrong patient", "csrf_token": csrf_of(page)},
        )
        assert response.status_code == 400, response.text[:500]
        assert message in response.text
    assert entry_count(served.container, "pt-own") == before
    assert any(o.id == "pt-own-pain" for o in _stored(served.container, "pt-own").observations)
    # at the column's length the id is looked up as it is: no such entry, nothing voided
    at_limit = gp.post(
        f"/patients/pt-own/entries/observations/{'x' * 128}/void",
        data={"reason": "Wrong patient", "csrf_token": csrf_of(page)},
    )
    assert at_limit.status_code == 404
    assert any(o.id == "pt-own-pain" for o in _stored(served.container, "pt-own").observations)


# ---------------------------------------------------------------------------------------------- session
def test_a_form_sent_after_the_session_ended_gets_the_sign_in_box_and_nothing_is_saved(
    served: Served, gp: httpx.Client
) -> None:
    page = gp.get("/patients/pt-own?lang=en").text
    with served.container.unit(served.container.operator()) as uow:
        uow.session.execute(web_sessions.delete())  # the session ends (as after 60 idle minutes)
        uow.commit()
    before = entry_count(served.container, "pt-own")
    response = gp.post(
        "/patients/pt-own/record/pain",
        data={"score": "4", "date": "2026-11-22", "csrf_token": csrf_of(page)},
        headers={"HX-Request": "true", "HX-Current-URL": f"{served.url}/patients/pt-own"},
    )
    assert response.status_code == 401
    assert response.headers["x-cnopad-session"] == "expired"
    assert "Session expired — log in again" in response.text
    assert 'name="next" value="/patients/pt-own"' in response.text
    assert entry_count(served.container, "pt-own") == before
    # signing in with the box's token works (the double-submit cookie came with the 401)
    login = gp.post(
        "/login",
        data={
            "name": "gp-one",
            "password": "correct horse battery staple",
            "next": "/patients/pt-own",
            "csrf_token": csrf_of(response.text),
        },
    )
    assert login.status_code == 303 and login.headers["location"] == "/patients/pt-own"


def test_a_plain_form_without_any_session_is_still_refused_before_anything_else(served: Served) -> None:
    anonymous = httpx.Client(base_url=served.url, follow_redirects=False, timeout=30)
    response = anonymous.post("/patients/pt-own/record/pain", data={"score": "4", "date": "2026-11-22"})
    assert response.status_code == 403
