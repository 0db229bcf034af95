"""The criteria panel on the patient page (issue 13), over a real uvicorn: the adult notice, the diagnostic path
with its sources, Jansson with its score not computed (its points are not verified) and no item points, paediatric
instruments not worked out for an adult, and the same panel in English."""

from __future__ import annotations

import re

import httpx

#: one item row: its id and state
_ROW = re.compile(r'<tr data-item="([a-z0-9-]+)" data-state="(\w+)">')
#: a points cell (only beside a computed score)
_POINTS = re.compile(r'<td data-testid="points">')


def _jansson(html: str) -> str:
    """The Jansson card of the panel."""
    start = html.index('data-instrument="jansson-2009"')
    return html[start : html.index("</article>", start)]


def _rows(card: str) -> dict[str, str]:
    """item id -> state of every item row of an instrument card."""
    return dict(_ROW.findall(card))


def test_an_adult_patient_page_shows_the_no_validated_criteria_notice_and_the_path(gp: httpx.Client) -> None:
    page = gp.get("/patients/pt-own")
    assert page.status_code == 200
    html = page.text
    assert 'id="criteria"' in html
    assert "Voor CNO-SCCH bij volwassenen bestaan geen gevalideerde diagnosecriteria" in html
    assert 'href="/statements/NHG-DX-DELAY-1"' in html
    assert 'data-step="specialist"' in html and 'data-step="patient-association"' in html
    assert 'data-instrument="eular-acr-2025" data-status="not_applicable"' in html
    assert "alleen berekend met geverifieerde puntengewichten" in html


def test_jansson_is_not_computed_and_shows_its_items_without_points(gp: httpx.Client) -> None:
    html = gp.get("/patients/pt-own").text
    assert 'data-instrument="jansson-2009" data-status="not_computed"' in html
    card = _jansson(html)
    assert "score niet berekend: gewichten niet geverifieerd" in card
    assert "Puntengewichten niet geverifieerd" in card
    assert 'data-testid="score-jansson-2009"' not in html and "van 63" not in card
    rows = _rows(card)
    assert len(rows) == 7
    assert not _POINTS.search(card) and ">Punten<" not in card  # no points column: no unverified number
    assert rows["normal-blood-count"] == "unknown"


def test_the_panel_comes_in_english_with_unknown_items_as_unknown(gp: httpx.Client) -> None:
    html = gp.get("/patients/pt-own", params={"lang": "en"}).text
    assert "There are no validated diagnostic criteria for adult CNO-SCCH" in html
    assert "Diagnostic path of the source" in html
    assert 'data-item="normal-blood-count" data-state="unknown"' in html
    card = _jansson(html)
    assert "score not computed: weights not verified" in card
    assert "Point weights not verified" in card
    assert "of 63" not in card and 'data-testid="score-jansson-2009"' not in card
    assert len(_rows(card)) == 7 and not _POINTS.search(card) and ">Points<" not in card
