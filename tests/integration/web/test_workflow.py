"""The clinician's workflow around the advice: the worklist by urgency (critical, warning, most days overdue,
due) with days overdue, the record facts each card and task rests on, the statement page that leads back to
the patient, and one feedback report for the web app and CDS Hooks."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from cnopad.services.demo import demo_bundle, manifest
from cnopad.services.feedback import FeedbackOutcome, feedback_report, record_feedback
from cnopad.services.records import import_bundle
from integration.web.conftest import Served, csrf_of, sign_in

CRITICAL_PATIENT = "demo-child-unifocal"  # a unifocal bone lesion in a child: a critical card


def _import_demo(served: Served, patient_id: str) -> None:
    container = served.container
    patient = next(p for p in manifest()[1] if p.patient_id == patient_id)
    with container.unit(container.operator()) as uow:
        import_bundle(
            uow,
            demo_bundle(patient, today=container.today()),
            valuesets=container.knowledge.valuesets,
            today=container.today(),
        )


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-patient="([^"]+)"', html)


def test_a_critical_alert_comes_before_an_overdue_course_and_the_row_says_how_many_days_late(
    served: Served,
) -> None:
    _import_demo(served, CRITICAL_PATIENT)
    lumc = sign_in(served.url, "lumc")  # the expertise centre sees every patient
    html = lumc.get("/worklist?lang=en").text
    order = _rows(html)
    assert order[0] == CRITICAL_PATIENT
    assert order.index(CRITICAL_PATIENT) < order.index("pt-own")
    row = re.search(r'<tr data-patient="pt-own">.*?</tr>', html, re.S)
    assert row and re.search(r'class="late">\d+ days overdue<', row.group(0))
    dutch = lumc.get("/worklist?lang=nl").text
    assert re.search(r'class="late">\d+ dagen te laat<', dutch)
    lumc.close()


def test_an_overridden_critical_card_no_longer_counts_on_the_worklist(served: Served) -> None:
    _import_demo(served, CRITICAL_PATIENT)
    lumc = sign_in(served.url, "lumc")
    assert _rows(lumc.get("/worklist").text)[0] == CRITICAL_PATIENT
    page = lumc.get(f"/patients/{CRITICAL_PATIENT}").text
    uuid = re.search(r'id="card-([0-9a-f-]+)"[^>]*data-rule="child-unifocal-lesion"', page)
    assert uuid
    done = lumc.post(
        f"/patients/{CRITICAL_PATIENT}/cards/{uuid.group(1)}/override",
        data={"csrf_token": csrf_of(page), "reason": "treating-physician-consulted"},
    )
    assert done.status_code == 303
    html = lumc.get("/worklist").text
    row = re.search(r'<tr data-patient="demo-child-unifocal">.*?</tr>', html, re.S)
    assert row and 'class="badge critical"' not in row.group(0)
    # its warning card still stands: it stays above the patients with only an overdue task
    assert _rows(html).index(CRITICAL_PATIENT) < _rows(html).index("pt-own")
    lumc.close()


def test_every_card_and_task_lists_the_record_facts_it_rests_on_and_links_to_them(
    served: Served, gp: httpx.Client
) -> None:
    html = gp.get("/patients/pt-own?lang=en").text
    card = re.search(r'<article[^>]*data-rule="bisphosphonate-in-use-dental-care".*?</article>', html, re.S)
    assert card and 'href="#fact-pt-own-pam"' in card.group(0)
    task = re.search(r'<tr id="task-pamidronate_course[^"]*".*?</tr>', html, re.S)
    assert task and 'href="#fact-pt-own-pam"' in task.group(0)
    fact = re.search(r'<tr id="fact-pt-own-pam"[^>]*>(.*?)</tr>', html, re.S)
    assert fact, "the fact the links point to is on the page"
    assert "pamidronic acid" in fact.group(1) and "6 Jan 2025" in fact.group(1)
    assert re.search(r'<tr id="task-pamidronate_course.*?class="late">\d+ days overdue<', html, re.S)


def test_the_statement_page_names_the_section_and_leads_back_only_to_a_patient_the_reader_may_open(
    served: Served, gp: httpx.Client
) -> None:
    html = gp.get("/patients/pt-own").text
    assert 'href="/statements/NHG-BP-ONJ-1?from=pt-own"' in html
    statement = gp.get("/statements/NHG-BP-ONJ-1?from=pt-own&lang=en").text
    assert 'href="/patients/pt-own"' in statement
    assert "Bisfosfonaten &gt; Bijwerkingen" in statement  # the source's own heading
    assert "osteonecrosis of the jaw" in statement
    other = gp.get("/statements/NHG-BP-ONJ-1?from=pt-other").text  # another GP's patient: no link
    assert 'href="/patients/pt-other"' not in other
    anonymous = httpx.get(f"{served.url}/statements/NHG-BP-ONJ-1?from=pt-own")
    assert anonymous.status_code == 200 and 'href="/patients/pt-own"' not in anonymous.text


def test_one_feedback_report_counts_web_card_actions_and_cds_hooks_feedback(served: Served, gp: httpx.Client) -> None:
    page = gp.get("/patients/pt-own").text
    uuid = re.search(r'id="card-([0-9a-f-]+)"[^>]*data-rule="bisphosphonate-in-use-dental-care"', page)
    assert uuid
    gp.post(
        f"/patients/pt-own/cards/{uuid.group(1)}/override",
        data={"csrf_token": csrf_of(page), "reason": "not-applicable"},
    )
    container = served.container
    with container.unit(container.operator()) as uow:
        uow.cds.remember_cards("cnopad-patient-view", [(uuid.group(1), "bisphosphonate-in-use-dental-care")])
        uow.commit()
    with container.unit(container.operator()) as uow:
        at = datetime(2026, 11, 23, 10, tzinfo=UTC)
        record_feedback(uow, "cnopad-patient-view", "ehr", [FeedbackOutcome(uuid.group(1), "accepted", at)])
    with container.unit(container.operator()) as uow:
        report = {r.rule_id: r for r in feedback_report(uow)}
    dental = report["bisphosphonate-in-use-dental-care"]
    assert (dental.accepted, dental.overridden) == (1, 1)
    assert dental.reasons == {"Not applicable to this patient": 1}


def test_a_course_given_late_keeps_its_due_date_and_says_how_late_it_was_done(served: Served, gp: httpx.Client) -> None:
    for given in ("2026-05-04", "2026-09-01"):  # the second course was due on 4 August
        page = gp.get("/patients/pt-own").text
        saved = gp.post(
            "/patients/pt-own/record/infusion",
            data={"medication": "pt-own-pam", "given": given, "days": "3", "csrf_token": csrf_of(page)},
        )
        assert saved.status_code == 303
    html = gp.get("/patients/pt-own?lang=en").text
    done = [row for row in re.findall(r'<tr id="task-pamidronate_course.*?</tr>', html, re.S) if "done on" in row]
    assert len(done) == 1
    assert "4 Aug 2026" in done[0]  # the original due date
    assert re.search(r"done on 3 Sept? 2026, 30 days late", done[0])
