"""The task schedules against tests/cases/tasks.yaml: due dates and statuses relative to the assessment date."""

from __future__ import annotations

from datetime import date

import pytest

from cnopad.engine import TaskStatus, assess
from cnopad.knowledge import KnowledgeBase, knowledge
from unit.engine.casefiles import Case, load_cases

CASES = load_cases(knowledge(), "tasks.yaml")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_task_case(case: Case, kb: KnowledgeBase) -> None:
    tasks = assess(case.record, case.as_of, case.orders, kb=kb).tasks
    for expected in case.spec.get("tasks", ()):
        matching = [
            t
            for t in tasks
            if t.kind == expected["kind"]
            and t.status is TaskStatus(expected["status"])
            and ("due" not in expected or t.due == expected["due"])
            and ("done_on" not in expected or t.done_on == expected["done_on"])
        ]
        shown = [(t.kind, t.status.value, t.due.isoformat(), t.done_on) for t in tasks]
        assert matching, f"expected {expected}, got {shown}"
    for kind in case.spec.get("no_tasks", ()):
        assert kind not in {t.kind for t in tasks}


def test_every_task_kind_has_cases(kb: KnowledgeBase) -> None:
    covered = {t["kind"] for c in CASES for t in c.spec.get("tasks", ())}
    absent = {k for c in CASES for k in c.spec.get("no_tasks", ())}
    kinds = set(kb.schedules.by_kind)
    assert kinds <= covered, f"task kinds without a case where they appear: {sorted(kinds - covered)}"
    assert kinds <= absent, f"task kinds without a near miss: {sorted(kinds - absent)}"


def test_a_pamidronate_task_never_states_a_dose(kb: KnowledgeBase) -> None:
    case = next(c for c in CASES if c.spec.get("base") == "pamidronate")
    for task in assess(case.record, case.as_of, kb=kb, lang="en").tasks:
        assert " mg" not in (task.detail or "") and " mg" not in task.title


def test_tasks_are_listed_overdue_first_then_by_due_date(kb: KnowledgeBase) -> None:
    case = next(c for c in CASES if c.spec.get("base") == "pamidronate")
    order = [(t.status.value, t.due) for t in assess(case.record, case.as_of, kb=kb).tasks]
    assert order == [("overdue", date(2026, 8, 4)), ("done", date(2026, 5, 4))]
