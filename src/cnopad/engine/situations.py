"""Situations in which an information text helps (the ``situations`` of ``knowledge/texts``), by name."""

from __future__ import annotations

from collections.abc import Callable

from cnopad.domain import Concept
from cnopad.engine.findings import PREDICATES
from cnopad.engine.predicates.safety import bisphosphonate_current
from cnopad.engine.view import RecordView

Situation = Callable[[RecordView], bool]

#: a diagnosis counts as new for the parent text on the time after diagnosis (cnopad's choice)
_NEW_DIAGNOSIS_DAYS = 365


def _first_course(v: RecordView) -> bool:
    if PREDICATES["first_bisphosphonate_course_ahead"](v, {}):
        return True
    infusions = v.events.get(Concept.BISPHOSPHONATE, [])
    # the first course was given in the last two weeks: the acute phase reaction text still helps
    return bool(infusions) and (v.as_of - infusions[0][0]).days <= 14


def _is_current_smoker(v: RecordView) -> bool:
    return bool(PREDICATES["is_current_smoker"](v, {}))


def _newly_diagnosed(v: RecordView) -> bool:
    return v.diagnosis_date is not None and (v.as_of - v.diagnosis_date).days <= _NEW_DIAGNOSIS_DAYS


SITUATIONS: dict[str, Situation] = {
    "adult_cno": lambda v: v.adult and v.diagnosis is not None,
    "adult_confirmed_cno": lambda v: v.adult and v.confirmed,
    "first_bisphosphonate_course": lambda v: v.adult and _first_course(v),
    "on_bisphosphonate": lambda v: v.adult and (bisphosphonate_current(v) or bool(v.pending(Concept.BISPHOSPHONATE))),
    "on_tnf_inhibitor": lambda v: (
        v.adult and (bool(v.active(Concept.TNF_INHIBITOR)) or bool(v.pending(Concept.TNF_INHIBITOR)))
    ),
    "current_smoker": lambda v: v.adult and _is_current_smoker(v),
    "child_cno": lambda v: v.child and v.diagnosis is not None,
    "child_on_medication": lambda v: v.child and bool(v.on_cno_medication()),
    "child_on_nsaid": lambda v: v.child and bool(v.active(Concept.NSAID)),
    "child_newly_diagnosed": lambda v: v.child and v.confirmed and _newly_diagnosed(v),
}
