"""Knowledge files are validated on load: a broken rule, text or cross-reference names its file, item and field."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cnopad.errors import KnowledgeBaseError, NotFoundError
from cnopad.knowledge import KnowledgeBase
from cnopad.knowledge.consistency import check_consistency
from cnopad.knowledge.files import parse
from cnopad.knowledge.rules import RuleBook, RuleFile
from cnopad.knowledge.statements import Scope

_RULE = """
version: "1"
topic: test
rules:
  - id: broken-rule
    scope: adult
    population: confirmed
    kind: advice
    indicator: info
    source: nhg
    when: is_current_smoker
    statements: [NHG-SMOKING-1]
    summary: {nl: "%s", en: "Short."}
    detail: {nl: "Tekst.", en: "Text."}
"""


def test_a_summary_of_140_characters_is_refused_with_file_item_and_field() -> None:
    with pytest.raises(KnowledgeBaseError, match=r"rules/test\.yaml: rules\[0\] \(broken-rule\).*140"):
        parse(RuleFile, "knowledge/rules/test.yaml", _RULE % ("x" * 140))


def test_a_rule_citing_a_malformed_statement_id_is_refused() -> None:
    text = _RULE.replace("[NHG-SMOKING-1]", "[SMOKING]") % "Kort."
    with pytest.raises(KnowledgeBaseError, match=r"rules\[0\] \(broken-rule\)\.statements"):
        parse(RuleFile, "knowledge/rules/test.yaml", text)


def test_a_safety_rule_without_override_reasons_is_refused() -> None:
    text = (_RULE % "Kort.").replace("kind: advice", "kind: safety")
    with pytest.raises(KnowledgeBaseError, match="override_reasons"):
        parse(RuleFile, "knowledge/rules/test.yaml", text)


def test_a_valid_rule_file_parses() -> None:
    parsed = parse(RuleFile, "knowledge/rules/test.yaml", _RULE % "Kort.")
    assert parsed.rules[0].situations[0].when == "is_current_smoker"


def _with_rule(kb: KnowledgeBase, **changes: object) -> KnowledgeBase:
    rule = kb.rules.by_id["smoking"].model_copy(update=changes)
    rules = tuple(rule if r.id == "smoking" else r for r in kb.rules)
    return replace(kb, rules=RuleBook(rules, {r.id: r for r in rules}, kb.rules.version))


def test_a_rule_that_applies_an_adult_statement_to_children_stops_start_up(kb: KnowledgeBase) -> None:
    with pytest.raises(KnowledgeBaseError, match="rule smoking: scope child does not match"):
        check_consistency(_with_rule(kb, scope=Scope.CHILD))


def test_a_child_rule_may_not_route_to_the_adult_patient_association(kb: KnowledgeBase) -> None:
    broken = _with_rule(kb, scope=Scope.ANY, statements=("CRMO-VACCINATION-1",), contacts=("cno-scch-association",))
    with pytest.raises(KnowledgeBaseError, match="contact 'cno-scch-association' is for adult patients"):
        check_consistency(broken)


def test_an_unknown_statement_id_stops_start_up(kb: KnowledgeBase) -> None:
    with pytest.raises(KnowledgeBaseError, match="unknown statement NHG-NOPE-1"):
        check_consistency(_with_rule(kb, statements=("NHG-NOPE-1",)))


def test_the_shipped_knowledge_base_is_consistent(kb: KnowledgeBase) -> None:
    check_consistency(kb)
    assert kb.version.count("@") > 10


def test_texts_for_an_audience_come_in_the_asked_language(kb: KnowledgeBase) -> None:
    parent_nl = kb.texts.for_audience("parent", "nl")
    parent_en = kb.texts.for_audience("parent", "en")
    assert [t.id for t in parent_nl] == [t.id for t in parent_en]
    assert all(t.scope is Scope.CHILD for t in parent_nl)
    assert parent_nl[0].title != parent_en[0].title


def test_a_text_is_found_by_id_and_an_unknown_id_is_not_found(kb: KnowledgeBase) -> None:
    assert kb.texts.localized("patient-acute-phase-reaction", "en").statements == ("NHG-BP-APR-1",)
    with pytest.raises(NotFoundError):
        kb.texts.get("no-such-text")


def test_a_cnopad_note_on_a_text_is_shown_with_the_text(kb: KnowledgeBase) -> None:
    text = kb.texts.localized("nhg-extraskeletal", "en")
    assert "cnopad's note" in text.body


def test_every_rule_citing_nhg_statements_gets_the_nhg_disclaimer_statement(kb: KnowledgeBase) -> None:
    from cnopad.engine.compiled import compiled

    for rule in compiled(kb).adult_rules:
        if any(s.startswith("NHG-") for s in rule.rule.all_statements):
            assert "NHG-DOUBT-1" in rule.statements, rule.rule.id


def test_every_off_label_adult_rule_cites_the_step_plan_statement(kb: KnowledgeBase) -> None:
    from cnopad.engine.compiled import compiled

    for rule in compiled(kb).adult_rules:
        if rule.rule.off_label and rule.rule.scope is Scope.ADULT:
            assert "NHG-STEP-1" in rule.statements, rule.rule.id
