"""The patient record: ages and age groups, the diagnosis that counts, focality, medication in use."""

from __future__ import annotations

from datetime import date

import pytest

from cnopad.domain import (
    AgeGroup,
    Bone,
    Coding,
    Concept,
    Condition,
    Focality,
    MedicationStatus,
    MedicationUse,
    Patient,
    PatientRecord,
    Site,
    Verification,
    age_on,
)


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (date(2008, 11, 23), date(2026, 11, 22), 17),
        (date(2008, 11, 23), date(2026, 11, 23), 18),
        (date(2000, 2, 29), date(2018, 2, 28), 17),
    ],
)
def test_age_counts_completed_years(birth: date, day: date, age: int) -> None:
    assert age_on(birth, day) == age


def test_a_patient_is_a_child_until_the_eighteenth_birthday() -> None:
    patient = Patient("p", date(2008, 11, 23))
    assert patient.age_group_on(date(2026, 11, 22)) is AgeGroup.CHILD
    assert patient.age_group_on(date(2026, 11, 23)) is AgeGroup.ADULT


def _cno(cid: str, verification: Verification, recorded: date, *sites: Site) -> Condition:
    return Condition(cid, (Coding("x", "y"),), frozenset({Concept.CNO}), verification, recorded=recorded, sites=sites)


def test_the_diagnosis_prefers_confirmed_and_never_takes_a_ruled_out_one() -> None:
    record = PatientRecord.build(
        Patient("p", date(1980, 1, 1)),
        [
            _cno("a", Verification.SUSPECTED, date(2025, 1, 1)),
            _cno("b", Verification.CONFIRMED, date(2024, 1, 1)),
            _cno("c", Verification.RULED_OUT, date(2026, 1, 1)),
        ],
    )
    assert record.diagnosis is not None and record.diagnosis.id == "b"


def test_focality_follows_the_number_of_distinct_sites() -> None:
    assert _cno("a", Verification.CONFIRMED, date(2024, 1, 1), Site(Bone.CLAVICLE)).focality is Focality.UNIFOCAL
    assert (
        _cno("a", Verification.CONFIRMED, date(2024, 1, 1), Site(Bone.CLAVICLE), Site(Bone.CLAVICLE)).focality
        is Focality.UNIFOCAL
    )
    assert (
        _cno("a", Verification.CONFIRMED, date(2024, 1, 1), Site(Bone.CLAVICLE), Site(Bone.STERNUM)).focality
        is Focality.MULTIFOCAL
    )
    assert _cno("a", Verification.CONFIRMED, date(2024, 1, 1)).focality is Focality.UNKNOWN


def test_a_medication_is_in_use_between_start_and_stop_only_with_an_active_status() -> None:
    med = MedicationUse("m", (), frozenset({Concept.NSAID}), start=date(2024, 1, 1), end=date(2024, 6, 30))
    assert not med.active_on(date(2023, 12, 31))
    assert med.active_on(date(2024, 6, 30))
    assert not med.active_on(date(2024, 7, 1))
    draft = MedicationUse("d", (), frozenset({Concept.NSAID}), status=MedicationStatus.DRAFT, start=date(2024, 1, 1))
    assert not draft.active_on(date(2024, 2, 1)) and not draft.ever_taken


def test_building_a_record_keeps_the_last_entry_with_the_same_kind_and_id() -> None:
    first = MedicationUse("m", (), frozenset({Concept.NSAID}), start=date(2024, 1, 1))
    second = MedicationUse("m", (), frozenset({Concept.NSAID}), start=date(2024, 2, 1))
    record = PatientRecord.build(Patient("p", date(1980, 1, 1)), [first, second])
    assert record.medications == (second,)
