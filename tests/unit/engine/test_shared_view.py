"""assess and the criteria share one record view per record and day (``view_of``): never a stale or leaked answer.

The shared view is what keeps the criteria cheap enough for the issue 13 benchmark; these tests make sure the
sharing is invisible: a changed record, another day or draft orders always give what a fresh evaluation gives.
Every record here is synthetic.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

from cnopad.domain import PatientRecord
from cnopad.engine import assess
from cnopad.engine.criteria import CriteriaReport, State, evaluate_criteria
from cnopad.engine.view import view_of
from cnopad.knowledge import KnowledgeBase
from unit.engine.casefiles import Builder

AS_OF = date(2026, 11, 23)
_SUSPECTED = {"condition": "concept:cno_scch", "verification": "suspected", "recorded": "2026-06-01"}
_PPP = {"id": "ppp", "condition": "icd10:L40.3", "onset": "2026-09-01", "recorded": "2026-09-01"}


def _adult(builder: Builder, *extra: dict[str, Any]) -> PatientRecord:
    return builder.record({"birth": "1975-05-05", "id": "shared-view-1"}, [_SUSPECTED, *extra])


def _kahn_ppp(report: CriteriaReport) -> State:
    kahn = next(i for i in report.instruments if i.id == "sapho-kahn-2003")
    return next(i.state for i in kahn.items if i.id == "ppp-or-psoriasis")


def _fresh(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``fn`` in a new thread: its own, empty view cache (what a first call in a new process gets)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def test_the_criteria_of_a_changed_record_are_worked_out_again_not_served_from_the_shared_view(
    builder: Builder, kb: KnowledgeBase
) -> None:
    before = _adult(builder)
    after = _adult(builder, _PPP)  # the same patient with palmoplantar pustulosis recorded since
    assess(before, AS_OF, kb=kb)
    assert _kahn_ppp(evaluate_criteria(before, AS_OF, kb=kb)) is State.UNKNOWN
    assess(after, AS_OF, kb=kb)
    changed = evaluate_criteria(after, AS_OF, kb=kb)
    assert _kahn_ppp(changed) is State.PRESENT
    assert changed == _fresh(evaluate_criteria, after, AS_OF, kb=kb)
    assert _kahn_ppp(evaluate_criteria(before, AS_OF, kb=kb)) is State.UNKNOWN


def test_another_assessment_date_gets_its_own_view(builder: Builder, kb: KnowledgeBase) -> None:
    record = _adult(builder, _PPP)
    assert _kahn_ppp(evaluate_criteria(record, AS_OF, kb=kb)) is State.PRESENT
    # before the pustulosis was recorded the record did not say so yet
    assert _kahn_ppp(evaluate_criteria(record, date(2026, 8, 1), kb=kb)) is State.UNKNOWN
    assert _kahn_ppp(evaluate_criteria(record, AS_OF, kb=kb)) is State.PRESENT


def test_draft_orders_do_not_reach_the_criteria_or_a_later_assessment_without_them(
    builder: Builder, kb: KnowledgeBase
) -> None:
    record = _adult(builder, {"medication": "atc:H02AB06", "start": "2026-10-01"})
    plain = _fresh(assess, record, AS_OF, kb=kb)
    mmr = builder.entry({"id": "mmr", "medication": "atc:J07BD52", "status": "draft", "start": "2026-12-10"})
    with_order = assess(record, AS_OF, (mmr,), kb=kb)
    assert any(c.order_id == "mmr" for c in with_order.cards)  # the order was looked at
    assert evaluate_criteria(record, AS_OF, kb=kb) == _fresh(evaluate_criteria, record, AS_OF, kb=kb)
    assert assess(record, AS_OF, kb=kb) == plain


def test_assessing_again_on_the_shared_view_gives_the_same_assessment(builder: Builder, kb: KnowledgeBase) -> None:
    # an overdue pamidronate course: assess records it on the view (``held``), which the cards then read
    record = _adult(
        builder,
        {"medication": "atc:M05BA03", "start": "2025-09-01", "every_months": 3, "days": 3},
        {"condition": "concept:cno_scch", "recorded": "2025-08-01"},
    )
    first = _fresh(assess, record, AS_OF, kb=kb)
    assert assess(record, AS_OF, kb=kb) == first
    evaluate_criteria(record, AS_OF, kb=kb)
    assert assess(record, AS_OF, kb=kb) == first
    assert assess(record, AS_OF, kb=kb, lang="en") == _fresh(assess, record, AS_OF, kb=kb, lang="en")


def test_the_view_is_shared_only_for_the_same_record_object_and_day(builder: Builder) -> None:
    record = _adult(builder)
    view = view_of(record, AS_OF)
    assert view_of(record, AS_OF) is view
    assert view_of(_adult(builder), AS_OF) is not view  # an equal but distinct record object: its own view
    assert view_of(record, date(2026, 11, 24)) is not view
    mmr = builder.entry({"id": "mmr", "medication": "atc:J07BD52", "status": "draft", "start": "2026-12-10"})
    assert view_of(record, AS_OF, (mmr,)) is not view_of(record, AS_OF, (mmr,))  # with orders: never kept
