"""The texts about data cnopad could not read (knowledge/not_understood.yaml): complete, in both languages,
and with summaries that stay under 140 characters once filled in."""

from __future__ import annotations

import pytest

from cnopad.errors import KnowledgeBaseError
from cnopad.fhir import Reason
from cnopad.knowledge import KnowledgeBase
from cnopad.knowledge.files import knowledge_file, parse
from cnopad.knowledge.not_understood import NotUnderstoodTexts


def test_every_reason_the_reader_can_give_has_a_label_in_dutch_and_english(kb: KnowledgeBase) -> None:
    labels = kb.not_understood.reasons
    missing = [r.value for r in Reason if r.value not in labels]
    assert not missing, f"reasons without a label in knowledge/not_understood.yaml: {missing}"
    assert set(labels) == {r.value for r in Reason}, "a label for a reason the reader never gives"
    assert all(text.nl != text.en for text in labels.values())


def test_an_order_summary_too_long_for_a_card_stops_start_up_naming_the_field() -> None:
    name, text = knowledge_file("not_understood.yaml")
    longer = text.replace(
        "cnopad could not check this order: {order}", "cnopad could not check " + "x" * 60 + ": {order}"
    )
    with pytest.raises(KnowledgeBaseError, match=r"not_understood\.yaml.*order_card\.summary\.en.*140"):
        parse(NotUnderstoodTexts, name, longer)
