"""Every statement of the sources is cited by a rule, a task or a text; the catalog copies are equal."""

from __future__ import annotations

from pathlib import Path

import yaml

from cnopad.knowledge import KnowledgeBase
from conftest import ROOT

SHARED = ROOT.parent / "shared" / "statements.yaml"
VENDORED = ROOT / "catalog" / "statements.yaml"
PACKAGED = ROOT / "src" / "cnopad" / "knowledge" / "statements.yaml"


def _catalog() -> list[dict[str, object]]:
    """The steering catalog when it exists, else the vendored copy."""
    path = SHARED if SHARED.exists() else VENDORED
    statements: list[dict[str, object]] = yaml.safe_load(path.read_text(encoding="utf-8"))["statements"]
    return statements


def _load(path: Path) -> object:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_every_statement_id_is_cited_by_a_rule_task_or_text(kb: KnowledgeBase) -> None:
    cited: set[str] = set()
    for rule in kb.rules:
        cited.update(rule.all_statements)
    for schedule in kb.schedules.schedules:
        cited.update(schedule.statements)
    for text in kb.texts.texts:
        cited.update(text.statements)
    uncited = [str(s["id"]) for s in _catalog() if s["id"] not in cited]
    assert not uncited, f"{len(uncited)} statement(s) cited by no rule, task or text: {', '.join(uncited)}"


def test_the_catalog_has_98_statements_today() -> None:
    assert len(_catalog()) == 98


def test_the_vendored_and_packaged_catalogs_equal_the_steering_catalog() -> None:
    steering = _load(SHARED) if SHARED.exists() else _load(VENDORED)
    assert _load(VENDORED) == steering
    assert _load(PACKAGED) == steering


def test_each_kind_is_covered_where_the_issue_says(kb: KnowledgeBase) -> None:
    """advice/safety/diagnostic/referral by a rule, schedule by a task, fact/patient by a text.

    A rule's cards also cite the source's disclaimer statement (NHG-DOUBT-1), so compiled rules count.
    """
    from cnopad.engine.compiled import compiled

    engine = compiled(kb)
    by_rule = {s for r in (*engine.adult_rules, *engine.child_rules) for s in (*r.statements, *r.rule.all_statements)}
    by_task = {s for t in kb.schedules.schedules for s in t.statements}
    by_text = {s for t in kb.texts.texts for s in t.statements}
    wrong = []
    for s in kb.statements.statements:
        home = {"schedule": by_task, "fact": by_text, "patient": by_text}.get(s.kind.value, by_rule)
        if s.id not in home:
            wrong.append(f"{s.id} ({s.kind.value})")
    assert not wrong, f"statements not covered by their kind's place: {wrong}"
