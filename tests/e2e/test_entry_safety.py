"""Safe entry in a real browser: the session ends while a GP types (sign in again, the form is saved without
retyping), a lab value in a unit that does not fit is refused at the unit field, a live vaccine given under a
TNF-alpha inhibitor raises its card at once, an entry in error is voided with a reason, and the child's blood
and urine tests close the overdue monitoring task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from cnopad.store.tables import web_sessions
from e2e.conftest import Demo
from e2e.helpers import OVERDUE_PATIENT, entry_count, sign_in

pytestmark = pytest.mark.browser

CHILD = "demo-child-monitoring-overdue"


def _open_form(page: Page, form: str) -> None:
    page.locator(f"summary#title-{form}").click()


def _end_every_session(demo: Demo) -> None:
    """What 60 idle minutes do: the server forgets the session (the browser keeps its cookie)."""
    with demo.container.unit(demo.container.operator()) as uow:
        uow.session.execute(web_sessions.delete())
        uow.commit()


def test_a_session_that_ends_mid_entry_keeps_the_typed_values_and_saves_them_after_signing_in_again(
    page: Page, demo: Demo
) -> None:
    sign_in(page, "demo-huisarts", demo.password("demo-huisarts"))
    page.goto(f"/patients/{OVERDUE_PATIENT}")
    before = entry_count(demo.container, OVERDUE_PATIENT)
    _open_form(page, "pain")
    page.locator("#pain-score").fill("3")
    page.locator("#pain-date").fill(demo.container.today().isoformat())
    _end_every_session(demo)
    page.locator("#form-pain").get_by_role("button", name="Opslaan").click()

    box = page.locator(".session-expired")
    expect(box.get_by_role("heading")).to_have_text("Sessie verlopen — log opnieuw in")
    expect(page.locator("#pain-score")).to_have_value("3")  # what was typed is still there
    assert entry_count(demo.container, OVERDUE_PATIENT) == before

    box.get_by_label("Gebruikersnaam").fill("demo-huisarts")
    box.get_by_label("Wachtwoord").fill("wrong password")
    box.get_by_role("button", name="Inloggen en opslaan").click()
    expect(box.locator(".relogin-error")).to_be_visible()  # a wrong password: try again, form still kept

    box.get_by_label("Wachtwoord").fill(demo.password("demo-huisarts"))
    box.get_by_role("button", name="Inloggen en opslaan").click()
    expect(page.locator("#form-pain .saved")).to_be_visible()
    expect(page.locator(".session-expired")).to_have_count(0)
    assert entry_count(demo.container, OVERDUE_PATIENT) == before + 1
    assert page.url.endswith(f"/patients/{OVERDUE_PATIENT}")  # no page load: nothing retyped


def test_a_crp_in_a_unit_that_does_not_fit_is_refused_at_the_unit_field(page: Page, demo: Demo) -> None:
    sign_in(page, "demo-huisarts", demo.password("demo-huisarts"))
    page.goto(f"/patients/{OVERDUE_PATIENT}")
    before = entry_count(demo.container, OVERDUE_PATIENT)
    _open_form(page, "lab")
    page.locator("#lab-test").select_option("1988-5")
    page.locator("#lab-value").fill("12")
    page.locator("#lab-unit").select_option("mmol/L")
    page.locator("#lab-date").fill(demo.container.today().isoformat())
    page.locator("#form-lab").get_by_role("button", name="Opslaan").click()

    error = page.locator("#lab-unit-error")
    expect(error).to_contain_text("Eenheid: mmol/L past niet bij deze bepaling")
    expect(page.locator("#lab-unit")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#lab-value")).to_have_value("12")
    assert entry_count(demo.container, OVERDUE_PATIENT) == before


def test_a_live_vaccine_given_under_a_tnf_inhibitor_raises_the_alert_at_once(page: Page, demo: Demo) -> None:
    sign_in(page, "demo-huisarts", demo.password("demo-huisarts"))
    page.goto(f"/patients/{OVERDUE_PATIENT}")
    today = demo.container.today()
    _open_form(page, "medication_start")
    page.locator("#medication_start-drug").select_option("L04AB04")
    page.locator("#medication_start-start").fill((today - timedelta(days=60)).isoformat())
    page.locator("#form-medication_start").get_by_role("button", name="Opslaan").click()
    expect(page.locator("#form-medication_start .saved")).to_be_visible()
    cards = page.locator("#assessment")
    expect(cards).not_to_contain_text("Levend vaccin gegeven")

    _open_form(page, "vaccination")
    page.locator("#vaccination-vaccine").select_option("J07BD52")
    page.locator("#vaccination-date").fill(today.isoformat())
    page.locator("#form-vaccination").get_by_role("button", name="Opslaan").click()
    expect(page.locator("#form-vaccination .saved")).to_be_visible()
    expect(cards).to_contain_text("Levend vaccin gegeven tijdens corticosteroïd, methotrexaat of TNF-alfaremmer")


def test_an_entry_in_error_is_voided_with_a_reason_and_stays_in_the_history(page: Page, demo: Demo) -> None:
    sign_in(page, "demo-huisarts", demo.password("demo-huisarts"))
    page.goto(f"/patients/{OVERDUE_PATIENT}")
    _open_form(page, "pain")
    page.locator("#pain-score").fill("8")
    page.locator("#pain-date").fill(demo.container.today().isoformat())
    page.locator("#form-pain").get_by_role("button", name="Opslaan").click()
    expect(page.locator("#form-pain .saved")).to_be_visible()
    before = entry_count(demo.container, OVERDUE_PATIENT)

    row = page.locator("#history tr[id^='entry-observations-web-pain-']").first
    expect(row).to_contain_text("demo-huisarts")
    expect(row).to_contain_text("8")
    row.get_by_text("Intrekken (foutief ingevoerd)").click()
    row.get_by_label("Reden (verplicht)").fill("Pijnscore bij de verkeerde patiënt ingevoerd")
    row.get_by_role("button", name="Deze invoer intrekken").click()

    voided = page.locator("#history tr.voided[id^='entry-observations-web-pain-']")
    expect(voided).to_contain_text("Ingetrokken")
    expect(voided).to_contain_text("Pijnscore bij de verkeerde patiënt ingevoerd")
    assert entry_count(demo.container, OVERDUE_PATIENT) == before - 1  # no longer part of the assessed record


def test_the_childs_blood_and_urine_tests_close_the_overdue_monitoring_task(page: Page, demo: Demo) -> None:
    sign_in(page, "demo-huisarts", demo.password("demo-huisarts"))
    page.goto(f"/patients/{CHILD}")
    expect(page.locator('tr[data-kind="child_monitoring"][data-status="overdue"]')).to_have_count(1)
    today = demo.container.today().isoformat()
    _open_form(page, "lab")
    page.locator("#lab-test").select_option("718-7")
    page.locator("#lab-value").fill("12.4")
    page.locator("#lab-unit").select_option("g/dL")
    page.locator("#lab-date").fill(today)
    page.locator("#form-lab").get_by_role("button", name="Opslaan").click()
    expect(page.locator("#form-lab .saved")).to_be_visible()
    expect(page.locator('tr[data-kind="child_monitoring"][data-status="overdue"]')).to_have_count(1)  # urine too

    page.locator("#lab-test").select_option("24356-8")  # urinalysis: done, no value
    page.locator("#lab-date").fill(today)
    page.locator("#form-lab").get_by_role("button", name="Opslaan").click()
    expect(page.locator("#form-lab .saved")).to_be_visible()
    expect(page.locator('tr[data-kind="child_monitoring"][data-status="overdue"]')).to_have_count(0)
    expect(page.locator('tr[data-kind="child_monitoring"]')).to_have_count(1)
