"""The GP works through advice in a real Chromium: override a card with a reason and undo it, snooze one,
accept a suggestion (its form opens filled in), and the feedback report counts what stands; the worklist
puts a critical alert above an overdue control; on a phone (390 px) no page scrolls sideways."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cnopad.services.feedback import feedback_report
from e2e.conftest import Demo, screenshot_dir
from e2e.helpers import OVERDUE_PATIENT, sign_in

pytestmark = pytest.mark.browser

TOS_PATIENT, TOS = "demo-adult-tos", "thoracic-outlet-complication"  # a warning card with override reasons
PHYSIO = "physiotherapy"  # its suggestions are referrals: the referral form fulfils them
CRITICAL_PATIENT = "demo-child-unifocal"  # a unifocal bone lesion in a child: a critical card


#: the innermost elements that reach past the right edge of the screen (to name what breaks the layout)
WIDER_THAN_SCREEN = """() => {
  const w = document.documentElement.clientWidth;
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode() && out.length < 8) {
    const range = document.createRange();
    range.selectNodeContents(walker.currentNode);
    const right = range.getBoundingClientRect().right;
    if (right > w + 0.5) out.push(walker.currentNode.parentElement.tagName + ": " + walker.currentNode.textContent.trim().slice(0, 40) + " " + Math.round(right));
  }
  for (const e of document.body.querySelectorAll("*")) {
    const r = e.getBoundingClientRect().right;
    if (r > w + 0.5 && ![...e.children].some(c => c.getBoundingClientRect().right > w + 0.5) && out.length < 16)
      out.push(e.tagName + "." + e.className + " " + Math.round(r));
  }
  return out;
}"""


def _report(demo: Demo) -> dict[str, dict[str, object]]:
    with demo.container.unit(demo.container.operator()) as uow:
        return {r.rule_id: r.as_dict() for r in feedback_report(uow)}


def test_override_undo_snooze_and_accept_round_trip_is_counted_in_the_feedback_report(page: Page, demo: Demo) -> None:
    sign_in(page, "demo-huisarts", demo.password("demo-huisarts"))
    page.goto(f"/patients/{TOS_PATIENT}")
    card = page.locator(f'article[data-rule="{TOS}"]')
    card.get_by_text("Niet opvolgen").click()
    card.get_by_label("Reden").select_option("already-done-elsewhere")
    card.get_by_label("Toelichting (niet verplicht)").fill("Vaatchirurg zag de patiënt vorige maand")
    card.get_by_role("button", name="Vastleggen: niet opgevolgd").click()
    card = page.locator(f'article[data-rule="{TOS}"]')
    expect(card).to_have_attribute("data-outcome", "overridden")
    expect(card).to_contain_text("Niet opgevolgd door demo-huisarts")
    expect(card).to_contain_text("Vaatchirurg zag de patiënt vorige maand")
    assert _report(demo)[TOS]["overridden"] == 1

    card.get_by_role("button", name="Ongedaan maken").click()
    card = page.locator(f'article[data-rule="{TOS}"]')
    expect(card.get_by_text("Niet opvolgen")).to_be_visible()
    assert TOS not in _report(demo)

    card.get_by_text("Uitstellen", exact=True).click()
    card.get_by_role("button", name="Dit advies uitstellen").click()
    card = page.locator(f'article[data-rule="{TOS}"]')
    expect(card).to_have_attribute("data-outcome", "snoozed")
    expect(card).to_contain_text("Uitgesteld tot")
    expect(page.locator("#summary-banner")).not_to_contain_text("waarschuwing")
    page.goto("/worklist")
    expect(page.locator(f'tr[data-patient="{TOS_PATIENT}"] .badge.warning')).to_have_count(0)

    page.goto(f"/patients/{OVERDUE_PATIENT}")
    card = page.locator(f'article[data-rule="{PHYSIO}"]')
    card.locator("li", has_text="fysiotherapeut").get_by_role("button", name="Accepteren").click()
    expect(page.locator("#referral-target")).to_have_value("referral_physiotherapy")
    expect(page.locator("#form-referral")).to_be_visible()
    expect(page.locator(f'article[data-rule="{PHYSIO}"]')).to_have_attribute("data-outcome", "accepted")

    report = _report(demo)
    assert report[PHYSIO]["accepted"] == 1
    assert report[TOS]["snoozed"] == 1 and report[TOS]["overridden"] == 0  # the undone override is not counted


def test_a_critical_alert_comes_above_an_overdue_control_and_says_how_late(page: Page, demo: Demo) -> None:
    sign_in(page, "demo-huisarts", demo.password("demo-huisarts"))
    rows = page.locator("table.worklist tbody tr")
    order = [rows.nth(i).get_attribute("data-patient") for i in range(rows.count())]
    assert order[0] == CRITICAL_PATIENT
    assert order.index(CRITICAL_PATIENT) < order.index(OVERDUE_PATIENT)
    overdue = page.locator(f'tr[data-patient="{OVERDUE_PATIENT}"]')
    expect(overdue).to_contain_text("dagen te laat")
    late = []  # days overdue of the rows without critical or warning advice, in worklist order
    for patient in order:
        row = page.locator(f'tr[data-patient="{patient}"]')
        if row.locator(".late").count() and not row.locator(".badge.critical, .badge.warning").count():
            late.append(int(row.locator(".late").first.inner_text().split()[0]))
    assert len(late) >= 2 and late == sorted(late, reverse=True), late


@pytest.mark.parametrize("path", ["/worklist", f"/patients/{OVERDUE_PATIENT}", "/statements/NHG-PAMIDRONATE-1"])
def test_no_page_scrolls_sideways_on_a_phone(page: Page, demo: Demo, path: str) -> None:
    sign_in(page, "demo-huisarts", demo.password("demo-huisarts"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(path)
    page.locator("details").evaluate_all("els => els.forEach(e => e.open = true)")
    width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    wide = page.evaluate(WIDER_THAN_SCREEN)
    assert width[0] <= width[1], f"{path} is {width[0]} px wide on a {width[1]} px screen: {wide}"


AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}


def test_card_actions_the_banner_the_facts_and_the_statement_page_have_no_serious_accessibility_violation(
    page: Page, demo: Demo
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    sign_in(page, "demo-huisarts", demo.password("demo-huisarts"))
    page.goto(f"/patients/{TOS_PATIENT}")
    card = page.locator(f'article[data-rule="{TOS}"]')
    card.get_by_text("Niet opvolgen").click()
    card.get_by_role("button", name="Vastleggen: niet opgevolgd").click()  # no reason: the message next to it
    expect(page.locator(f'article[data-rule="{TOS}"] .error')).to_be_visible()
    problems: dict[str, list[str]] = {}

    def check(where: str) -> None:
        page.locator("details").evaluate_all("els => els.forEach(e => e.open = true)")
        results = Axe().run(page, options=AXE_OPTIONS)
        problems[where] = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    check("override without a reason")
    card = page.locator(f'article[data-rule="{TOS}"]')
    card.get_by_label("Reden").select_option("record-incorrect")
    card.get_by_role("button", name="Vastleggen: niet opgevolgd").click()
    expect(page.locator(f'article[data-rule="{TOS}"]')).to_have_attribute("data-outcome", "overridden")
    for lang in ("nl", "en"):
        page.goto(f"/patients/{TOS_PATIENT}?lang={lang}")
        check(f"patient page with an overridden card ({lang})")
        page.goto(f"/statements/NHG-GOAL-1?from={TOS_PATIENT}&lang={lang}")
        expect(page.locator(f'a[href="/patients/{TOS_PATIENT}"]')).to_be_visible()
        check(f"statement page ({lang})")
    found = {where: p for where, p in problems.items() if p}
    assert not found, found


def test_screenshots_of_the_card_actions_and_the_worklist_on_a_phone(page: Page, demo: Demo, tmp_path: Path) -> None:
    shots = screenshot_dir(tmp_path)
    sign_in(page, "demo-huisarts", demo.password("demo-huisarts"))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/patients/{TOS_PATIENT}?lang=en")
    card = page.locator(f'article[data-rule="{TOS}"]')
    card.get_by_text("Do not follow").click()
    card.get_by_label("Reason").select_option("treating-physician-consulted")
    card.get_by_label("Explanation (optional)").fill("Discussed with the vascular surgeon")
    card.get_by_role("button", name="Record: not followed").click()
    page.locator("#h-cards").scroll_into_view_if_needed()
    page.locator("#assessment").screenshot(path=str(shots / "card-actions.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/worklist?lang=nl")
    page.screenshot(path=str(shots / "worklist-phone.png"))
    assert (shots / "card-actions.png").stat().st_size > 10_000
