"""Record entries through the forms: every bad value gets a message next to its field and nothing is
saved; good values are stored coded like imported data, and the page updates in place (HTMX)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from cnopad.domain import Concept
from integration.web.conftest import Served, csrf_of
from integration.web.factories import entry_count

TODAY = "2026-11-23"
GOOD: dict[str, dict[str, Any]] = {
    "medication_start": {"drug": "M01AE02", "start": "2026-11-01", "dose": "500", "unit": "mg"},
    "medication_stop": {"medication": "pt-own-pam", "stop": "2026-11-20"},
    "infusion": {"medication": "pt-own-pam", "given": "2026-11-18", "days": "3", "dose": "30"},
    "lab": {"test": "1988-5", "value": "12,5", "unit": "mg/L", "date": "2026-11-10"},
    "pain": {"score": "7", "date": TODAY},
    "imaging": {
        "modality": "spect_ct",
        "date": "2026-10-01",
        "findings": ["imaging_activity", "hyperostosis"],
        "sites": ["sternum"],
        "conclusion": "Active osteitis of the sternum.",
    },
    "screening": {"screening": "tb_screening", "date": "2026-11-02", "result": "negative"},
    "vaccination": {"vaccine": "J07BB02", "date": "2026-10-15"},
    "contact": {"contact": "expertise_centre_review", "date": "2026-11-03"},
    "goal": {"goal": "goal_better_functioning", "description": "Weer kunnen fietsen naar het werk", "date": TODAY},
    "care_team": {
        "name": "Dr. Visser",
        "roles": ["coordinator", "main_treating"],
        "organization": "LUMC",
        "agb": "01999555",
        "start": "2026-01-01",
    },
    "referral": {"target": "referral_physiotherapy", "date": "2026-11-01", "planned": "2026-12-01", "note": "Schouder"},
}
#: (form, field, value): a bad value, the field whose message must appear
BAD = [
    ("medication_start", "drug", ""),  # missing
    ("medication_start", "drug", "X99ZZ99"),  # not a choice
    ("medication_start", "start", "2027-01-01"),  # future
    ("medication_start", "start", "1960-01-01"),  # before birth
    ("medication_start", "dose", "veel"),  # wrong type
    ("medication_start", "note", "x" * 201),  # too long
    ("medication_stop", "stop", "2024-12-31"),  # before the medication's start
    ("medication_stop", "stop", "31-12-2026"),  # not a date
    ("infusion", "given", "2026-12-01"),  # a future infusion
    ("infusion", "days", "3.5"),  # not whole
    ("infusion", "days", "9"),  # out of range
    ("infusion", "medication", "pt-other-pam"),  # another patient's medication
    ("lab", "value", "twelve"),
    ("lab", "test", "0000-0"),
    ("lab", "unit", "u" * 21),
    ("lab", "unit", "mm/h"),  # a unit of another test: refused, never guessed
    ("lab", "value", ""),  # a CRP needs its value
    ("contact", "contact", "coffee"),
    ("pain", "score", "11"),
    ("pain", "score", "-1"),
    ("pain", "score", "zeven"),
    ("pain", "score", ""),
    ("pain", "date", "2026-02-30"),
    ("imaging", "findings", ["imaging_activity", "imaging_no_activity"]),
    ("imaging", "sites", ["spleen"]),
    ("imaging", "conclusion", "c" * 1001),
    ("screening", "result", "positive-ish"),
    ("vaccination", "date", "2099-01-01"),
    ("goal", "description", ""),
    ("goal", "description", "d" * 501),
    ("care_team", "agb", "12345"),
    ("care_team", "roles", []),
    ("care_team", "name", "bad\x00name"),
    ("referral", "planned", "2026-10-01"),  # before the referral date
]


def _post(client: httpx.Client, form: str, data: dict[str, Any], *, htmx: bool = True) -> httpx.Response:
    page = client.get("/patients/pt-own")
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        f"/patients/pt-own/record/{form}", data={**data, "csrf_token": csrf_of(page.text)}, headers=headers
    )


@pytest.mark.parametrize(("form", "field", "value"), BAD, ids=[f"{f}-{fd}-{i}" for i, (f, fd, _) in enumerate(BAD)])
def test_a_bad_value_gets_a_message_next_to_its_field_and_nothing_is_saved(
    served: Served, gp: httpx.Client, form: str, field: str, value: Any
) -> None:
    before = entry_count(served.container, "pt-own")
    response = _post(gp, form, {**GOOD[form], field: value})
    assert response.status_code == 422
    message = re.search(rf'id="{form}-{field}-error">([^<]+)<', response.text)
    assert message, response.text[:2000]
    assert message.group(1).strip()
    assert 'aria-describedby="' + f"{form}-{field}-error" in response.text
    assert "Er is niets opgeslagen" in response.text
    assert entry_count(served.container, "pt-own") == before


def test_without_htmx_a_bad_value_shows_the_whole_page_with_the_open_form(gp: httpx.Client) -> None:
    response = _post(gp, "pain", {"score": "12", "date": TODAY}, htmx=False)
    assert response.status_code == 422
    assert "<details open>" in response.text
    assert 'id="pain-score-error"' in response.text


@pytest.mark.parametrize("form", sorted(GOOD))
def test_a_good_form_is_saved_and_the_page_updates_in_place(served: Served, gp: httpx.Client, form: str) -> None:
    before = entry_count(served.container, "pt-own")
    response = _post(gp, form, GOOD[form])
    assert response.status_code == 200, response.text[:3000]
    assert "Opgeslagen" in response.text
    assert re.search(r'<section id="assessment"[^>]* hx-swap-oob="true"', response.text)
    assert re.search(r'<section id="overview"[^>]* hx-swap-oob="true"', response.text)
    added = entry_count(served.container, "pt-own") - before
    assert added == (0 if form == "medication_stop" else 3 if form == "infusion" else 1)


def test_submitting_the_same_form_twice_stores_one_entry(served: Served, gp: httpx.Client) -> None:
    _post(gp, "pain", GOOD["pain"])
    once = entry_count(served.container, "pt-own")
    _post(gp, "pain", GOOD["pain"])
    assert entry_count(served.container, "pt-own") == once


def test_entries_are_coded_like_imported_data(served: Served, gp: httpx.Client) -> None:
    _post(gp, "infusion", GOOD["infusion"])
    _post(gp, "lab", GOOD["lab"])
    _post(gp, "medication_stop", GOOD["medication_stop"])
    with served.container.unit(served.container.operator()) as uow:
        record = uow.records.get("pt-own", purpose="test", audit=False)
    infusions = [a for a in record.administrations if a.id.startswith("web-infusion-")]
    assert [a.given_on.isoformat() for a in infusions] == ["2026-11-18", "2026-11-19", "2026-11-20"]
    assert all({Concept.PAMIDRONATE, Concept.BISPHOSPHONATE} <= a.concepts for a in infusions)
    crp = next(o for o in record.observations if o.id.startswith("web-lab-"))
    assert (crp.codings[0].system, crp.codings[0].code) == ("http://loinc.org", "1988-5")
    assert Concept.CRP in crp.concepts
    assert str(crp.value.value) == "12.5"  # type: ignore[union-attr]
    pam = next(m for m in record.medications if m.id == "pt-own-pam")
    assert pam.end is not None and pam.end.isoformat() == "2026-11-20"
    assert pam.status.value == "stopped"


def test_a_new_care_team_member_with_an_agb_code_is_indexed_for_access(served: Served, gp: httpx.Client) -> None:
    _post(gp, "care_team", GOOD["care_team"])
    with served.container.unit(served.container.operator()) as uow:
        assert uow.records.is_member("pt-own", ("http://fhir.nl/fhir/NamingSystem/agb-z", "01999555"))


def test_every_write_is_in_the_audit_log_through_the_web_channel(served: Served, gp: httpx.Client) -> None:
    _post(gp, "pain", GOOD["pain"])
    with served.container.unit(served.container.operator()) as uow:
        events = uow.audit.events(patient_id="pt-own", limit=20)
    record = next(e for e in events if e.action == "record")
    assert (record.user, record.role, record.channel) == ("gp-one", "gp", "web")
    assert "7" not in record.detail  # no values in the audit detail, only counts
