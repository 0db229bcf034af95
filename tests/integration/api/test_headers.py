"""Response headers set in one place: no caching of anything but static assets (every route of the app is
tried, so a new route is covered), HSTS when configured, and the API documentation served from cnopad itself
under a Content-Security-Policy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient as HttpClient

from cnopad.api import create_app
from cnopad.bootstrap import Container
from cnopad.domain.access import Role
from cnopad.services.cds import PREFETCH
from cnopad.settings import Settings
from cnopad.store import Store, make_engine, migrate
from conftest import fixed_clock  # type: ignore[import-not-found]
from integration.web.factories import GP1, adult_record
from support.cds_client import BASE, SigningClient

TOKEN = "admin-api-token-for-the-header-tests-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PARAMS = {"patient_id": "pt-1", "service_id": "cnopad-patient-view", "audience": "adult", "statement_id": "NHG-GOAL-1"}


def _container(tmp_path: Path, kb: object, **settings: object) -> Container:
    config = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'h.db'}", base_url=BASE, **settings)  # type: ignore[arg-type]
    engine = make_engine(config.database)
    migrate(engine)
    container = Container(settings=config, store=Store(engine, fixed_clock), knowledge=kb, clock=fixed_clock)  # type: ignore[arg-type]
    with container.unit(container.operator()) as uow:
        uow.users.add("api-centre", Role.EXPERTISE_CENTRE, token=TOKEN)
        uow.commit()
    adult_record(container, "pt-1", name="Ada de Wit", gp=GP1)
    return container


@pytest.fixture
def ehr(tmp_path: Path) -> SigningClient:
    return SigningClient(tmp_path)


@pytest.fixture
def app(tmp_path: Path, kb: object, ehr: SigningClient) -> FastAPI:
    return create_app(_container(tmp_path, kb, cds_clients=ehr.clients_file()))


@pytest.fixture
def http(app: FastAPI) -> Iterator[HttpClient]:
    with HttpClient(app, base_url=BASE) as client:
        yield client


def _every_route(app: FastAPI) -> list[tuple[str, str]]:
    """(method, concrete path) for every route of the app except the static files."""
    found = []
    for context in iter_route_contexts(app.routes):
        if context.path.startswith("/static") or not context.methods:
            continue
        path = re.sub(r"\{(\w+)\}", lambda m: PARAMS.get(m.group(1), "x"), context.path)
        found.extend((method, path) for method in sorted(context.methods - {"HEAD"}))
    return found


def test_no_response_of_any_route_may_be_cached(app: FastAPI, http: HttpClient) -> None:
    routes = _every_route(app)
    assert len(routes) > 30, "the route list must not be empty"
    cached = []
    for method, path in routes:
        response = http.request(method, path, headers=AUTH, json={} if method == "POST" else None)
        if response.headers.get("cache-control") != "no-store":
            cached.append(f"{method} {path} -> {response.status_code} {response.headers.get('cache-control')}")
    assert cached == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/patients",
        "/api/patients/pt-1",
        "/api/patients/pt-1/assessment",
        "/api/patients/pt-1/tasks",
        "/api/patients/pt-1/information",
        "/api/patients/pt-1/fhir",
        "/api/patients/pt-1/careplan",
    ],
)
def test_api_responses_with_patient_data_are_no_store(http: HttpClient, path: str) -> None:
    response = http.get(path, headers=AUTH)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"


def test_cds_cards_are_no_store(http: HttpClient, ehr: SigningClient) -> None:
    path = "/cds-services/cnopad-patient-view"
    body = {
        "hook": "patient-view",
        "hookInstance": "0f3a4f2e-1f0b-4d8e-9d2c-5a6b7c8d9e01",
        "context": {"userId": "Practitioner/huisarts", "patientId": "p1"},
        "prefetch": {key: None for key in PREFETCH}
        | {"patient": {"resourceType": "Patient", "id": "p1", "birthDate": "1979-05-04", "gender": "female"}},
    }
    response = http.post(path, json=body, headers=ehr.auth(path))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"


def test_static_assets_may_be_cached(http: HttpClient) -> None:
    response = http.get("/static/cnopad.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("cache-control", "")


def test_hsts_is_off_by_default(http: HttpClient) -> None:
    assert "strict-transport-security" not in http.get("/healthz").headers


def test_hsts_is_sent_on_every_response_when_configured(tmp_path: Path, kb: object) -> None:
    app = create_app(_container(tmp_path, kb, hsts_seconds=31536000))
    with HttpClient(app, base_url=BASE) as http:
        for path in ("/healthz", "/login", "/api/patients", "/static/cnopad.css", "/docs", "/no-such-page"):
            hsts = http.get(path).headers.get("strict-transport-security")
            assert hsts == "max-age=31536000; includeSubDomains", path


def test_the_api_documentation_loads_nothing_from_another_host_and_has_a_csp(http: HttpClient) -> None:
    docs = http.get("/docs")
    assert docs.status_code == 200
    html = docs.text
    assets = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)["\']', html)
    assert assets, "the page loads its script and style"
    assert [a for a in assets if not a.startswith("/")] == []
    assert "http://" not in html and "https://" not in html
    assert "<script>" not in html.replace(" ", ""), "no inline script"
    for asset in assets:
        assert http.get(asset).status_code == 200, asset
    csp = docs.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src is not None and script_src.group(1).strip() == "'self'"
    assert "frame-ancestors 'none'" in csp
    assert docs.headers["x-content-type-options"] == "nosniff"


def test_redoc_from_a_cdn_is_not_offered(http: HttpClient) -> None:
    assert http.get("/redoc").status_code == 404
