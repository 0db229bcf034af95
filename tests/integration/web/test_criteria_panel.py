"""The criteria panel on the patient page (issue 13), over a real uvicorn: the adult notice, the diagnostic path
with its sources, Jansson as a range with "weights not verified", paediatric instruments not worked out for an
adult, and the same panel in English."""

from __future__ import annotations

import httpx


def test_an_adult_patient_page_shows_the_no_validated_criteria_notice_and_the_path(gp: httpx.Client) -> None:
    page = gp.get("/patients/pt-own")
    assert page.status_code == 200
    html = page.text
    assert 'id="criteria"' in html
    assert "Voor CNO-SCCH bij volwassenen bestaan geen gevalideerde diagnosecriteria" in html
    assert 'href="/statements/NHG-DX-DELAY-1"' in html
    assert 'data-step="specialist"' in html and 'data-step="patient-association"' in html
    assert 'data-instrument="eular-acr-2025" data-status="not_applicable"' in html
    assert "Puntengewichten niet geverifieerd" in html
    assert 'data-testid="score-jansson-2009"' in html


def test_the_panel_comes_in_english_with_unknown_items_as_unknown(gp: httpx.Client) -> None:
    html = gp.get("/patients/pt-own", params={"lang": "en"}).text
    assert "There are no validated diagnostic criteria for adult CNO-SCCH" in html
    assert "Diagnostic path of the source" in html
    assert 'data-item="normal-blood-count" data-state="unknown"' in html
    assert "Point weights not verified" in html
