"""The record store on SQLite and PostgreSQL: one import is one transaction, re-import is idempotent."""

from __future__ import annotations

import json

import pytest

from cnopad.domain.access import Actor, Channel, Role
from cnopad.errors import InputError, NotFoundError
from cnopad.fhir import read_bundle
from cnopad.knowledge.valuesets import ValueSetIndex
from cnopad.services.records import export_bundle, import_bundle, list_patients
from cnopad.store import Store
from conftest import TODAY  # type: ignore[import-not-found]
from support.fhir import administration, bundle, care_team, condition, medication_request, pain, patient

ICD10 = "http://hl7.org/fhir/sid/icd-10"


def _bundle(pain_score: int = 6) -> dict:  # type: ignore[type-arg]
    return bundle(
        patient("p1"),
        condition("c1", ICD10, "M86.3", onset="2019-03-01", recorded="2024-01-15", sites=("sternum", "clavicle")),
        medication_request("m1", "M05BA03", start="2024-02-01", every_months=3, days=3),
        administration("a1", "M05BA03", "2024-02-01"),
        pain("o1", pain_score, "2024-03-01"),
        care_team("ct", ("gp", "Huisarts Test", "01000001"), ("main_treating", "Internist Test", "01000002")),
    )


def test_an_imported_record_reads_back_equal(store: Store, admin: Actor, valuesets: ValueSetIndex) -> None:
    with store.unit(admin) as uow:
        import_bundle(uow, json.dumps(_bundle()), valuesets=valuesets, today=TODAY)
    with store.unit(admin) as uow:
        stored = uow.records.get("p1", purpose="test")
    assert stored == read_bundle(json.dumps(_bundle()), valuesets=valuesets, today=TODAY).record


def test_reimporting_the_same_bundle_changes_nothing(store: Store, admin: Actor, valuesets: ValueSetIndex) -> None:
    with store.unit(admin) as uow:
        first = import_bundle(uow, _bundle(), valuesets=valuesets, today=TODAY)
    with store.unit(admin) as uow:
        second = import_bundle(uow, _bundle(), valuesets=valuesets, today=TODAY)
    assert (first.stats.created, first.stats.updated) == (7, 0)
    assert (second.stats.created, second.stats.updated, second.stats.unchanged) == (0, 0, 7)


def test_reimporting_a_changed_bundle_updates_only_what_changed(
    store: Store, admin: Actor, valuesets: ValueSetIndex
) -> None:
    with store.unit(admin) as uow:
        import_bundle(uow, _bundle(pain_score=6), valuesets=valuesets, today=TODAY)
    with store.unit(admin) as uow:
        report = import_bundle(uow, _bundle(pain_score=3), valuesets=valuesets, today=TODAY)
    with store.unit(admin) as uow:
        record = uow.records.get("p1", purpose="test")
    assert (report.stats.created, report.stats.updated, report.stats.unchanged) == (0, 1, 6)
    assert [o.value for o in record.observations] == [3]


def test_a_failed_import_leaves_the_store_as_it_was(store: Store, admin: Actor, valuesets: ValueSetIndex) -> None:
    with store.unit(admin) as uow:
        import_bundle(uow, _bundle(), valuesets=valuesets, today=TODAY)
    broken = _bundle()
    broken["entry"].append({"resource": pain("o2", 11, "2024-04-01")})
    with store.unit(admin) as uow, pytest.raises(InputError):
        import_bundle(uow, broken, valuesets=valuesets, today=TODAY)
    with store.unit(admin) as uow:
        record = uow.records.get("p1", purpose="test")
        events = uow.audit.events(limit=100)
    assert [o.id for o in record.observations] == ["o1"]
    assert [e.action for e in reversed(events)] == ["import", "read"]


def test_a_crash_inside_a_unit_of_work_writes_nothing(store: Store, admin: Actor, valuesets: ValueSetIndex) -> None:
    record = read_bundle(_bundle(), valuesets=valuesets, today=TODAY).record
    with pytest.raises(RuntimeError), store.unit(admin) as uow:
        uow.records.save(record, purpose="test")
        raise RuntimeError("simulated crash before commit")
    with store.unit(admin) as uow:
        assert uow.records.count() == 0
        assert uow.audit.events() == []


