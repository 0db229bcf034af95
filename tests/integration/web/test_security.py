"""Attacks on the web app: escaping, CSRF, another GP's patient by URL, security headers, researchers."""

from __future__ import annotations

import httpx
import pytest

from integration.web.conftest import Served, csrf_of, sign_in
from integration.web.factories import entry_count


@pytest.mark.parametrize(
    "path", ["/login", "/worklist", "/patients/pt-own", "/leaflets/adult", "/statements/NHG-GOAL-1"]
)
def test_every_page_carries_the_security_headers(gp: httpx.Client, path: str) -> None:
    headers = gp.get(path).headers
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"


def test_pages_with_patient_data_are_never_cached(gp: httpx.Client) -> None:
    assert gp.get("/patients/pt-own").headers["cache-control"] == "no-store"


def test_a_patient_name_with_a_script_tag_renders_as_text(gp: httpx.Client) -> None:
    for path in ("/worklist", "/patients/pt-xss"):
        html = gp.get(path).text
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Evil" in html


def test_a_gp_cannot_open_another_gps_patient_by_url(served: Served, gp: httpx.Client) -> None:
    for path in ("/patients/pt-other", "/patients/pt-other/care-plan.pdf", "/patients/no-such-patient"):
        response = gp.get(path)
        assert response.status_code == 403
        assert "Bea Smit" not in response.text
    with served.container.unit(served.container.operator()) as uow:
        refused = [e for e in uow.audit.events(limit=100) if e.action == "refused"]
    assert {e.patient_id for e in refused} >= {"pt-other", "no-such-patient"}
    assert all(e.user == "gp-one" and e.channel == "web" for e in refused)


def test_the_expertise_centre_opens_every_patient(served: Served) -> None:
    client = sign_in(served.url, "lumc")
    assert client.get("/patients/pt-other").status_code == 200


def test_a_form_without_its_csrf_token_is_rejected_and_saves_nothing(served: Served, gp: httpx.Client) -> None:
    before = entry_count(served.container, "pt-own")
    response = gp.post("/patients/pt-own/record/pain", data={"score": "4", "date": "2026-11-20"})
    assert response.status_code == 403
    forged = gp.post("/patients/pt-own/record/pain", data={"score": "4", "date": "2026-11-20", "csrf_token": "forged"})
    assert forged.status_code == 403
    assert entry_count(served.container, "pt-own") == before


def test_a_csrf_token_of_another_session_is_rejected(served: Served, gp: httpx.Client) -> None:
    other = sign_in(served.url, "lumc")
    token = csrf_of(other.get("/patients/pt-own").text)
    response = gp.post("/patients/pt-own/record/pain", data={"score": "4", "date": "2026-11-20", "csrf_token": token})
    assert response.status_code == 403


def test_a_researcher_gets_an_empty_worklist_with_the_reason(served: Served) -> None:
    client = sign_in(served.url, "researcher")
    page = client.get("/worklist")
    assert page.status_code == 200
    assert "Onderzoekers zien geen herleidbare patiëntdossiers" in page.text
    assert "Ada de Wit" not in page.text
    assert client.get("/patients/pt-own").status_code == 403


def test_an_unknown_patient_id_with_odd_characters_is_not_found(gp: httpx.Client) -> None:
    assert gp.get("/patients/..%2F..%2Fetc").status_code in (403, 404)
    assert gp.get("/patients/" + "x" * 65).status_code == 404


def test_the_api_documentation_is_served_under_the_page_policy(served: Served) -> None:
    with httpx.Client(base_url=served.url) as client:
        docs = client.get("/docs")
    assert docs.status_code == 200
    assert "script-src 'self'" in docs.headers["content-security-policy"]
    assert docs.headers["x-content-type-options"] == "nosniff"
