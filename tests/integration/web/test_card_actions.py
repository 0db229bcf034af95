"""Card actions on the patient page: accept (a suggestion opens its form, filled in), override with one of the
card's reasons, snooze until a date, undo; stored with the CDS Hooks feedback (one report counts both), audited,
and refused outside the care team with nothing stored."""

from __future__ import annotations

import re

import httpx

from cnopad.services.feedback import feedback_report
from integration.web.conftest import Served, csrf_of, sign_in

#: the dental-care card of the adult on pamidronate (tests/integration/web/factories.adult_record)
DENTAL = "bisphosphonate-in-use-dental-care"


def _card(html: str, rule: str) -> tuple[str, str]:
    """(uuid, article html) of the card of ``rule`` on a patient page."""
    found = re.search(
        rf'<article class="card[^"]*" id="card-([0-9a-f-]+)"[^>]*data-rule="{rule}".*?</article>', html, re.S
    )
    assert found, f"no card of {rule} on the page"
    return found.group(1), found.group(0)


def _report(served: Served) -> dict[str, dict[str, object]]:
    with served.container.unit(served.container.operator()) as uow:
        return {r.rule_id: r.as_dict() for r in feedback_report(uow)}


def _actions(served: Served, patient_id: str) -> list[str]:
    with served.container.unit(served.container.operator()) as uow:
        return [e.action for e in uow.audit.events(patient_id=patient_id, limit=50) if e.action.startswith("card-")]


def test_accepting_a_suggestion_opens_its_form_filled_in_and_is_counted_in_the_feedback_report(
    served: Served, gp: httpx.Client
) -> None:
    page = gp.get("/patients/pt-own").text
    uuid, card = _card(page, DENTAL)
    suggestion = re.search(r'name="suggestion" value="([^"]+)"', card)
    assert suggestion, "the dental card's suggestion has no accept button"
    response = gp.post(
        f"/patients/pt-own/cards/{uuid}/accept", data={"suggestion": suggestion.group(1), "csrf_token": csrf_of(page)}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/patients/pt-own?fill=screening&screening=dental_check#form-screening"
    form_page = gp.get(response.headers["location"].split("#")[0] + "&lang=en").text
    assert re.search(r'<option value="dental_check" selected>', form_page)
    assert re.search(r"<details open>\s*<summary id=\"title-screening\"", form_page)
    _, card = _card(form_page, DENTAL)
    assert 'data-outcome="accepted"' in card and "Accepted by gp-one" in card
    assert _report(served)[DENTAL]["accepted"] == 1
    assert _actions(served, "pt-own") == ["card-accept"]


def test_an_override_needs_one_of_the_cards_reasons_and_can_be_undone(served: Served, gp: httpx.Client) -> None:
    page = gp.get("/patients/pt-own?lang=en").text
    uuid, _ = _card(page, DENTAL)
    token = csrf_of(page)
    missing = gp.post(f"/patients/pt-own/cards/{uuid}/override", data={"csrf_token": token, "comment": "nee"})
    assert missing.status_code == 422
    _, card = _card(missing.text, DENTAL)
    assert 'aria-invalid="true"' in card and "Fill this in." in card
    foreign = gp.post(f"/patients/pt-own/cards/{uuid}/override", data={"csrf_token": token, "reason": "made-up"})
    assert foreign.status_code == 422
    assert DENTAL not in _report(served)

    done = gp.post(
        f"/patients/pt-own/cards/{uuid}/override",
        data={"csrf_token": token, "reason": "already-done-elsewhere", "comment": "Tandarts zag haar in oktober"},
    )
    assert done.status_code == 303
    _, card = _card(gp.get("/patients/pt-own").text, DENTAL)
    assert 'data-outcome="overridden"' in card and "Tandarts zag haar in oktober" in card
    assert "/undo" in card and "/override" not in card
    report = _report(served)[DENTAL]
    assert report["overridden"] == 1 and report["override_rate"] == 1.0
    assert report["reasons"] == {"Already done or recorded elsewhere": 1}

    undone = gp.post(f"/patients/pt-own/cards/{uuid}/undo", data={"csrf_token": token})
    assert undone.status_code == 303
    _, card = _card(gp.get("/patients/pt-own").text, DENTAL)
    assert "data-outcome" not in card and f"/cards/{uuid}/override" in card
    assert DENTAL not in _report(served)  # an undone action is not counted
    assert _actions(served, "pt-own") == ["card-undo", "card-override"]


def test_a_snoozed_card_says_until_when_and_a_date_in_the_past_is_refused(served: Served, gp: httpx.Client) -> None:
    page = gp.get("/patients/pt-own?lang=en").text
    uuid, _ = _card(page, DENTAL)
    token = csrf_of(page)
    past = gp.post(f"/patients/pt-own/cards/{uuid}/snooze", data={"csrf_token": token, "until": "2026-11-01"})
    assert past.status_code == 422
    assert "Enter a value from 2026-11-24 to" in _card(past.text, DENTAL)[1]
    ok = gp.post(f"/patients/pt-own/cards/{uuid}/snooze", data={"csrf_token": token, "until": "2026-12-21"})
    assert ok.status_code == 303
    _, card = _card(gp.get("/patients/pt-own").text, DENTAL)
    assert 'data-outcome="snoozed"' in card and "Snoozed until 21 Dec 2026 by gp-one" in card
    assert _report(served)[DENTAL]["snoozed"] == 1


def test_a_gp_outside_the_care_team_cannot_act_on_a_card_and_nothing_is_stored(served: Served) -> None:
    own = sign_in(served.url, "gp-one")
    uuid, _ = _card(own.get("/patients/pt-own").text, DENTAL)
    other = sign_in(served.url, "gp-two")
    token = csrf_of(other.get("/leaflets/adult").text)
    response = other.post(f"/patients/pt-own/cards/{uuid}/accept", data={"csrf_token": token})
    assert response.status_code == 403
    assert _report(served) == {}
    with served.container.unit(served.container.operator()) as uow:
        last = next(e for e in uow.audit.events(limit=20) if e.user == "gp-two")
    assert last.action == "refused"
    own.close()
    other.close()


def test_an_action_on_advice_the_record_no_longer_gives_is_not_found(served: Served, gp: httpx.Client) -> None:
    token = csrf_of(gp.get("/patients/pt-own").text)
    response = gp.post("/patients/pt-own/cards/00000000-0000-5000-8000-000000000000/accept", data={"csrf_token": token})
    assert response.status_code == 404
    assert _report(served) == {}
