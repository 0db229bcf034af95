"""Role separation in the web app: an administrator signs in but opens, lists and records no clinical data."""

from __future__ import annotations

from cnopad.domain.access import Role
from integration.web.conftest import Served, csrf_of, sign_in
from integration.web.factories import add_user, entry_count


def _last_action(served: Served, user: str) -> str:
    with served.container.unit(served.container.operator()) as uow:
        return next(e.action for e in uow.audit.events(limit=200) if e.user == user)


def test_an_administrator_opens_no_patient_page_and_sees_why(served: Served) -> None:
    add_user(served.container, "beheer", Role.ADMIN)
    admin = sign_in(served.url, "beheer")
    for path in ("/patients/pt-own", "/patients/pt-own/care-plan.pdf"):
        page = admin.get(path)
        assert page.status_code == 403
        assert "Ada de Wit" not in page.text
        assert "beheerder" in page.text.lower()
    assert _last_action(served, "beheer") == "refused"


def test_an_administrator_gets_no_worklist_content(served: Served) -> None:
    add_user(served.container, "beheer", Role.ADMIN)
    admin = sign_in(served.url, "beheer")
    page = admin.get("/worklist")
    assert page.status_code == 403
    assert "Ada de Wit" not in page.text and "Bea Smit" not in page.text
    assert _last_action(served, "beheer") == "refused"


def test_an_administrator_cannot_save_a_pain_score(served: Served) -> None:
    add_user(served.container, "beheer", Role.ADMIN)
    admin = sign_in(served.url, "beheer")
    token = csrf_of(admin.get("/leaflets/adult").text)  # the sign-out form carries the session's token
    before = entry_count(served.container, "pt-own")
    response = admin.post(
        "/patients/pt-own/record/pain", data={"score": "4", "date": "2026-11-20", "csrf_token": token}
    )
    assert response.status_code == 403
    assert entry_count(served.container, "pt-own") == before
    assert _last_action(served, "beheer") == "refused"
