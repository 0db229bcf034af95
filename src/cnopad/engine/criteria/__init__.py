"""Criteria and the diagnostic path (issue 13): ``evaluate_criteria(record, as_of)`` is pure and deterministic.

Instruments come from ``knowledge/criteria/*.yaml``; each item names a record fact decided by a small evaluator
(``facts.py``). Unknown items stay unknown: a points score is the range still possible, never unknown-as-absent,
and only computed when its points are verified (otherwise "not computed: weights not verified", no item points).
Adults get the notice that there are no validated criteria for CNO-SCCH (NHG-DX-DELAY-1).
"""

from __future__ import annotations

from datetime import date

from cnopad.domain import PatientRecord
from cnopad.engine.cards import LANGS
from cnopad.engine.criteria.compiled import check_facts, compiled_criteria
from cnopad.engine.criteria.evaluate import logic_value, points_range, points_status
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
from cnopad.engine.view import view_of
from cnopad.errors import InputError
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
    "is_suspected_or_diagnosed",
    "logic_value",
    "path_card_id",
    "points_range",
    "points_status",
]


def is_suspected(record: PatientRecord, as_of: date) -> bool:
    """True when CNO is suspected but not diagnosed on ``as_of``: the one case that gets the diagnostic-path card
    (the caller skips the whole evaluation otherwise, so a CDS call about a diagnosed patient pays nothing)."""
    view = view_of(record, as_of)  # shared with the evaluation that follows for a suspected case
    return view.suspected and not view.confirmed


def is_suspected_or_diagnosed(record: PatientRecord, as_of: date) -> bool:
    """True when the record holds a live CNO diagnosis on ``as_of``, suspected or confirmed (the engine's own
    ``RecordView.diagnosis``): the patients whose criteria a clinician may look at."""
    return view_of(record, as_of).diagnosis is not None


def evaluate_criteria(
    record: PatientRecord, as_of: date, *, lang: str = "nl", kb: KnowledgeBase | None = None
) -> CriteriaReport:
    """Every instrument and the diagnostic path for ``record`` on ``as_of``."""
    if lang not in LANGS:
        msg = "lang"
        raise InputError(msg, f"{lang!r} is not a product language (nl or en)")
    base = kb if kb is not None else knowledge()
    view = view_of(record, as_of)  # the view assess built for this record and day, if it just did
    adult = view.adult
    notice = base.criteria.path.adult_notice
    return CriteriaReport(
        patient_id=record.patient.id,
        as_of=as_of,
        lang=lang,
        age_group="adult" if adult else "child",
        diagnosis="confirmed" if view.confirmed else ("suspected" if view.suspected else "none"),
        notice=notice.text.get(lang) if adult else None,
        notice_statements=notice.statements if adult else (),
        instruments=compiled_criteria(base).evaluate(view, lang, adult=adult),
        path=diagnostic_path(view, base, lang),
        knowledge_version=base.version,
    )
