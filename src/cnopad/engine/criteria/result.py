"""What the criteria evaluation says about one patient on one day: items, scores as ranges, the diagnostic path.

An item is present, absent or unknown; an unknown item is never counted as absent: a points score is the range
still possible (``score_min``-``score_max``) and a logical criterion may stay undetermined. A points score whose
weights are not verified is not computed at all (no range, no item points).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cnopad.engine.assessment import Suggestion
from cnopad.engine.quick_init import quick_init


class State(StrEnum):
    """What the record says of one criterion item."""

    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"


class Status(StrEnum):
    """The result of one instrument."""

    MET = "met"  # threshold reached / criteria fulfilled whatever the unknown items are
    NOT_MET = "not_met"  # cannot be reached whatever the unknown items are
    UNDETERMINED = "undetermined"  # the unknown items decide
    NOT_COMPUTED = "not_computed"  # the score is not computed (weights not verified)
    EXCLUDED = "excluded"  # an exclusion is recorded
    NOT_APPLICABLE = "not_applicable"  # not for this patient's age group, or an entry criterion is absent


@quick_init
@dataclass(frozen=True, slots=True)
class Fact:
    """A record fact as an evaluator finds it: state, the entries it rests on, a value shown, a note key."""

    state: State
    evidence: tuple[str, ...] = ()
    value: str | None = None
    note: str | None = None


UNKNOWN = Fact(State.UNKNOWN)


@quick_init
@dataclass(frozen=True, slots=True)
class ItemResult:
    """One criterion item for this patient, with how the record decides it."""

    id: str
    text: str
    role: str
    fact: str
    state: State
    points: int | None
    evidence: tuple[str, ...]
    value: str | None
    note: str | None
    mapping: str


@quick_init
@dataclass(frozen=True, slots=True)
class InstrumentResult:
    """One instrument for this patient: its status, the score range where it has points, and every item."""

    id: str
    title: str
    citation: str
    doi: str | None
    purpose: str
    purpose_text: str
    population: str
    performance: str | None
    caution: str | None
    status: Status
    status_reason: str | None
    status_label: str
    score_min: int | None
    score_max: int | None
    threshold: int | None
    max_points: int | None
    weights_verified: bool
    weights_where: str
    content_verified: bool
    content_where: str
    interpretation: str
    items: tuple[ItemResult, ...]
    open_items: tuple[str, ...]  # unknown items that could still change the status


class StepState(StrEnum):
    """Where a diagnostic-path step stands."""

    DONE = "done"
    TODO = "todo"
    NOTE = "note"
    NEEDED = "needed"
    MAY_BE_AVOIDED = "may_be_avoided"
    CONSIDER = "consider"


@quick_init
@dataclass(frozen=True, slots=True)
class PathStepResult:
    """One step of the sources' diagnostic path: done (date, result) or a suggestion, with its statements."""

    id: str
    kind: str
    state: StepState
    state_label: str
    text: str
    statements: tuple[str, ...]
    done_on: date | None = None
    result: str | None = None
    evidence: tuple[str, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()


@quick_init
@dataclass(frozen=True, slots=True)
class CriteriaReport:
    """Criteria and diagnostic path for one patient on one day."""

    patient_id: str
    as_of: date
    lang: str
    age_group: str
    diagnosis: str  # none, suspected, confirmed
    notice: str | None
    notice_statements: tuple[str, ...]
    instruments: tuple[InstrumentResult, ...]
    path: tuple[PathStepResult, ...]
    knowledge_version: str
