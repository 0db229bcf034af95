"""The case-finding knowledge loads, cites known statements, and refuses files that break its rules."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
import yaml

from cnopad.errors import KnowledgeBaseError
from cnopad.knowledge.casefinding import NoteTermsFile, ScoreFile, casefinding, check_references, normalise
from cnopad.knowledge.files import parse

ROOT = Path(__file__).resolve().parents[3]
CATALOG = set(re.findall(r"^- id: (\S+)", (ROOT / "catalog" / "statements.yaml").read_text("utf-8"), flags=re.M))
SCORE_TEXT = resources.files("cnopad.knowledge").joinpath("casefinding/score.yaml").read_text("utf-8")
NOTES = casefinding().notes


def _load_changed(change: dict[str, object], feature: str = "adult_chest_wall_recurrent") -> None:
    data = yaml.safe_load(SCORE_TEXT)
    for f in data["features"]:
        if f["id"] == feature:
            f.update(change)
    score = parse(ScoreFile, "knowledge/casefinding/score.yaml", yaml.safe_dump(data))
    check_references(score, NOTES, "knowledge/casefinding/score.yaml")


def test_every_statement_a_feature_cites_is_in_the_catalog() -> None:
    cited = {s for f in casefinding().features for s in f.statements}
    assert cited - CATALOG == set()


def test_every_feature_cites_a_statement_or_a_reference_and_explains_its_thresholds() -> None:
    for f in casefinding().features:
        assert f.statements or f.reference, f.id
        if f.rule.has_threshold or f.requires:
            assert f.inference, f.id


def test_a_threshold_without_inference_is_refused_naming_file_item_and_field() -> None:
    with pytest.raises(KnowledgeBaseError, match=r"score\.yaml: features\[\d+\] \(adult_chest_wall_recurrent\)"):
        _load_changed({"inference": None})


def test_a_feature_requiring_an_unknown_feature_is_refused() -> None:
    with pytest.raises(KnowledgeBaseError, match="no feature 'nonexistent'"):
        _load_changed({"requires": ["nonexistent"]})


def test_features_that_require_each_other_are_refused_as_a_cycle() -> None:
    data = yaml.safe_load(SCORE_TEXT)
    for f in data["features"]:
        if f["id"] == "adult_chest_wall":
            f["requires"] = ["adult_earlier_osteoarthritis"]
            f["inference"] = "test"
    score = parse(ScoreFile, "score.yaml", yaml.safe_dump(data))
    with pytest.raises(KnowledgeBaseError, match="cycle"):
        check_references(score, NOTES, "score.yaml")


def test_an_unknown_value_set_is_refused() -> None:
    data = yaml.safe_load(SCORE_TEXT)
    data["signals"][0]["sources"][0]["valuesets"] = ["no_such_concept"]
    with pytest.raises(KnowledgeBaseError, match="valuesets"):
        parse(ScoreFile, "score.yaml", yaml.safe_dump(data))


def test_a_within_window_shorter_than_the_span_is_refused() -> None:
    with pytest.raises(KnowledgeBaseError, match="within_days must be at least min_span_days"):
        _load_changed({"rule": {"min_span_days": 90, "within_days": 30}})


def test_a_note_term_stem_must_be_lower_case_ascii() -> None:
    data = {"version": "1", "topic": "note_terms", "counts_when": {"presence": ["Present"], "experiencer": ["Patient"],
            "temporality": ["Current"], "inference": "x"}, "groups": [{"id": "g", "stems": ["Sapho"], "terms": [{"term": "SAPHO"}]}]}  # fmt: skip
    with pytest.raises(KnowledgeBaseError, match="stems"):
        parse(NoteTermsFile, "note_terms.yaml", yaml.safe_dump(data))


def test_value_sets_are_reused_with_their_omop_vocabularies_and_local_codes_are_skipped() -> None:
    kb = casefinding()
    (source,) = kb.signal("cno_diagnosis").sources
    include, _, skipped = kb.codes(source)
    assert {(c.vocabulary_id, c.code) for c in include} == {("ICD10", "M86.3"), ("ICD10CM", "M86.3")}
    assert {s.system for s in skipped} == {"icd10nl", "orpha", "cnopad"}


@pytest.mark.parametrize(
    ("vocabulary", "code", "expected"),
    [
        ("ICD10", "m86.3", "M863"),
        ("ICD10CM", "M86.30", "M8630"),
        ("ATC", "m01ae02", "M01AE02"),
        ("SNOMED", "64109004", "64109004"),
    ],
)
def test_codes_compare_in_normal_form(vocabulary: str, code: str, expected: str) -> None:
    assert normalise(vocabulary, code) == expected