def test_the_export_is_a_valid_bundle_that_imports_to_the_same_record(
    store: Store, admin: Actor, valuesets: ValueSetIndex
) -> None:
    with store.unit(admin) as uow:
        import_bundle(uow, _bundle(), valuesets=valuesets, today=TODAY)
    with store.unit(admin) as uow:
        exported = export_bundle(uow, "p1", valuesets=valuesets)
    again = read_bundle(json.dumps(exported), valuesets=valuesets, today=TODAY)
    with store.unit(admin) as uow:
        assert again.record == uow.records.get("p1", purpose="test")


def test_a_gp_lists_only_the_patients_whose_care_team_holds_them(
    store: Store, admin: Actor, valuesets: ValueSetIndex
) -> None:
    other = bundle(
        patient("p2", name="Ander Synthetisch"), care_team("ct2", ("gp", "Andere huisarts", "01000009"), pid="p2")
    )
    with store.unit(admin) as uow:
        import_bundle(uow, _bundle(), valuesets=valuesets, today=TODAY)
    with store.unit(admin) as uow:
        import_bundle(uow, other, valuesets=valuesets, today=TODAY)
    gp = Actor("gp-test", Role.GP, Channel.API, ("http://fhir.nl/fhir/NamingSystem/agb-z", "01000001"))
    researcher = Actor("res", Role.RESEARCHER, Channel.API)
    with store.unit(gp) as uow:
        assert [p.id for p in list_patients(uow)] == ["p1"]
    with store.unit(admin) as uow:
        assert sorted(p.id for p in list_patients(uow)) == ["p1", "p2"]
    with store.unit(researcher) as uow:
        assert list_patients(uow) == []


def test_reading_an_unknown_patient_is_not_found(store: Store, admin: Actor) -> None:
    with store.unit(admin) as uow, pytest.raises(NotFoundError):
        uow.records.get("nobody", purpose="test")


def test_every_read_and_write_is_audited_with_who_what_why_and_channel(store: Store, valuesets: ValueSetIndex) -> None:
    # the internist of the care team in _bundle(): a clinician may create a patient whose team names them
    clinician = Actor("dr-test", Role.SPECIALIST, Channel.WEB, ("http://fhir.nl/fhir/NamingSystem/agb-z", "01000002"))
    with store.unit(clinician) as uow:
        import_bundle(uow, _bundle(), valuesets=valuesets, today=TODAY, purpose="referral intake")
    with store.unit(clinician) as uow:
        uow.records.get("p1", purpose="consultation")
        uow.commit()
    with store.unit(clinician) as uow:
        events = list(reversed(uow.audit.events()))
    assert [(e.user, e.role, e.channel, e.action, e.patient_id, e.purpose) for e in events] == [
        ("dr-test", "specialist", "web", "import", "p1", "referral intake"),
        ("dr-test", "specialist", "web", "read", "p1", "consultation"),
    ]
    assert all(e.at.tzinfo is not None for e in events)


def test_a_clinician_whose_care_team_membership_ended_loses_access(
    store: Store, admin: Actor, valuesets: ValueSetIndex
) -> None:
    team = care_team("ct", ("gp", "Vorige huisarts", "01000001"), ("gp", "Huidige huisarts", "01000002"))
    team["participant"][0]["period"] = {"start": "2020-01-01", "end": "2025-12-31"}
    team["participant"][1]["period"] = {"start": "2026-01-01"}
    with store.unit(admin) as uow:
        import_bundle(uow, bundle(patient("p1"), team), valuesets=valuesets, today=TODAY)
    former = Actor("former", Role.GP, Channel.API, ("http://fhir.nl/fhir/NamingSystem/agb-z", "01000001"))
    current = Actor("current", Role.GP, Channel.API, ("http://fhir.nl/fhir/NamingSystem/agb-z", "01000002"))
    with store.unit(former) as uow:
        assert list_patients(uow) == []
    with store.unit(current) as uow:
        assert [p.id for p in list_patients(uow)] == ["p1"]
