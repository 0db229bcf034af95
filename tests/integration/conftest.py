"""Fixtures shared by the integration tests that drive the demo app over the REST API and CDS Hooks (the input
rules and the route fuzzing): a signing EHR, the demo patients on each real database, a test client and an
expertise-centre user. One definition, so both suites test the same app, users and tokens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cnopad.api import create_app
from cnopad.bootstrap import Container
from cnopad.domain.access import Role
from cnopad.services.demo import load_demo
from cnopad.services.users import add_user
from conftest import TODAY  # type: ignore[import-not-found]
from support.cds_client import BASE, SigningClient


@pytest.fixture
def ehr(tmp_path: Path) -> SigningClient:
    """An EHR that signs its CDS Hooks calls, with a clients file the app trusts."""
    return SigningClient(tmp_path)


@pytest.fixture
def demo_container(make_container: Callable[..., Container], ehr: SigningClient) -> Container:
    """The demo patients on each real database (SQLite and PostgreSQL), the signing EHR trusted."""
    container = make_container(base_url=BASE, cds_clients=ehr.clients_file())
    load_demo(lambda: container.unit(container.operator()), valuesets=container.knowledge.valuesets, today=TODAY)
    return container


@pytest.fixture
def demo_http(demo_container: Container) -> Iterator[TestClient]:
    """The app on the demo database; a server error comes back as a 500 response (never raised into the test)."""
    with TestClient(create_app(demo_container), base_url=BASE, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def centre_auth(demo_container: Container) -> dict[str, str]:
    """The bearer header of an expertise-centre user, who may read and write every demo record."""
    with demo_container.unit(demo_container.operator()) as uow:
        _, token = add_user(uow, "expertise-centre", Role.EXPERTISE_CENTRE)
    return {"Authorization": f"Bearer {token}"}
