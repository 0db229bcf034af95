"""Emergency access in the web app: the 403 page of a patient outside the care team offers a form (reason
required, CSRF-protected); once granted, the page says so, the care-team form is gone, and the patient's
page shows who opened the record, when and why."""

from __future__ import annotations

import re

import httpx

from integration.web.conftest import Served, csrf_of, sign_in

REASON = "Patiënt op de SEH met acute pijn op de borst, eigen huisarts onbereikbaar"


def _grants(served: Served, patient_id: str) -> list[str]:
    with served.container.unit(served.container.operator()) as uow:
        return [g.user for g in uow.emergency.for_patient(patient_id)]


def test_the_403_page_of_another_gps_patient_offers_emergency_access(gp: httpx.Client) -> None:
    page = gp.get("/patients/pt-other")
    assert page.status_code == 403
    assert "Bea Smit" not in page.text
    assert "Noodtoegang" in page.text
    assert 'action="/patients/pt-other/emergency-access"' in page.text
    assert 'name="csrf_token" value="' in page.text and 'name="reason"' in page.text
    english = gp.get("/patients/pt-other?lang=en")
    assert "Emergency access" in english.text and "Open with emergency access" in english.text


def test_emergency_access_without_a_reason_is_refused_next_to_the_field(served: Served, gp: httpx.Client) -> None:
    token = csrf_of(gp.get("/patients/pt-other").text)
    response = gp.post("/patients/pt-other/emergency-access", data={"reason": "  ", "csrf_token": token})
    short = gp.post("/patients/pt-other/emergency-access", data={"reason": "spoed", "csrf_token": token})
    assert response.status_code == short.status_code == 422
    assert 'id="emergency-reason-error"' in response.text and "Vul dit in." in response.text
    assert "Te kort" in short.text and ">spoed</textarea>" in short.text
    assert _grants(served, "pt-other") == []
    assert gp.get("/patients/pt-other").status_code == 403


def test_emergency_access_without_the_csrf_token_grants_nothing(served: Served, gp: httpx.Client) -> None:
    response = gp.post("/patients/pt-other/emergency-access", data={"reason": REASON})
    assert response.status_code == 403
    assert _grants(served, "pt-other") == []


def test_with_emergency_access_a_gp_opens_the_record_and_the_page_shows_who_why_and_until_when(
    served: Served, gp: httpx.Client
) -> None:
    token = csrf_of(gp.get("/patients/pt-other").text)
    granted = gp.post("/patients/pt-other/emergency-access", data={"reason": REASON, "csrf_token": token})
    assert granted.status_code == 303 and granted.headers["location"] == "/patients/pt-other"

    page = gp.get("/patients/pt-other")

    assert page.status_code == 200
    assert "Bea Smit" in page.text
    assert "U hebt dit dossier geopend met noodtoegang, tot 23 nov 2026 16:00 UTC" in page.text
    log = re.search(r'<section id="emergency-access".*?</section>', page.text, re.S)
    assert log is not None
    assert "gp-one" in log.group(0) and REASON in log.group(0)
    assert 'id="form-care_team"' not in page.text  # emergency access never changes the care team
    with served.container.unit(served.container.operator()) as uow:
        events = uow.audit.events(patient_id="pt-other", limit=10)
    assert any(e.action == "break-glass" and e.user == "gp-one" and REASON in e.detail for e in events)


def test_the_care_team_sees_who_opened_their_patient_by_emergency_access(served: Served, gp: httpx.Client) -> None:
    token = csrf_of(gp.get("/patients/pt-other").text)
    gp.post("/patients/pt-other/emergency-access", data={"reason": REASON, "csrf_token": token})
    own_gp = sign_in(served.url, "gp-two")
    page = own_gp.get("/patients/pt-other?lang=en").text
    assert "Emergency access to this record" in page and "gp-one" in page and REASON in page
    assert "You opened this record with emergency access" not in page


def test_with_emergency_access_a_gp_saves_a_pain_score(served: Served, gp: httpx.Client) -> None:
    token = csrf_of(gp.get("/patients/pt-other").text)
    gp.post("/patients/pt-other/emergency-access", data={"reason": REASON, "csrf_token": token})
    saved = gp.post("/patients/pt-other/record/pain", data={"score": "8", "date": "2026-11-23", "csrf_token": token})
    assert saved.status_code == 303
    with served.container.unit(served.container.operator()) as uow:
        newest = uow.audit.events(patient_id="pt-other", limit=1)[0]
    assert (newest.action, newest.purpose) == ("record", "emergency access")


def test_the_expertise_centre_asking_for_emergency_access_simply_opens_the_record(served: Served) -> None:
    lumc = sign_in(served.url, "lumc")
    token = csrf_of(lumc.get("/patients/pt-other").text)
    response = lumc.post("/patients/pt-other/emergency-access", data={"reason": REASON, "csrf_token": token})
    assert response.status_code == 303
    assert _grants(served, "pt-other") == []
