"""The criteria panel in a real Chromium (issue 13): the adult notice and the diagnostic path are visible, Jansson's
score is not computed (its points are not verified) and no item shows points, in Dutch and English; the language
switch changes every visible string of the page, and axe-core finds no serious or critical violation
with every item table opened, in Dutch and English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import Demo
from e2e.helpers import sign_in
from e2e.test_language_and_access import _neutral, _serious, _texts

pytestmark = pytest.mark.browser

PAGES = ["/patients/demo-adult-suspected", "/patients/demo-child-unifocal"]


@pytest.mark.parametrize(
    ("lang", "notice", "specialist", "not_computed", "unknown"),
    [
        (
            "nl",
            "geen gevalideerde diagnosecriteria",
            "internist-endocrinoloog",
            "score niet berekend: gewichten niet geverifieerd",
            "onbekend",
        ),
        (
            "en",
            "no validated diagnostic criteria",
            "internist-endocrinologist",
            "score not computed: weights not verified",
            "unknown",
        ),
    ],
)
def test_a_suspected_adult_sees_the_notice_the_path_and_jansson_not_computed_without_points(
    page: Page, demo: Demo, lang: str, notice: str, specialist: str, not_computed: str, unknown: str
) -> None:
    sign_in(page, "demo-lumc", demo.password("demo-lumc"))
    page.goto(f"/patients/demo-adult-suspected?lang={lang}")
    panel = page.locator("#criteria")
    expect(panel.get_by_test_id("criteria-notice")).to_contain_text(notice)
    expect(panel.locator('tr[data-step="specialist"]')).to_contain_text(specialist)
    jansson = panel.locator('[data-instrument="jansson-2009"]')
    expect(jansson).to_have_attribute("data-status", "not_computed")
    expect(jansson.locator("h3")).to_contain_text(not_computed)
    expect(panel.get_by_test_id("score-jansson-2009")).to_have_count(0)
    jansson.locator("summary").click()
    rows = jansson.locator("tr[data-item]")
    expect(rows).to_have_count(7)
    expect(jansson.locator('tr[data-item="normal-blood-count"]')).to_contain_text(unknown)
    # no points column at all: the unverified points are shown nowhere
    expect(jansson.locator('td[data-testid="points"]')).to_have_count(0)
    expect(jansson.locator("th")).to_have_count(3)


@pytest.mark.parametrize("path", PAGES)
def test_the_language_switch_changes_every_visible_string_of_the_panel_page(page: Page, demo: Demo, path: str) -> None:
    sign_in(page, "demo-lumc", demo.password("demo-lumc"))
    page.goto(f"{path}?lang=nl")
    dutch = _texts(page)
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    english = _texts(page)
    neutral = _neutral(demo)
    assert dutch.keys() == english.keys()
    unchanged = [
        text
        for key, text in dutch.items()
        if english[key] == text
        and text.lstrip("· ") not in neutral
        and re.search(r"[A-Za-z]{2}", text)
        and not re.fullmatch(r"[\d\s.,:;()/–·-]+|(NHG|CRMO)-[A-Z0-9-]+-\d+.*", text)
    ]
    assert not unchanged, f"still Dutch after switching to English on {path}: {unchanged}"


def test_the_panel_has_no_serious_accessibility_violation_with_every_table_open(page: Page, demo: Demo) -> None:
    sign_in(page, "demo-lumc", demo.password("demo-lumc"))
    problems: dict[str, list[str]] = {}
    for lang in ("nl", "en"):
        for path in PAGES:
            page.goto(f"{path}?lang={lang}")
            page.locator("details").evaluate_all("els => els.forEach(e => e.open = true)")
            problems[f"{path} ({lang})"] = _serious(page)
    assert not {k: v for k, v in problems.items() if v}
