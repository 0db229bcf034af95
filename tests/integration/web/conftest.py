"""A real uvicorn on 127.0.0.1 (a free port) serving the app on a temporary SQLite file, and a client
that signs in the way a browser does (CSRF token from the form, session cookie)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from cnopad.bootstrap import Container
from cnopad.domain.access import Role
from integration.web.factories import GP1, GP2, PASSWORD, add_user, adult_record
from integration.web.server import Served, serve

CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


@pytest.fixture
def served(container: Container) -> Iterator[Served]:
    """The app with two GPs, a researcher, the expertise centre, and three patients."""
    add_user(container, "gp-one", Role.GP, GP1)
    add_user(container, "gp-two", Role.GP, GP2)
    add_user(container, "researcher", Role.RESEARCHER)
    add_user(container, "lumc", Role.EXPERTISE_CENTRE, (GP1[0], "01999103"))
    adult_record(container, "pt-own", name="Ada de Wit", gp=GP1)
    adult_record(container, "pt-other", name="Bea Smit", gp=GP2)
    adult_record(container, "pt-xss", name="<script>alert('x')</script> Evil", gp=GP1)
    for url in serve(container):
        yield Served(url, container)


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF.search(html)
    assert found, "no csrf_token on the page"
    return found.group(1)


def sign_in(url: str, name: str, password: str = PASSWORD) -> httpx.Client:
    """A client signed in as ``name`` (fails the test when sign-in fails)."""
    client = httpx.Client(base_url=url, follow_redirects=False, timeout=30)
    page = client.get("/login")
    response = client.post("/login", data={"name": name, "password": password, "csrf_token": csrf_of(page.text)})
    assert response.status_code == 303, response.text[:500]
    return client


@pytest.fixture
def gp(served: Served) -> Iterator[httpx.Client]:
    """A client signed in as the first GP."""
    client = sign_in(served.url, "gp-one")
    yield client
    client.close()
