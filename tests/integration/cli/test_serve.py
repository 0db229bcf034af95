"""``cnopad serve --host H --port P`` serves on P and knows it: CDS Hooks JWTs are checked against, and card
links point to, http://H:P (without CNOPAD_PORT being set as well). The real command in a child process."""

from __future__ import annotations

from pathlib import Path

import httpx

from integration.api.test_cds_hooks import _call, _prefetch, _record
from integration.web.server import free_port
from support.cds_client import SigningClient
from support.served_process import cnopad_serve

PATIENT_VIEW = "/cds-services/cnopad-patient-view"


def test_serve_with_a_port_option_uses_that_port_for_the_jwt_audience_and_the_card_links(tmp_path: Path) -> None:
    ehr = SigningClient(tmp_path)
    settings = {"data_dir": str(tmp_path / "data"), "cds_clients": str(ehr.clients_file())}
    with cnopad_serve(free_port(), settings) as base, httpx.Client(base_url=base, timeout=30) as http:
        token = ehr.token(PATIENT_VIEW, aud=base + PATIENT_VIEW)
        response = http.post(
            PATIENT_VIEW, json=_call("patient-view", _prefetch(_record())), headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 200, response.text
    links = [link["url"] for card in response.json()["cards"] for link in card["links"]]
    assert links
    assert all(url == f"{base}/patients/p1" for url in links)
