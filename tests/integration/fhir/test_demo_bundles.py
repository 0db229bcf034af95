"""The synthetic demo patients: each bundle imports cleanly, says it is synthetic, survives the round trip,
keeps its scenario when its dates are shifted, and loads idempotently into SQLite and PostgreSQL."""

from __future__ import annotations

import calendar
import json
import re
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from cnopad.bootstrap import Container
from cnopad.domain import AgeGroup, Concept, PatientRecord
from cnopad.fhir import RecordWriter, read_bundle
from cnopad.fhir.parse import validate_bundle
from cnopad.knowledge.valuesets import ValueSetIndex
from cnopad.services.demo import DemoPatient, demo_bundle, load_demo, manifest, shift_dates
from conftest import TODAY

ANCHOR, PATIENTS = manifest()
BY_ID = {p.patient_id: p for p in PATIENTS}
AGB = "http://fhir.nl/fhir/NamingSystem/agb-z"
DEMO_GP, DEMO_SPECIALIST, DEMO_EXPERTISE_CENTRE = "01999001", "01999002", "01999003"
#: a FHIR date or dateTime at the start of a string
FHIR_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")

each_patient = pytest.mark.parametrize("demo", PATIENTS, ids=[p.patient_id for p in PATIENTS])


def _record(demo: DemoPatient, valuesets: ValueSetIndex, today: date = ANCHOR) -> PatientRecord:
    shifted = demo_bundle(demo, today=today if today != ANCHOR else None)
    return read_bundle(json.dumps(shifted), valuesets=valuesets, today=today).record


def _months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day when it is shorter)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


# ---------------------------------------------------------------- the manifest


def test_the_manifest_lists_at_least_twelve_patients_and_every_id_matches_its_bundle() -> None:
    folder = resources.files("cnopad.services").joinpath("demo_bundles")
    files = sorted(item.name for item in folder.iterdir() if item.name.endswith(".json"))

    assert len(PATIENTS) >= 12
    assert len(BY_ID) == len(PATIENTS), "patient ids must be unique"
    assert sorted(p.file for p in PATIENTS) == files, "every bundle is in the manifest and every manifest file exists"
    for demo in PATIENTS:
        bundle = demo_bundle(demo)
        patients = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
        assert [p["id"] for p in patients] == [demo.patient_id]
        assert demo.title.strip()


def test_the_statements_the_manifest_says_a_scenario_exercises_exist_in_the_catalog() -> None:
    catalog = yaml.safe_load((Path(__file__).resolve().parents[3] / "catalog" / "statements.yaml").read_text("utf-8"))
    known = {s["id"] for s in catalog["statements"]}
    text = resources.files("cnopad.services").joinpath("demo_bundles", "manifest.yaml").read_text(encoding="utf-8")
    comments = re.findall(r"^\s*# exercises: (.+)$", text, flags=re.MULTILINE)

    cited = {sid for line in comments for sid in re.findall(r"\b(?:NHG|CRMO)-[A-Z0-9-]+-\d+\b", line)}

    assert len(comments) == len(PATIENTS)
    assert cited and cited <= known, sorted(cited - known)


def test_the_demo_covers_adults_and_children_on_the_anchor_date(valuesets: ValueSetIndex) -> None:
    groups = [_record(demo, valuesets).age_group_on(ANCHOR) for demo in PATIENTS]

    assert groups.count(AgeGroup.ADULT) >= 8
    assert groups.count(AgeGroup.CHILD) >= 4


# ---------------------------------------------------------------- every bundle


@each_patient
def test_the_demo_bundle_imports_with_nothing_left_not_understood(demo: DemoPatient, valuesets: ValueSetIndex) -> None:
    result = read_bundle(json.dumps(demo_bundle(demo)), valuesets=valuesets, today=ANCHOR)

    assert result.unrecognized == ()
    assert result.record.patient.id == demo.patient_id
    assert result.record.size() > 10


@each_patient
def test_the_demo_bundle_still_imports_cleanly_with_its_dates_moved_to_another_day(
    demo: DemoPatient, valuesets: ValueSetIndex
) -> None:
    for today in (TODAY, ANCHOR + timedelta(days=3 * 365 + 17)):
        result = read_bundle(json.dumps(demo_bundle(demo, today=today)), valuesets=valuesets, today=today)
        assert result.unrecognized == ()


@each_patient
def test_the_demo_patient_is_marked_synthetic(demo: DemoPatient, valuesets: ValueSetIndex) -> None:
    patient = _record(demo, valuesets).patient

    assert patient.synthetic
    assert patient.name is not None and patient.name.endswith("(synthetisch)")


@each_patient
def test_the_demo_record_survives_export_and_import_unchanged(demo: DemoPatient, valuesets: ValueSetIndex) -> None:
    first = _record(demo, valuesets, TODAY)

    exported = json.loads(json.dumps(RecordWriter(valuesets).bundle(first)))
    validate_bundle(exported)
    second = read_bundle(json.dumps(exported), valuesets=valuesets, today=TODAY)

    assert second.unrecognized == ()
    assert second.record == first


