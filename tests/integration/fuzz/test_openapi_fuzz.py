"""Schemathesis over the whole OpenAPI schema (REST and CDS Hooks routes): no 5xx, every response
matches the documented schema. Requests are authenticated (an admin API token; a signed CDS Hooks JWT)."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from cnopad.api import create_app
from cnopad.bootstrap import Container
from cnopad.domain.access import Role
from cnopad.services.demo import load_demo
from cnopad.services.users import add_user
from cnopad.settings import Settings
from cnopad.store import Store, make_engine, migrate
from conftest import TODAY, fixed_clock  # type: ignore[import-not-found]
from support.cds_client import SigningClient

BASE = "http://localhost"
FOLDER = Path(__file__).resolve().parent


def _app_and_credentials(folder: Path) -> tuple[object, str, SigningClient]:
    from cnopad.knowledge import knowledge

    ehr = SigningClient(folder)
    config = Settings(
        data_dir=folder, database_url=f"sqlite:///{folder / 'fuzz.db'}", base_url=BASE, cds_clients=ehr.clients_file()
    )
    engine = make_engine(config.database)
    migrate(engine)
    container = Container(settings=config, store=Store(engine, fixed_clock), knowledge=knowledge(), clock=fixed_clock)
    load_demo(lambda: container.unit(container.operator()), valuesets=container.knowledge.valuesets, today=TODAY)
    with container.unit(container.operator()) as uow:
        _, token = add_user(uow, "fuzz-centre", Role.EXPERTISE_CENTRE)  # reads and writes every record
    return create_app(container), token, ehr


_folder = Path(__import__("tempfile").mkdtemp(prefix="cnopad-fuzz-"))
APP, TOKEN, EHR = _app_and_credentials(_folder)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).include(path_regex=r"^/(api|cds-services|healthz)")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_every_response_matches_the_schema(case: schemathesis.Case) -> None:
    path = case.formatted_path
    headers = EHR.auth(path) if path.startswith("/cds-services") else {"Authorization": f"Bearer {TOKEN}"}
    # Two checks do not apply: unknown query parameters are ignored (as HTTP APIs commonly do), and a
    # schema-valid body may still be refused, because OpenAPI cannot express FHIR or clinical validity.
    case.call_and_validate(headers=headers, excluded_checks=[negative_data_rejection, positive_data_acceptance])


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> object:
    yield None
    import shutil

    shutil.rmtree(_folder, ignore_errors=True)
