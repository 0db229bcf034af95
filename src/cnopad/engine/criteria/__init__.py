"""Criteria and the diagnostic path (issue 13): ``evaluate_criteria(record, as_of)`` is pure and deterministic.

Instruments come from ``knowledge/criteria/*.yaml``; each item names a record fact decided by a small evaluator
(``facts.py``). Unknown items stay unknown: a points score is the range still possible, never unknown-as-absent.
Adults get the notice that there are no validated criteria for CNO-SCCH (NHG-DX-DELAY-1).
"""

from __future__ import annotations

from datetime import date

from cnopad.domain import PatientRecord
from cnopad.engine.cards import LANGS
from cnopad.engine.criteria.evaluate import evaluate_instrument, logic_value, points_range, points_status
from cnopad.engine.criteria.facts import FACTS
from cnopad.engine.criteria.path import diagnostic_path, path_card_id
from cnopad.engine.criteria.result import (
    CriteriaReport,
    Fact,
    InstrumentResult,
    ItemResult,
    PathStepResult,
    State,
    Status,
    StepState,
)
from cnopad.engine.view import RecordView
from cnopad.errors import InputError, KnowledgeBaseError
from cnopad.knowledge.base import KnowledgeBase, knowledge

__all__ = [
    "FACTS",
    "CriteriaReport",
    "Fact",
    "InstrumentResult",
    "ItemResult",
    "PathStepResult",
    "State",
    "Status",
    "StepState",
    "check_facts",
    "evaluate_criteria",
    "is_suspected",
    "logic_value",
    "path_card_id",
    "points_range",
    "points_status",
]


def check_facts(kb: KnowledgeBase) -> None:
    """Every fact an instrument names has an evaluator (run on first use; a typo fails loudly, not silently)."""
    for instrument in kb.criteria.instruments:
        for item in instrument.items:
            if item.fact not in FACTS:
                msg = (
                    f"knowledge/criteria/{instrument.id}: item {item.id!r} names fact {item.fact!r}, "
                    "which has no evaluator"
                )
                raise KnowledgeBaseError(msg)


def is_suspected(record: PatientRecord, as_of: date) -> bool:
    """True when CNO is suspected but not diagnosed on ``as_of``: the one case that gets the diagnostic-path card
    (the caller skips the whole evaluation otherwise, so a CDS call about a diagnosed patient pays nothing)."""
    view = RecordView(record, as_of)
    return view.suspected and not view.confirmed


def evaluate_criteria(
    record: PatientRecord, as_of: date, *, lang: str = "nl", kb: KnowledgeBase | None = None
) -> CriteriaReport:
    """Every instrument and the diagnostic path for ``record`` on ``as_of``."""
    if lang not in LANGS:
        msg = "lang"
        raise InputError(msg, f"{lang!r} is not a product language (nl or en)")
    base = kb if kb is not None else knowledge()
    check_facts(base)
    view = RecordView(record, as_of)
    needed = {item.fact for instrument in base.criteria.instruments for item in instrument.items}
    facts = {name: FACTS[name](view) for name in sorted(needed)}
    notice = base.criteria.path.adult_notice
    return CriteriaReport(
        patient_id=record.patient.id,
        as_of=as_of,
        lang=lang,
        age_group="adult" if view.adult else "child",
        diagnosis="confirmed" if view.confirmed else ("suspected" if view.suspected else "none"),
        notice=notice.text.get(lang) if view.adult else None,
        notice_statements=notice.statements if view.adult else (),
        instruments=tuple(
            evaluate_instrument(
                i, facts, base.criteria.facts, lang, adult=view.adult, statuses=base.criteria.path.statuses
            )
            for i in base.criteria.instruments
        ),
        path=diagnostic_path(view, base, lang),
        knowledge_version=base.version,
    )
