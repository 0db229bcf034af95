"""The step plan and the information texts against tests/cases/step_plan.yaml and information.yaml."""

from __future__ import annotations

import pytest

from cnopad.engine import Step, assess
from cnopad.knowledge import KnowledgeBase, knowledge
from unit.engine.casefiles import Case, load_cases

PLANS = load_cases(knowledge(), "step_plan.yaml")
TEXTS = load_cases(knowledge(), "information.yaml")


@pytest.mark.parametrize("case", PLANS, ids=[c.id for c in PLANS])
def test_step_plan_case(case: Case, kb: KnowledgeBase) -> None:
    plan = assess(case.record, case.as_of, case.orders, kb=kb).step_plan
    spec = case.spec
    assert plan.current is Step(spec["current"])
    assert plan.escalation is spec["escalation"]
    for sid in spec.get("statements", ()):
        assert sid in plan.statements
    for sid in spec.get("not_statements", ()):
        assert sid not in plan.statements
    if "prerequisites" in spec:
        assert len(plan.prerequisites) == spec["prerequisites"]
    if "history" in spec:
        assert len(plan.history) == spec["history"]
    assert plan.reasons, "the plan always says why (at least the off-label or parent-information line)"


@pytest.mark.parametrize("case", TEXTS, ids=[c.id for c in TEXTS])
def test_information_case(case: Case, kb: KnowledgeBase) -> None:
    shown = {i.id for i in assess(case.record, case.as_of, case.orders, kb=kb).information}
    assert set(case.spec["shows"]) <= shown
    assert not set(case.spec["hides"]) & shown


def test_every_situation_of_the_texts_is_exercised_by_a_case(kb: KnowledgeBase) -> None:
    shown = {i for c in TEXTS for i in c.spec["shows"]}
    situations = {s for t in kb.texts.texts for s in t.situations}
    covered = {s for t in kb.texts.texts if t.id in shown for s in t.situations}
    assert not situations - covered, f"situations never exercised: {sorted(situations - covered)}"
