"""The diagnostic-path card of a suspected CNO on the CDS patient-view hook (issue 13): info, never critical,
the source's steps with their statement ids, a draft ServiceRequest per step to do, criteria as aids."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient as HttpClient

from cnopad.api import create_app
from cnopad.bootstrap import Container
from cnopad.services.cds import PREFETCH
from support.cds_client import BASE, SigningClient
from support.cds_conformance import check_response
from support.fhir import CNOPAD, bundle, condition, patient

PATIENT_VIEW = "/cds-services/cnopad-patient-view"


def _prefetch(record: dict[str, Any]) -> dict[str, Any]:
    resources = [e["resource"] for e in record["entry"]]
    out: dict[str, Any] = {}
    for key, template in PREFETCH.items():
        kind = template.split("/")[0].split("?")[0]
        if kind == "Patient":
            out[key] = resources[0]
        else:
            matches = [r for r in resources if r["resourceType"] == kind]
            out[key] = (
                {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in matches]}
                if matches
                else None
            )
    return out


def _call(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "hook": "patient-view",
        "hookInstance": "5b0c6a57-3b7e-4b0f-9a51-2f9d7e3c1a10",
        "context": {"userId": "Practitioner/huisarts", "patientId": "p1"},
        "prefetch": _prefetch(record),
    }


@pytest.fixture
def ehr(tmp_path: Path) -> SigningClient:
    return SigningClient(tmp_path)


@pytest.fixture
def http(make_container: Callable[..., Container], ehr: SigningClient) -> Iterator[HttpClient]:
    container = make_container(base_url=BASE, cds_clients=ehr.clients_file())
    with HttpClient(create_app(container), base_url=BASE) as client:
        yield client


def _cards(http: HttpClient, ehr: SigningClient, record: dict[str, Any], lang: str = "nl") -> list[dict[str, Any]]:
    response = http.post(PATIENT_VIEW, json=_call(record), headers={**ehr.auth(PATIENT_VIEW), "Accept-Language": lang})
    body = response.json()
    assert response.status_code == 200, body
    assert check_response(body) == []
    cards: list[dict[str, Any]] = body["cards"]
    return cards


def test_a_suspected_adult_gets_the_diagnostic_path_card_with_referral_suggestions(
    http: HttpClient, ehr: SigningClient
) -> None:
    record = bundle(
        patient("p1", birth="1980-02-02", name="Pad Synthetisch"),
        condition(
            "c1",
            CNOPAD,
            "cno_scch",
            status="unconfirmed",
            onset="2021-01-01",
            recorded="2026-10-01",
            sites=("sternum",),
        ),
    )
    cards = _cards(http, ehr, record, "en")
    path = [c for c in cards if c["summary"].startswith("Suspected CNO: diagnostic path")]
    assert len(path) == 1
    card = path[0]
    assert card["indicator"] == "info"
    statements = card["extension"]["nl.cnopad.statements"]
    for sid in ("NHG-DX-DELAY-1", "NHG-DX-WHO-1", "NHG-DX-LAB-1", "NHG-REFERRAL-LUMC-1", "NHG-DOUBT-1"):
        assert sid in statements
    assert "no validated diagnostic criteria" in card["detail"]
    [jansson] = [line for line in card["detail"].splitlines() if "Jansson" in line]
    assert "score not computed: weights not verified" in jansson
    assert "/63" not in jansson and "≥ 39" not in jansson  # no score range from unverified points
    resources = [a["resource"] for s in card["suggestions"] for a in s["actions"]]
    assert resources and all(r["resourceType"] == "ServiceRequest" and r["status"] == "draft" for r in resources)


def test_a_confirmed_diagnosis_gets_no_diagnostic_path_card(http: HttpClient, ehr: SigningClient) -> None:
    record = bundle(
        patient("p1", birth="1980-02-02", name="Pad Synthetisch"),
        condition("c1", CNOPAD, "cno_scch", onset="2021-01-01", recorded="2026-10-01", sites=("sternum",)),
    )
    assert not [c for c in _cards(http, ehr, record) if "diagnostisch pad" in c["summary"]]
