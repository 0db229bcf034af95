"""In the browser: a GP opens a demo patient outside their care team by emergency access, giving a reason;
the demo administrator opens no patient data. Both pages pass axe-core without serious violations."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from e2e.conftest import Demo
from e2e.helpers import sign_in

pytestmark = pytest.mark.browser

OUTSIDE = "demo-child-mtx-vaccination"  # the demo GP is not in this child's care team
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}


def _serious(page: Page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_a_gp_opens_a_patient_outside_the_care_team_by_emergency_access(page: Page, demo: Demo) -> None:
    sign_in(page, "demo-huisarts", demo.password("demo-huisarts"))
    page.goto(f"/patients/{OUTSIDE}")
    expect(page.locator("h1")).to_have_text("Geen toegang")
    page.get_by_role("button", name="Openen met noodtoegang").click()
    expect(page.locator("#emergency-reason-error")).to_have_text("Vul dit in.")
    assert _serious(page) == []

    page.get_by_label("Reden voor noodtoegang").fill("Kind op de huisartsenpost met koorts en botpijn")
    page.get_by_role("button", name="Openen met noodtoegang").click()

    expect(page).to_have_url(f"{demo.url}/patients/{OUTSIDE}")
    expect(page.get_by_text("U hebt dit dossier geopend met noodtoegang")).to_be_visible()
    log = page.locator("#emergency-access")
    expect(log).to_contain_text("demo-huisarts")
    expect(log).to_contain_text("Kind op de huisartsenpost met koorts en botpijn")
    assert page.locator("#form-care_team").count() == 0
    assert _serious(page) == []


def test_the_demo_administrator_opens_no_patient_data(page: Page, demo: Demo) -> None:
    page.goto("/login")
    page.get_by_label("Gebruikersnaam").fill("demo-beheer")
    page.get_by_label("Wachtwoord").fill(demo.password("demo-beheer"))
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator("h1")).to_have_text("Geen toegang")
    expect(page.get_by_text("Beheerders beheren gebruikers en instellingen")).to_be_visible()
    page.goto(f"/patients/{OUTSIDE}")
    expect(page.locator("h1")).to_have_text("Geen toegang")
    assert page.get_by_role("button", name="Openen met noodtoegang").count() == 0
