"""Concepts are resolved in the data's own vocabulary; what cannot be resolved is reported, never scored as absent."""

from __future__ import annotations

from datetime import date

from cnopad.population import screen_tables
from support.omop import OmopBuilder


def test_a_feature_whose_vocabulary_is_absent_is_unresolved_and_says_which_vocabularies_are_missing() -> None:
    tables = OmopBuilder().person(1, date(1980, 1, 1)).condition(1, date(2015, 1, 1), "SNOMED 195662009").tables()
    status = screen_tables(tables).resolution.features["adult_chest_wall"]
    assert status.status == "unresolved"
    assert "ICPC2" in status.reason
    assert "ICD10" in status.reason


def test_a_feature_that_needs_an_unresolved_anchor_is_unresolved_too() -> None:
    tables = OmopBuilder().person(1, date(1960, 1, 1)).condition(1, date(2015, 1, 1), "ICD10 M17.9").tables()
    status = screen_tables(tables).resolution.features["adult_earlier_osteoarthritis"]
    assert status.status == "unresolved"
    assert "needs adult_chest_wall" in status.reason


def test_a_resolved_signal_with_a_missing_vocabulary_is_partial() -> None:
    b = OmopBuilder().person(1, date(1980, 1, 1)).condition(1, date(2015, 1, 1), "ICPC2 L04")
    b.concept("ICD10 R07.3")
    status = screen_tables(b.tables()).resolution.features["adult_chest_wall"]
    assert status.status == "partial"
    assert "ICD10CM" in status.reason


def test_a_missing_note_table_leaves_the_free_text_feature_unresolved() -> None:
    tables = OmopBuilder().person(1, date(1980, 1, 1)).condition(1, date(2015, 1, 1), "ICPC2 L04").tables()
    del tables["note"]
    result = screen_tables(tables)
    assert result.resolution.features["note_names_cno"].status == "unresolved"
    assert result.unusable_tables["note"] == "table absent"


def test_crp_without_ucum_units_in_the_vocabulary_cannot_be_read_and_is_unresolved() -> None:
    b = OmopBuilder().person(1, date(1980, 1, 1)).condition(1, date(2015, 1, 1), "ICPC2 L04")
    b.measurement(1, date(2015, 1, 1), "LOINC 1988-5", value=5.0)
    status = screen_tables(b.tables()).resolution.features["adult_crp_not_markedly_raised"]
    assert status.status == "unresolved"
    assert "mg/L" in status.reason


def test_icd_codes_written_without_a_dot_in_the_data_still_match() -> None:
    tables = OmopBuilder().person(1, date(1980, 1, 1)).condition(1, date(2015, 1, 1), "ICD10 M940").tables()
    scores = screen_tables(tables).scores.to_pylist()
    assert scores[0]["adult_earlier_tietze"] is True


def test_an_already_diagnosed_person_is_listed_apart_and_never_ranked() -> None:
    b = OmopBuilder().person(1, date(1980, 1, 1)).person(2, date(1980, 1, 1))
    for pid in (1, 2):
        b.condition(pid, date(2015, 1, 1), "ICPC2 L04").condition(pid, date(2015, 6, 1), "ICPC2 L04")
        b.condition(pid, date(2016, 1, 1), "ICD10 M94.0")
    b.condition(2, date(2018, 1, 1), "ICD10 M86.3")
    result = screen_tables(b.tables())
    assert result.ranked.column("person_id").to_pylist() == [1]
    assert result.diagnosed.column("person_id").to_pylist() == [2]
    assert result.diagnosed.column("first_recorded").to_pylist() == [date(2018, 1, 1)]


def test_the_ranked_list_orders_by_score_then_person_id_and_respects_the_threshold() -> None:
    b = OmopBuilder()
    for pid, extra in ((3, True), (1, False), (2, True)):
        b.person(pid, date(1980, 1, 1))
        b.condition(pid, date(2015, 1, 1), "ICPC2 L04").condition(pid, date(2015, 6, 1), "ICD10 M94.0")
        if extra:
            b.condition(pid, date(2016, 1, 1), "ICD10 L40.3")
    result = screen_tables(b.tables())
    assert result.ranked.column("person_id").to_pylist() == [2, 3, 1]
    assert result.ranked.column("score").to_pylist() == [9, 9, 6]
    assert screen_tables(b.tables(), threshold=7).ranked.column("person_id").to_pylist() == [2, 3]
