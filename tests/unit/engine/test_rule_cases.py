"""Every rule against its case files (tests/cases/rules): each fires where it should and is silent in the near miss."""

from __future__ import annotations

from collections import defaultdict

import pytest

from cnopad.engine import Card, assess
from cnopad.knowledge import KnowledgeBase, knowledge
from unit.engine.casefiles import Case, load_cases

CASES = load_cases(knowledge(), "rules/*.yaml")


def _cards(case: Case, kb: KnowledgeBase) -> list[Card]:
    assessment = assess(case.record, case.as_of, case.orders, lang=case.lang, kb=kb)
    return [c for c in assessment.cards if c.rule_id == case.spec["rule"]]


def _item_line(kb: KnowledgeBase, rule_id: str, item_id: str, lang: str) -> str:
    item = next(i for i in kb.rules.by_id[rule_id].items if i.id == item_id)
    assert item.text is not None
    return f"- {item.text.get(lang)}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_case(case: Case, kb: KnowledgeBase) -> None:
    spec = case.spec
    cards = _cards(case, kb)
    item = spec.get("item")
    if item is not None:
        line = _item_line(kb, spec["rule"], item, case.lang)
        cards = [c for c in cards if line in c.detail]
    if spec["expect"] == "silent":
        assert cards == [], f"{spec['rule']} fired: {[c.summary for c in cards]}"
        return
    assert cards, f"{spec['rule']}{'/' + item if item else ''} did not fire"
    card = cards[0]
    if "indicator" in spec:
        assert card.indicator.value == spec["indicator"]
    if "order_id" in spec:
        assert spec["order_id"] in {c.order_id for c in cards}
    for sid in spec.get("statements", ()):
        assert sid in card.statements


def test_every_rule_and_checklist_item_has_a_firing_case_and_a_near_miss(kb: KnowledgeBase) -> None:
    seen: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    for case in CASES:
        seen[(case.spec["rule"], case.spec.get("item"))].add(case.spec["expect"])
    missing = []
    for rule in kb.rules:
        keys = [(rule.id, item.id) for item in rule.items] or [(rule.id, None)]
        for key in keys:
            if seen.get(key, set()) != {"fires", "silent"}:
                missing.append(f"{key[0]}{'/' + key[1] if key[1] else ''}: {sorted(seen.get(key, set()))}")
    assert not missing, "rules without both a firing case and a near miss:\n" + "\n".join(missing)


def test_case_files_name_only_rules_that_exist(kb: KnowledgeBase) -> None:
    unknown = {c.spec["rule"] for c in CASES} - set(kb.rules.by_id)
    assert not unknown
