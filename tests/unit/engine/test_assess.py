"""The engine's contract: pure and deterministic, CDS Hooks-shaped cards, valid suggestions, honest framing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from cnopad.engine import Indicator, assess
from cnopad.engine.compiled import CompiledKnowledge
from cnopad.engine.findings import PREDICATES
from cnopad.engine.schedule import GENERATORS
from cnopad.engine.situations import SITUATIONS
from cnopad.errors import InputError, KnowledgeBaseError
from cnopad.knowledge import KnowledgeBase, knowledge
from cnopad.knowledge.rules import RuleBook
from unit.engine.casefiles import Builder, load_cases

AS_OF = date(2026, 11, 23)


def _child_on_mtx_with_planned_mmr(builder: Builder) -> Any:
    return builder.record(
        {"birth": "2016-03-03", "id": "child-1"},
        [
            {"condition": "concept:crmo", "recorded": "2025-09-10"},
            {"medication": "atc:L04AX03", "start": "2026-02-01"},
            {"id": "mmr", "medication": "atc:J07BD52", "status": "active", "start": "2026-12-10"},
        ],
    )


def test_a_child_on_methotrexate_with_a_planned_mmr_gets_a_critical_live_vaccine_card(
    builder: Builder, kb: KnowledgeBase
) -> None:
    cards = assess(_child_on_mtx_with_planned_mmr(builder), AS_OF, kb=kb).cards
    assert cards[0].rule_id == "live-vaccine-on-immunosuppressant"
    assert cards[0].indicator is Indicator.CRITICAL
    assert cards[0].order_id == "mmr"
    assert "mmr" in cards[0].evidence


def test_an_unknown_language_is_refused(builder: Builder, kb: KnowledgeBase) -> None:
    with pytest.raises(InputError, match="lang"):
        assess(_child_on_mtx_with_planned_mmr(builder), AS_OF, lang="de", kb=kb)


def test_card_uuids_are_stable_per_rule_patient_and_situation(builder: Builder, kb: KnowledgeBase) -> None:
    record = _child_on_mtx_with_planned_mmr(builder)
    first = assess(record, AS_OF, kb=kb).cards[0].uuid
    assert assess(record, AS_OF, kb=kb, lang="en").cards[0].uuid == first
    other = record.replace_patient(replace(record.patient, id="child-2"))
    assert assess(other, AS_OF, kb=kb).cards[0].uuid != first


def test_entries_dated_after_the_assessment_date_do_not_count(builder: Builder, kb: KnowledgeBase) -> None:
    record = builder.record(
        {"birth": "1975-01-01"},
        [
            {"condition": "concept:cno_scch", "recorded": "2025-01-01"},
            {"procedure": "concept:dental_check", "on": "2026-12-01"},
        ],
    )
    order = builder.entry({"id": "pam", "medication": "atc:M05BA03", "status": "draft"})
    rules = {c.rule_id for c in assess(record, AS_OF, (order,), kb=kb).cards}
    assert "bisphosphonate-order-without-dental-check" in rules


def test_a_rule_naming_an_unknown_predicate_stops_compilation(kb: KnowledgeBase) -> None:
    rule = kb.rules.by_id["smoking"].model_copy(update={"when": "no_such_predicate"})
    rules = tuple(rule if r.id == "smoking" else r for r in kb.rules)
    broken = replace(kb, rules=RuleBook(rules, {r.id: r for r in rules}, "test"))
    with pytest.raises(KnowledgeBaseError, match="no predicate named 'no_such_predicate'"):
        CompiledKnowledge(broken)


def test_every_predicate_generator_and_situation_is_used_by_the_knowledge_base(kb: KnowledgeBase) -> None:
    used = {item.when for rule in kb.rules for item in rule.situations}
    assert set(PREDICATES) - used == set()
    assert set(GENERATORS) == {s.generator for s in kb.schedules.schedules}
    assert set(SITUATIONS) == {s for t in kb.texts.texts for s in t.situations}


CASES = load_cases(knowledge(), "rules/*.yaml")
FIRING = [c for c in CASES if c.spec["expect"] == "fires"]


@pytest.mark.parametrize("case", FIRING, ids=[c.id for c in FIRING])
def test_cards_are_shaped_like_cds_hooks_cards_with_valid_fhir_suggestions(case: Any, kb: KnowledgeBase) -> None:
    for card in assess(case.record, case.as_of, case.orders, kb=kb).cards:
        assert len(card.summary) < 140 and card.source.label and card.statements
        if card.suggestions:
            assert card.selection_behavior in {"at-most-one", "any"}
        for suggestion in card.suggestions:
            for action in suggestion.actions:
                assert action.type == "create" and action.resource is not None
                get_fhir_model_class(action.resource["resourceType"]).model_validate(action.resource)
        if card.kind == "safety":
            assert card.override_reasons


def test_cards_from_the_gp_leaflet_carry_its_disclaimer_and_drug_cards_state_off_label(
    builder: Builder, kb: KnowledgeBase
) -> None:
    record = builder.record(
        {"birth": "1975-01-01"},
        [
            {"condition": "concept:cno_scch", "recorded": "2025-01-01"},
            {"medication": "atc:M01AE02", "start": "2026-01-01"},
            {"observation": "loinc:72514-3", "on": "2026-10-01", "value": 6},
        ],
    )
    cards = {c.rule_id: c for c in assess(record, AS_OF, kb=kb, lang="en").cards}
    card = cards["nsaid-insufficient"]
    assert "off-label" in card.detail and "NHG-STEP-1" in card.statements
    assert "NHG-DOUBT-1" in card.statements and "In doubt" in card.detail


def test_cards_from_the_parent_information_say_so_and_never_settle_anti_tnf(
    builder: Builder, kb: KnowledgeBase
) -> None:
    record = builder.record(
        {"birth": "2014-01-01"},
        [
            {"condition": "concept:crmo", "recorded": "2025-09-01"},
            {"medication": "atc:M01AE02", "start": "2026-06-01"},
            {"observation": "concept:flare", "on": "2026-10-01", "value": True},
        ],
    )
    assessment = assess(record, AS_OF, kb=kb, lang="en")
    card = next(c for c in assessment.cards if c.rule_id == "child-stronger-medication")
    assert "parent information" in card.detail and "not a clinical guideline" in card.detail
    assert "open question" in card.detail
    assert any("open question" in r for r in assessment.step_plan.reasons)


def test_inference_is_labelled_as_cnopads_own_choice(builder: Builder, kb: KnowledgeBase) -> None:
    cards = assess(_child_on_mtx_with_planned_mmr(builder), AS_OF, kb=kb, lang="en").cards
    card = cards[0]
    assert card.inference is not None
    assert "cnopad's own choice (not from the source):" in card.detail


def test_the_fast_uuid5_equals_the_standard_library() -> None:
    import uuid

    from cnopad.engine.uuids import CARD_NAMESPACE, uuid5

    for name in ("a", "care-coordination-checklist|p1|", "x" * 300, "é|ü|€"):
        assert uuid5(name) == str(uuid.uuid5(CARD_NAMESPACE, name))
