"""docs/hazard-log.md stays true: every safety rule has an entry and every test it names exists."""

from __future__ import annotations

import re

from cnopad.knowledge import KnowledgeBase, knowledge
from conftest import ROOT
from unit.engine.casefiles import load_cases

LOG = (ROOT / "docs" / "hazard-log.md").read_text(encoding="utf-8")


def test_every_safety_rule_has_a_hazard_entry(kb: KnowledgeBase) -> None:
    missing = [r.id for r in kb.rules if r.kind.value == "safety" and f"`{r.id}`" not in LOG]
    assert not missing, f"safety rules without a hazard entry: {missing}"


def test_every_case_named_in_the_hazard_log_exists() -> None:
    names = {
        (c.file, c.name)
        for pattern in ("rules/*.yaml", "tasks.yaml", "step_plan.yaml")
        for c in load_cases(knowledge(), pattern)
    }
    cited = re.findall(r"\[([a-z_]+\.yaml)::([^\]]+)\]", LOG)
    unknown = [f"{f}::{n}" for f, n in cited if (f, n) not in names]
    assert cited and not unknown, f"cases named in the hazard log that do not exist: {unknown}"


def test_every_test_function_named_in_the_hazard_log_exists() -> None:
    cited = set(re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)", LOG))
    missing = [
        f"{path}::{name}" for path, name in cited if f"def {name}(" not in (ROOT / path).read_text(encoding="utf-8")
    ]
    assert cited and not missing, missing