@each_patient
def test_the_demo_record_has_a_cno_condition_and_a_care_team_with_a_gp(
    demo: DemoPatient, valuesets: ValueSetIndex
) -> None:
    record = _record(demo, valuesets)

    assert record.diagnosis is not None
    assert record.diagnosis.onset is not None and record.diagnosis.recorded is not None
    assert record.diagnosis.sites
    assert any(Concept.PAIN_SCORE in o.concepts for o in record.observations)
    assert any("gp" in m.roles for m in record.care_team)


# ---------------------------------------------------------------- shifting dates


def _pairs(before: Any, after: Any) -> list[tuple[str, str]]:
    """Every pair of string leaves at the same place in two JSON trees of the same shape."""
    if isinstance(before, dict):
        assert isinstance(after, dict) and before.keys() == after.keys()
        return [pair for key in before for pair in _pairs(before[key], after[key])]
    if isinstance(before, list):
        assert isinstance(after, list) and len(before) == len(after)
        return [pair for b, a in zip(before, after, strict=True) for pair in _pairs(b, a)]
    if isinstance(before, str):
        assert isinstance(after, str)
        return [(before, after)]
    assert before == after
    return []


@each_patient
def test_shift_dates_moves_every_date_and_keeps_every_other_string(demo: DemoPatient) -> None:
    delta = timedelta(days=400)
    original = demo_bundle(demo)

    pairs = _pairs(original, shift_dates(original, delta))

    dates = [(b, a) for b, a in pairs if FHIR_DATE.match(b)]
    assert dates, "a demo bundle has dates"
    for before, after in dates:
        assert date.fromisoformat(after[:10]) == date.fromisoformat(before[:10]) + delta
        assert after[10:] == before[10:]
    assert all(b == a for b, a in pairs if not FHIR_DATE.match(b))


def test_shift_dates_leaves_date_like_text_outside_date_elements_alone() -> None:
    node = {"valueString": "2020-01-01", "id": "pijn-01", "effectiveDateTime": "2020-01-01T10:00:00Z"}

    shifted = shift_dates(node, timedelta(days=1))

    assert shifted == {"valueString": "2020-01-01", "id": "pijn-01", "effectiveDateTime": "2020-01-02T10:00:00Z"}


# ---------------------------------------------------------------- the scenarios hold on any day


@pytest.mark.parametrize("today", [ANCHOR, TODAY, date(2029, 2, 28)], ids=str)
def test_the_overdue_pamidronate_course_stays_overdue_and_the_on_time_one_stays_on_time(
    today: date, valuesets: ValueSetIndex
) -> None:
    for patient_id, overdue in (("demo-adult-pamidronate-overdue", True), ("demo-adult-pamidronate-on-time", False)):
        record = _record(BY_ID[patient_id], valuesets, today)
        [order] = [m for m in record.medications if Concept.PAMIDRONATE in m.concepts]
        assert order.schedule is not None and (order.schedule.every, order.schedule.unit.value) == (3, "mo")
        assert order.schedule.days == 3 and order.dose is None
        last_course = max(a.given_on for a in record.administrations if Concept.PAMIDRONATE in a.concepts)
        three_months_ago = _months_before(today, 3)
        if overdue:
            assert last_course < three_months_ago - timedelta(days=21), "more than 3 months and a few weeks ago"
        else:
            assert last_course > three_months_ago
        dental = [p.start for p in record.procedures if Concept.DENTAL_CHECK in p.concepts and p.start]
        assert order.start is not None and dental and min(dental) < order.start


def test_the_child_whose_checks_are_overdue_had_blood_and_urine_tests_more_than_six_months_ago(
    valuesets: ValueSetIndex,
) -> None:
    record = _record(BY_ID["demo-child-monitoring-overdue"], valuesets, TODAY)

    last_blood = max(o.effective for o in record.observations if Concept.BLOOD_TEST in o.concepts and o.effective)
    last_urine = max(o.effective for o in record.observations if Concept.URINE_TEST in o.concepts and o.effective)

    assert record.age_group_on(TODAY) is AgeGroup.CHILD
    assert any(m.active_on(TODAY) and Concept.NSAID in m.concepts for m in record.medications)
    assert max(last_blood, last_urine) < _months_before(TODAY, 6)


def test_the_child_on_methotrexate_has_a_live_vaccine_planned_and_not_yet_given(valuesets: ValueSetIndex) -> None:
    record = _record(BY_ID["demo-child-mtx-vaccination"], valuesets, TODAY)

    [planned] = [m for m in record.medications if Concept.LIVE_VACCINE in m.concepts]
    assert planned.status.value == "active" and planned.start is not None
    assert TODAY < planned.start <= TODAY + timedelta(days=42)
    assert any(m.active_on(TODAY) and Concept.METHOTREXATE in m.concepts for m in record.medications)
    assert all(i.given_on is not None and i.given_on < TODAY - timedelta(days=365) for i in record.immunizations)


