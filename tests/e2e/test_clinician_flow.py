"""A GP between two consultations, in a real browser: sign in, see the overdue pamidronate course, open
the patient, record the infusion, see the task done; a bad value saves nothing; the care plan prints."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from e2e.conftest import Demo, screenshot_dir
from e2e.helpers import OVERDUE_PATIENT, entry_count, sign_in

pytestmark = pytest.mark.browser


def test_a_gp_records_the_overdue_pamidronate_course_and_sees_the_task_done(
    page: Page, demo: Demo, tmp_path: Path
) -> None:
    shots = screenshot_dir(tmp_path)
    sign_in(page, "demo-huisarts", demo.password("demo-huisarts"))
    row = page.locator("table.worklist tbody tr").filter(has=page.locator(f'a[href="/patients/{OVERDUE_PATIENT}"]'))
    expect(row.locator(".badge.overdue")).to_be_visible()
    expect(row).to_contain_text("Pamidronaatkuur")
    page.screenshot(path=str(shots / "worklist.png"), full_page=True, caret="initial")

    row.locator("a").first.click()
    page.wait_for_url(f"**/patients/{OVERDUE_PATIENT}")
    task = page.locator('tr[data-kind="pamidronate_course"][data-status="overdue"]')
    expect(task).to_have_count(1)
    # the top of the page (what a GP sees first): the whole page lists every record entry and runs to many screens
    page.screenshot(path=str(shots / "patient.png"), caret="initial")

    page.get_by_text("Infuus gegeven", exact=True).click()
    form = page.locator("#form-infusion")
    form.get_by_label("Medicatie").select_option(index=1)
    first_day = demo.container.today() - timedelta(days=2)
    form.get_by_label("Datum (eerste dag)").fill(first_day.isoformat())
    form.get_by_label("Aantal opeenvolgende dagen").fill("3")
    form.get_by_role("button", name="Opslaan").click()

    expect(page.locator("#form-infusion .saved")).to_be_visible()
    expect(page.locator('tr[data-kind="pamidronate_course"][data-status="overdue"]')).to_have_count(0)
    done = page.locator('tr[data-kind="pamidronate_course"][data-status="done"]')
    expect(done.first).to_be_visible()
    expect(done.first).to_contain_text("gedaan")
    assert page.url.endswith(f"/patients/{OVERDUE_PATIENT}")  # updated in place, no page load

    page.goto("/worklist")
    refreshed = page.locator("table.worklist tbody tr").filter(
        has=page.locator(f'a[href="/patients/{OVERDUE_PATIENT}"]')
    )
    expect(refreshed.locator(".badge.overdue")).to_have_count(0)


def test_a_bad_value_shows_the_error_next_to_the_field_and_saves_nothing(
    page: Page, demo: Demo, tmp_path: Path
) -> None:
    sign_in(page, "demo-huisarts", demo.password("demo-huisarts"))
    page.goto(f"/patients/{OVERDUE_PATIENT}")
    before = entry_count(demo.container, OVERDUE_PATIENT)
    page.get_by_text("Pijnscore", exact=True).click()
    form = page.locator("#form-pain")
    score = form.get_by_role("textbox", name=re.compile("^Pijnscore"))
    score.fill("11")
    form.get_by_label("Datum").fill(demo.container.today().isoformat())
    form.get_by_role("button", name="Opslaan").click()

    error = page.locator("#pain-score-error")
    expect(error).to_have_text("Vul een waarde in van 0 tot en met 10.")
    expect(page.locator("#pain-score")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#pain-score")).to_have_value("11")
    expect(page.locator("#form-pain .alert")).to_be_focused()
    page.locator("#form-pain").screenshot(path=str(screenshot_dir(tmp_path) / "form-error.png"), caret="initial")
    assert entry_count(demo.container, OVERDUE_PATIENT) == before


def test_the_care_plan_pdf_downloads_and_holds_the_patients_schedule(page: Page, demo: Demo) -> None:
    sign_in(page, "demo-huisarts", demo.password("demo-huisarts"))
    page.goto(f"/patients/{OVERDUE_PATIENT}")
    task_titles = [t.strip() for t in page.locator("tr[data-kind] td:first-child").all_inner_texts()]
    due_dates = page.locator("tr[data-kind] td:nth-child(2)").all_inner_texts()
    assert task_titles, "the patient has no tasks to print"
    with page.expect_download() as info:
        page.get_by_role("link", name="Zorgplan (pdf)").click()
    download = info.value
    assert download.suggested_filename.startswith(f"care-plan-{OVERDUE_PATIENT}")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(Path(download.path()).read_bytes())).pages)
    flat = re.sub(r"\s+", " ", text)
    assert "Planning" in flat and "Buiten kantooruren" in flat
    for title, due in zip(task_titles, due_dates, strict=True):
        assert title.split("\n")[0][:30] in flat, title
        assert due.strip() in flat, due
    assert "Marja Oefening" in flat
