"""CDS Hooks patient-view on prefetch whose imaging exists only as free report text (synthetic patients)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient as HttpClient

from cnopad.api import create_app
from cnopad.bootstrap import Container
from cnopad.services.cds import PREFETCH
from cnopad.settings import Settings
from cnopad.store import Store, make_engine, migrate
from conftest import fixed_clock  # type: ignore[import-not-found]
from support.cds_client import BASE, SigningClient
from support.cds_conformance import check_response
from support.reports import (
    ADULT_REMISSION_SENTENCE,
    CHILD_LESION_SENTENCE,
    adult_with_free_text_bone_scan,
    child_with_free_text_mri,
)

PATIENT_VIEW = "/cds-services/cnopad-patient-view"


@pytest.fixture
def ehr(tmp_path: Path) -> SigningClient:
    return SigningClient(tmp_path)


@pytest.fixture
def http(tmp_path: Path, kb: object, ehr: SigningClient) -> Iterator[HttpClient]:
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'cds.db'}",
        base_url=BASE,
        cds_clients=ehr.clients_file(),
    )
    engine = make_engine(settings.database)
    migrate(engine)
    container = Container(settings=settings, store=Store(engine, fixed_clock), knowledge=kb, clock=fixed_clock)  # type: ignore[arg-type]
    with HttpClient(create_app(container), base_url=BASE) as client:
        yield client


def _patient_view(record: dict[str, Any], pid: str, **headers: str) -> dict[str, Any]:
    resources = [e["resource"] for e in record["entry"]]
    prefetch: dict[str, Any] = {}
    for key, template in PREFETCH.items():
        kind = template.split("/")[0].split("?")[0]
        matches = [r for r in resources if r["resourceType"] == kind]
        if kind == "Patient":
            prefetch[key] = matches[0]
        else:
            entries = [{"resource": r} for r in matches]
            prefetch[key] = {"resourceType": "Bundle", "type": "searchset", "entry": entries} if matches else None
    return {
        "hook": "patient-view",
        "hookInstance": "6c1f0a52-3f0e-4c55-9d41-8f3b2f7a9c10",
        "context": {"userId": "Practitioner/kinderarts", "patientId": pid},
        "prefetch": prefetch,
    }


def _cards(http: HttpClient, ehr: SigningClient, body: dict[str, Any], **headers: str) -> list[dict[str, Any]]:
    response = http.post(PATIENT_VIEW, json=body, headers={**ehr.auth(PATIENT_VIEW), **headers})
    payload = response.json()
    assert response.status_code == 200, payload
    assert check_response(payload) == []
    cards: list[dict[str, Any]] = payload["cards"]
    return cards


def _statements(card: dict[str, Any]) -> list[str]:
    # the not-understood card (a report type cnopad has no code for) cites no statement
    cited: list[str] = (card.get("extension") or {}).get("nl.cnopad.statements", [])
    return cited


def test_patient_view_shows_the_unifocal_biopsy_card_with_the_sentence_read_from_a_free_text_mri(
    http: HttpClient, ehr: SigningClient
) -> None:
    cards = _cards(http, ehr, _patient_view(child_with_free_text_mri(), "k1"))
    # the diagnostic-path card (info) cites the statement too, as its biopsy step; the rule's own card warns
    unifocal = [c for c in cards if "CRMO-DX-UNIFOCAL-1" in _statements(c) and c["indicator"] != "info"]
    assert len(unifocal) == 1 and unifocal[0]["indicator"] in {"warning", "critical"}
    assert f"«{CHILD_LESION_SENTENCE}»" in unifocal[0]["detail"]
    english = _cards(http, ehr, _patient_view(child_with_free_text_mri(), "k1"), **{"Accept-Language": "en"})
    assert any("Read from the report text" in c.get("detail", "") for c in english)


def test_patient_view_reads_remission_from_a_free_text_bone_scan(http: HttpClient, ehr: SigningClient) -> None:
    cards = _cards(http, ehr, _patient_view(adult_with_free_text_bone_scan(), "a1"))
    remission = [c for c in cards if "NHG-REMISSION-PAIN-1" in _statements(c)]
    assert len(remission) == 1 and f"«{ADULT_REMISSION_SENTENCE}»" in remission[0]["detail"]
