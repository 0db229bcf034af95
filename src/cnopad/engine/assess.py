"""``assess(record, as_of, orders)``: everything the engine concludes for one patient on one day.

Pure and deterministic: no clock, no I/O; the same record, date, orders and language always give the
same assessment. ``lang`` changes only the wording, never which cards, tasks or texts appear.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from cnopad.domain import Entry, PatientRecord
from cnopad.engine.assessment import Assessment, TaskStatus
from cnopad.engine.cards import LANGS
from cnopad.engine.compiled import compiled
from cnopad.engine.step_plan import COURSE_TASKS, build_step_plan
from cnopad.engine.view import view_of
from cnopad.errors import InputError
from cnopad.knowledge.base import KnowledgeBase, knowledge


def assess(
    record: PatientRecord,
    as_of: date,
    orders: Sequence[Entry] = (),
    *,
    lang: str = "nl",
    kb: KnowledgeBase | None = None,
) -> Assessment:
    """Cards, tasks, the step plan and information for ``record`` on ``as_of``, with draft ``orders`` checked."""
    if lang not in LANGS:
        msg = "lang"
        raise InputError(msg, f"{lang!r} is not a product language (nl or en)")
    base = kb if kb is not None else knowledge()
    engine = compiled(base)
    # shared with the criteria of the same record and day (evaluate_criteria): the record is indexed once
    view = view_of(record, as_of, orders)
    view.held = ()  # a shared view may carry the previous call's value: the tasks below decide it afresh
    tasks = engine.tasks(view, lang)
    view.held = tuple(sorted(t.due for t in tasks if t.kind in COURSE_TASKS and t.status is TaskStatus.OVERDUE))
    return Assessment(
        patient_id=record.patient.id,
        as_of=as_of,
        lang=lang,
        cards=engine.cards(view, lang),
        tasks=tasks,
        step_plan=build_step_plan(view, base.step_plan, lang, tasks),
        information=engine.information(view, lang),
        knowledge_version=base.version,
    )
