"""The language switch changes every visible string; axe-core finds no serious or critical WCAG 2.1 AA
violation on any page; screenshots of the main pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from cnopad.web.i18n import translations
from e2e.conftest import Demo, screenshot_dir
from e2e.helpers import OVERDUE_PATIENT, VISIBLE_TEXTS, sign_in

pytestmark = pytest.mark.browser

PAGES = [
    "/worklist",
    f"/patients/{OVERDUE_PATIENT}",
    "/patients/demo-child-monitoring-overdue",
    "/leaflets/adult",
    "/leaflets/child",
    "/statements/NHG-PAMIDRONATE-1",
]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}


#: words the two languages share (a Dutch loanword used in English clinical text)
SHARED_WORDS = {"Off-label:"}


def _neutral(demo: Demo) -> set[str]:
    """Strings that are the same in Dutch and English: catalog entries and knowledge titles that are equal in
    both languages (drug names, lab units, 'E-mail'), and record entry ids that engine texts cite."""
    same = set(SHARED_WORDS)
    nl, en = translations("nl"), translations("en")
    for message in nl._catalog:
        if isinstance(message, str) and message and nl.gettext(message) == en.gettext(message):
            same.add(message)
    kb = demo.container.knowledge
    same |= {vs.title.nl for vs in kb.valuesets.sets if vs.title.nl == vs.title.en}
    for contact in kb.sources.contacts.values():
        same |= {f"{line.label.nl}:" for line in contact.lines if line.label.nl == line.label.en}
    with demo.container.unit(demo.container.operator()) as uow:
        for summary in uow.records.list(purpose="test", limit=1000):
            same |= {entry.id for entry in uow.records.get(summary.id, purpose="test", audit=False).entries()}
    return same


def _texts(page: Page) -> dict[str, str]:
    return dict(page.evaluate(VISIBLE_TEXTS))


@pytest.mark.parametrize("path", PAGES)
def test_the_language_switch_changes_every_visible_string(page: Page, demo: Demo, path: str) -> None:
    sign_in(page, "demo-lumc", demo.password("demo-lumc"))
    page.goto(path)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    dutch = _texts(page)
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    english = _texts(page)
    neutral = _neutral(demo)
    assert dutch.keys() == english.keys(), "the page changed its structure with the language"
    unchanged = [
        text
        for key, text in dutch.items()
        if english[key] == text
        and text.lstrip("· ") not in neutral
        and re.search(r"[A-Za-z]{2}", text)
        and not re.fullmatch(r"[\d\s.,:;()/–·-]+|(NHG|CRMO)-[A-Z0-9-]+-\d+.*", text)
    ]
    assert not unchanged, f"still Dutch after switching to English on {path}: {unchanged}"
    page.goto("/worklist")  # the choice is remembered
    expect(page.locator("html")).to_have_attribute("lang", "en")


def _serious(page: Page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_no_page_has_a_serious_or_critical_accessibility_violation(page: Page, demo: Demo) -> None:
    problems: dict[str, list[str]] = {}
    page.goto("/login")
    problems["/login"] = _serious(page)
    page.get_by_label("Gebruikersnaam").fill("demo-huisarts")
    page.get_by_label("Wachtwoord").fill("wrong")
    page.get_by_role("button", name="Inloggen").click()
    problems["/login (error)"] = _serious(page)
    sign_in(page, "demo-huisarts", demo.password("demo-huisarts"))
    for lang in ("nl", "en"):
        for path in [*PAGES[:2], *PAGES[3:]]:
            page.goto(f"{path}?lang={lang}")
            page.locator("details").evaluate_all("els => els.forEach(e => e.open = true)")
            problems[f"{path} ({lang})"] = _serious(page)
    page.goto(f"/patients/{OVERDUE_PATIENT}?lang=nl")
    page.get_by_text("Pijnscore", exact=True).click()
    page.locator("#pain-score").fill("99")
    page.locator("#form-pain").get_by_role("button", name="Opslaan").click()
    expect(page.locator("#pain-score-error")).to_be_visible()
    problems["form with an error"] = _serious(page)
    page.goto(f"/patients/{_not_in_care_team(demo, 'demo-huisarts')}")
    assert page.locator("h1").inner_text() == "Geen toegang"
    problems["403"] = _serious(page)
    found = {where: p for where, p in problems.items() if p}
    assert not found, found


def _not_in_care_team(demo: Demo, user: str) -> str:
    """A demo patient whose care team does not hold the demo user's practitioner identifier."""
    with demo.container.unit(demo.container.operator()) as uow:
        found = uow.users.by_name(user)
        assert found is not None and found.practitioner is not None
        for summary in uow.records.list(purpose="test", limit=1000):
            if not uow.records.is_member(summary.id, found.practitioner):
                return summary.id
    raise AssertionError("every demo patient has the demo GP in the care team")


def test_screenshots_of_the_main_pages(page: Page, demo: Demo, tmp_path: Path) -> None:
    shots = screenshot_dir(tmp_path)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/login")
    page.screenshot(path=str(shots / "login.png"), caret="initial")
    sign_in(page, "demo-huisarts", demo.password("demo-huisarts"))
    page.goto("/leaflets/adult")
    page.screenshot(path=str(shots / "leaflet-adult.png"), full_page=True, caret="initial")
    page.goto(f"/patients/{OVERDUE_PATIENT}?lang=en")
    page.screenshot(path=str(shots / "patient-en.png"), caret="initial")  # the top of the page, as the GP sees it
    # the criteria panel of a suspected case (issue 13): the adult notice, the diagnostic path and the instruments
    page.goto("/patients/demo-adult-suspected?lang=en")
    page.locator("#criteria").screenshot(path=str(shots / "criteria-en.png"), caret="initial")
    page.goto(f"/patients/{OVERDUE_PATIENT}?lang=nl")
    page.locator("#timeline-figure").screenshot(path=str(shots / "timeline.png"), caret="initial")
    # the care plan's first page (who to call) as a viewer draws it
    import pypdfium2 as pdfium

    plan = page.request.get(f"/patients/{OVERDUE_PATIENT}/care-plan.pdf")
    assert plan.ok and plan.headers["content-type"] == "application/pdf"
    pdfium.PdfDocument(plan.body())[0].render(scale=1.5).to_pil().save(shots / "care-plan.png")
    names = ("login.png", "patient-en.png", "timeline.png", "care-plan.png")
    assert all((shots / n).stat().st_size > 5_000 for n in names)