def test_the_children_needing_a_biopsy_decision_have_one_and_several_lesions(valuesets: ValueSetIndex) -> None:
    unifocal = _record(BY_ID["demo-child-unifocal"], valuesets, TODAY)
    multifocal = _record(BY_ID["demo-child-multifocal-skin"], valuesets, TODAY)

    assert unifocal.diagnosis is not None and unifocal.diagnosis.focality.value == "unifocal"
    assert any({Concept.OSTEOLYTIC_LESION, Concept.SOFT_TISSUE_INVOLVEMENT} <= i.findings for i in unifocal.imaging)
    assert unifocal.biopsies == ()
    assert multifocal.diagnosis is not None and multifocal.diagnosis.focality.value == "multifocal"
    skin = [c for c in multifocal.conditions if c.concepts & {Concept.PALMOPLANTAR_PUSTULOSIS, Concept.PSORIASIS}]
    assert skin and all(c.first_date and c.first_date < _months_before(TODAY, 6) for c in skin)
    lesions = [i for i in multifocal.imaging if (i.lesion_count or 0) >= 2]
    assert lesions and all(i.performed and i.performed < _months_before(TODAY, 6) for i in lesions)


def test_the_tnf_patient_was_screened_for_tuberculosis_and_hepatitis_b_before_the_start(
    valuesets: ValueSetIndex,
) -> None:
    record = _record(BY_ID["demo-adult-tnf"], valuesets, TODAY)

    [tnf] = [m for m in record.medications if Concept.TNF_INHIBITOR in m.concepts]
    assert tnf.start is not None
    steps = {c for m in record.medications for c in m.concepts if m.start and m.start < tnf.start}
    assert {Concept.NSAID, Concept.BISPHOSPHONATE} <= steps
    screened = {c for p in record.procedures if p.start and p.start < tnf.start for c in p.concepts}
    assert {Concept.TB_SCREENING, Concept.HBV_SCREENING} <= screened


def test_the_remission_patient_reports_pain_after_remission_on_nuclear_imaging(valuesets: ValueSetIndex) -> None:
    record = _record(BY_ID["demo-adult-remission-pain"], valuesets, TODAY)

    [scan] = [i for i in record.imaging if Concept.IMAGING_NO_ACTIVITY in i.findings]
    remission = scan.performed
    assert Concept.NUCLEAR_IMAGING in scan.concepts and remission is not None
    pain = [o for o in record.observations if Concept.PAIN_SCORE in o.concepts and o.effective is not None]
    later_pain = [o for o in pain if o.effective is not None and o.effective > remission]
    assert later_pain and all((o.number or 0) > 0 for o in later_pain)


# ---------------------------------------------------------------- care teams link the demo users


def test_the_demo_users_are_in_the_care_teams_the_scenarios_need(valuesets: ValueSetIndex) -> None:
    def members(patient_id: str) -> set[str]:
        record = _record(BY_ID[patient_id], valuesets)
        return {m.identifier.value for m in record.care_team if m.identifier and m.identifier.system == AGB}

    teams = {p.patient_id: members(p.patient_id) for p in PATIENTS}
    adults = [p for p in teams if p.startswith("demo-adult-")]
    children = [p for p in teams if p.startswith("demo-child-")]

    assert all(DEMO_GP in teams[p] for p in adults)
    assert sum(DEMO_GP in teams[p] for p in children) >= 2
    assert sum(DEMO_SPECIALIST in teams[p] for p in teams) >= 6
    assert sum(DEMO_EXPERTISE_CENTRE in teams[p] for p in adults) >= 2
    assert not any(DEMO_EXPERTISE_CENTRE in teams[p] for p in children), "children are never routed to the adult centre"


# ---------------------------------------------------------------- loading into the store


def test_loading_the_demo_twice_stores_every_patient_once_and_changes_nothing_the_second_time(
    container: Container,
) -> None:
    def load(today: date) -> list[Any]:
        return load_demo(
            lambda: container.unit(container.operator()), valuesets=container.knowledge.valuesets, today=today
        )

    first = load(TODAY)
    second = load(TODAY)
    next_day = load(TODAY + timedelta(days=1))

    assert [r.patient_id for r in first] == [p.patient_id for p in PATIENTS]
    assert all(r.stats.created > 0 and r.unrecognized == () for r in first)
    assert all(r.stats.created == 0 and r.stats.updated == 0 for r in second)
    assert all(r.stats.created == 0 for r in next_day), "shifted dates update the same entries in place"
    with container.unit(container.operator()) as uow:
        assert uow.records.count() == len(PATIENTS)
        stored = uow.records.get("demo-adult-pamidronate-overdue", purpose="test", audit=False)
        assert uow.records.is_member("demo-adult-pamidronate-overdue", (AGB, DEMO_GP))
        assert not uow.records.is_member("demo-child-mtx-vaccination", (AGB, DEMO_GP))
    expected = _record(
        BY_ID["demo-adult-pamidronate-overdue"], container.knowledge.valuesets, TODAY + timedelta(days=1)
    )
    assert stored == expected
