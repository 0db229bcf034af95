"""A card that rests on a finding read from report text shows the sentence; coded findings show none (synthetic data)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cnopad.domain import Bone, Concept, ImagingResult, PatientRecord, Side, Site, TextReading
from cnopad.engine import assess
from cnopad.knowledge import KnowledgeBase
from unit.engine.casefiles import Builder

AS_OF = date(2026, 11, 23)
SENTENCE = "Conclusie: solitaire osteolytische laesie in de proximale tibia links."


def _child_with_one_lesion(builder: Builder, *, reading: TextReading | None) -> PatientRecord:
    record = builder.record(
        {"birth": "2016-04-02", "id": "k1"}, [{"condition": "concept:crmo", "recorded": "2026-09-01"}]
    )
    mri = ImagingResult(
        "mri1",
        concepts=frozenset({Concept.IMAGING, Concept.MRI}),
        performed=date(2026, 9, 15),
        findings=frozenset({Concept.OSTEOLYTIC_LESION}),
        sites=(Site(Bone.TIBIA, Side.LEFT),),
        lesion_count=1,
        text_reading=reading,
    )
    return replace(record, imaging=(mri,))


def _reading(sentence: str = SENTENCE) -> TextReading:
    return TextReading(
        sentences=(sentence,),
        findings=frozenset({Concept.OSTEOLYTIC_LESION}),
        sites=(Site(Bone.TIBIA, Side.LEFT),),
        lesion_count=1,
    )


def _unifocal(record: PatientRecord, kb: KnowledgeBase, lang: str = "nl") -> str:
    (card,) = [c for c in assess(record, AS_OF, kb=kb, lang=lang).cards if c.rule_id == "child-unifocal-lesion"]
    assert card.evidence == ("mri1",)
    return card.detail


def test_a_unifocal_lesion_read_from_the_report_text_shows_the_sentence_on_the_card(
    builder: Builder, kb: KnowledgeBase
) -> None:
    record = _child_with_one_lesion(builder, reading=_reading())
    assert f"- «{SENTENCE}»" in _unifocal(record, kb)
    assert "Gelezen uit de verslagtekst" in _unifocal(record, kb)
    assert "Read from the report text" in _unifocal(record, kb, "en")


def test_the_same_lesion_from_codes_shows_no_report_sentence(builder: Builder, kb: KnowledgeBase) -> None:
    detail = _unifocal(_child_with_one_lesion(builder, reading=None), kb)
    assert "Gelezen uit de verslagtekst" not in detail and "«" not in detail


def test_markup_in_a_report_sentence_is_shown_literally(builder: Builder, kb: KnowledgeBase) -> None:
    record = _child_with_one_lesion(
        builder, reading=_reading("Laesie *tibia* [zie](javascript:alert(1)) <b>links</b>.")
    )
    detail = _unifocal(record, kb)
    assert r"Laesie \*tibia\* \[zie\]\(javascript:alert\(1\)\) \<b\>links\</b\>." in detail


def test_remission_read_from_a_bone_scan_report_names_the_report_and_its_sentence(
    builder: Builder, kb: KnowledgeBase
) -> None:
    record = builder.record(
        {"birth": "1975-05-05", "id": "a1"},
        [
            {"condition": "concept:cno_scch", "recorded": "2024-01-10"},
            {"observation": "loinc:72514-3", "on": "2026-10-01", "value": 5},
        ],
    )
    sentence = "Conclusie: geen verhoogde activiteit meer in het sternum."
    scan = ImagingResult(
        "scan1",
        concepts=frozenset({Concept.IMAGING, Concept.BONE_SCINTIGRAPHY}),
        performed=date(2026, 3, 1),
        findings=frozenset({Concept.IMAGING_NO_ACTIVITY}),
        text_reading=TextReading(sentences=(sentence,), findings=frozenset({Concept.IMAGING_NO_ACTIVITY})),
    )
    cards = assess(replace(record, imaging=(scan,)), AS_OF, kb=kb).cards
    (card,) = [c for c in cards if c.rule_id == "remission-with-pain"]
    assert card.evidence == ("scan1",) and f"«{sentence}»" in card.detail
