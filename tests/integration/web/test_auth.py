"""Signing in and out: argon2 password check, lock-out, CSRF on the sign-in form, session cookie, redirects."""

from __future__ import annotations

from datetime import timedelta

import httpx

from cnopad.services import auth
from integration.web.conftest import Served, csrf_of, sign_in


def _try(client: httpx.Client, name: str, password: str) -> httpx.Response:
    page = client.get("/login")
    return client.post("/login", data={"name": name, "password": password, "csrf_token": csrf_of(page.text)})


def _audit_actions(served: Served) -> list[str]:
    with served.container.unit(served.container.operator()) as uow:
        return [e.action for e in uow.audit.events(limit=1000)]


def test_signing_in_with_the_right_password_opens_the_worklist(served: Served) -> None:
    client = sign_in(served.url, "gp-one")
    page = client.get("/worklist")
    assert page.status_code == 200
    assert "Ada de Wit" in page.text
    assert "login" in _audit_actions(served)


def test_the_stored_password_is_an_argon2id_hash_not_the_password(served: Served) -> None:
    with served.container.unit(served.container.operator()) as uow:
        stored = uow.users.password_hash("gp-one")
    assert stored is not None
    assert stored.startswith("$argon2id$")


def test_a_wrong_password_gets_the_same_answer_as_an_unknown_user(served: Served) -> None:
    with httpx.Client(base_url=served.url) as client:
        wrong = _try(client, "gp-one", "not the password")
        unknown = _try(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "cnopad_session" not in wrong.headers.get("set-cookie", "")
    message = "De naam of het wachtwoord klopt niet"
    assert message in wrong.text
    assert message in unknown.text


def test_five_failed_attempts_lock_the_account_even_for_the_right_password(served: Served) -> None:
    with httpx.Client(base_url=served.url) as client:
        for _ in range(auth.LOCKOUT_AFTER):
            assert _try(client, "gp-two", "wrong").status_code == 401
        locked = _try(client, "gp-two", "correct horse battery staple")
    assert locked.status_code == 401
    with served.container.unit(served.container.operator()) as uow:
        user = uow.users.by_name("gp-two")
    assert user is not None and user.locked_until is not None
    assert user.locked_until - served.container.clock() == timedelta(minutes=auth.LOCKOUT_MINUTES)
    assert _audit_actions(served).count("login-refused") == auth.LOCKOUT_AFTER + 1


def test_signing_in_without_the_form_token_is_refused(served: Served) -> None:
    with httpx.Client(base_url=served.url) as client:
        client.get("/login")
        response = client.post("/login", data={"name": "gp-one", "password": "correct horse battery staple"})
    assert response.status_code == 403
    assert "cnopad_session" not in response.headers.get("set-cookie", "")


def test_the_session_cookie_is_httponly_and_samesite_lax(served: Served) -> None:
    with httpx.Client(base_url=served.url) as client:
        response = _try(client, "gp-one", "correct horse battery staple")
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("cnopad_session=")
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


def test_signing_out_ends_the_session_on_the_server(served: Served) -> None:
    client = sign_in(served.url, "gp-one")
    stolen = client.cookies.get("cnopad_session")
    page = client.get("/worklist")
    assert client.post("/logout", data={"csrf_token": csrf_of(page.text)}).status_code == 303
    with httpx.Client(base_url=served.url, cookies={"cnopad_session": stolen or ""}) as replay:
        assert replay.get("/worklist").status_code == 303


def test_pages_send_an_anonymous_visitor_to_sign_in_and_back(served: Served) -> None:
    with httpx.Client(base_url=served.url) as client:
        response = client.get("/patients/pt-own")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/patients/pt-own"


def test_sign_in_never_redirects_to_another_site(served: Served) -> None:
    with httpx.Client(base_url=served.url) as client:
        page = client.get("/login")
        response = client.post(
            "/login",
            data={
                "name": "gp-one",
                "password": "correct horse battery staple",
                "csrf_token": csrf_of(page.text),
                "next": "//evil.example/steal",
            },
        )
    assert response.headers["location"] == "/worklist"
