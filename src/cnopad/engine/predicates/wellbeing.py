"""Predicates on goals, pain, therapy, smoking, psychosocial burden and work (NHG GP leaflet)."""

from __future__ import annotations

from cnopad.domain import CNO_MEDICATION, Concept, GoalStatus
from cnopad.engine.dates import add_months, days
from cnopad.engine.findings import FOUND, NONE, Findings, Params, found, predicate
from cnopad.engine.view import RecordView

_LIVE_GOALS = frozenset(
    {GoalStatus.PROPOSED, GoalStatus.PLANNED, GoalStatus.ACCEPTED, GoalStatus.ACTIVE, GoalStatus.ON_HOLD}
)
_SMOKING = (Concept.CURRENT_SMOKER, Concept.EX_SMOKER, Concept.NEVER_SMOKED)
_REMISSION = (Concept.REMISSION, Concept.IMAGING_NO_ACTIVITY)
_BURDEN = (
    Concept.PSYCHOSOCIAL_BURDEN,
    Concept.FATIGUE,
    Concept.WORK_PROBLEM,
    Concept.SICK_LEAVE,
    Concept.SUPPORT_REQUESTED,
)
_PSYCHOSOCIAL_REFERRALS = (
    Concept.REFERRAL_MENTAL_HEALTH_NURSE,
    Concept.REFERRAL_PSYCHOLOGIST,
    Concept.REFERRAL_SOCIAL_WORK,
)
_WORK_STATUS = (
    Concept.WORK_SITUATION,
    Concept.WORKING,
    Concept.NOT_WORKING,
    Concept.WORK_PROBLEM,
    Concept.SICK_LEAVE,
)


@predicate
def has_no_recent_treatment_goal(v: RecordView, p: Params) -> Findings:
    """No live treatment goal, or its last review (or start) lies more than the review interval back."""
    live = [g for g in v.goals if g.status in _LIVE_GOALS]
    if not live:
        return FOUND
    reviewed = [d for g in live for d in (g.reviewed or g.start,) if d is not None]
    if not reviewed or add_months(max(reviewed), p["review_months"]) < v.as_of:
        return found(*(g.id for g in live))
    return NONE


@predicate
def remission_with_persisting_pain(v: RecordView, p: Params) -> Findings:
    """The latest activity evidence is remission and pain is recorded after that date."""
    if v.activity is None or v.activity[0]:
        return NONE
    since = v.activity[1]
    if v.pain_after(since) is None:
        return NONE
    # the entries that said "remission" that day (a report read from text shows its sentence on the card)
    return found(*(e for c in _REMISSION for d, e in v.events.get(c, ()) if d == since))


@predicate
def pain_or_shoulder_restriction_without_physiotherapy(v: RecordView, p: Params) -> Findings:
    """Pain or restricted shoulder movement within the window, and no physio- or occupational therapy ever."""
    earliest = v.as_of - days(p["window_days"])
    recent_pain = v.pain_after(earliest - days(1))
    shoulder = v.since(earliest, Concept.REDUCED_SHOULDER_MOBILITY, Concept.SHOULDER_COMPLAINT)
    if recent_pain is None and not shoulder:
        return NONE
    if v.has(Concept.PHYSIOTHERAPY) or v.has(Concept.OCCUPATIONAL_THERAPY):
        return NONE
    if v.referred_to(Concept.REFERRAL_PHYSIOTHERAPY, Concept.REFERRAL_OCCUPATIONAL_THERAPY):
        return NONE
    return found(*(e for _, e in shoulder))


@predicate
def suspected_chronic_pain_without_referral(v: RecordView, p: Params) -> Findings:
    """A suspicion of chronic pain is recorded and there is no referral to the chronic pain network."""
    if not v.has(Concept.CHRONIC_PAIN) or v.referred_to(Concept.REFERRAL_CHRONIC_PAIN_NETWORK):
        return NONE
    return found(*(e for _, e in v.events[Concept.CHRONIC_PAIN]))


@predicate
def complaints_despite_medication_and_physiotherapy(v: RecordView, p: Params) -> Findings:
    """A drug step and completed physiotherapy are on record and pain is recorded after both."""
    starts = [m.start for c in CNO_MEDICATION for m in v.taken(c) if m.start is not None]
    physio = v.last(Concept.PHYSIOTHERAPY)
    if not starts or physio is None:
        return NONE
    if v.has(Concept.PAIN_REHABILITATION) or v.referred_to(Concept.REFERRAL_PAIN_REHABILITATION):
        return NONE
    return found() if v.pain_after(max(min(starts), physio)) is not None else NONE


@predicate
def is_current_smoker(v: RecordView, p: Params) -> Findings:
    """The latest smoking status says current smoker."""
    latest, which = None, None
    for concept in _SMOKING:
        day = v.last(concept)
        # on a tie the current-smoker status wins: the safer reading
        if day is not None and (
            latest is None or day > latest or (day == latest and concept is Concept.CURRENT_SMOKER)
        ):
            latest, which = day, concept
    if which is not Concept.CURRENT_SMOKER:
        return NONE
    return found(v.events[Concept.CURRENT_SMOKER][-1][1])


@predicate
def psychosocial_burden_without_support(v: RecordView, p: Params) -> Findings:
    """Psychosocial burden, fatigue, work problems or a request for support recorded, no referral in the window."""
    earliest = v.as_of - days(p["window_days"])
    burden = v.since(earliest, *_BURDEN)
    if not burden or v.referred_to(*_PSYCHOSOCIAL_REFERRALS, since=earliest):
        return NONE
    return found(*(e for _, e in burden))


def _working_age(v: RecordView, p: Params) -> bool:
    return v.adult and v.age <= p["max_age"]


@predicate
def work_status_unknown(v: RecordView, p: Params) -> Findings:
    """A patient of working age without any recorded work situation."""
    if not _working_age(v, p) or any(v.has(c) for c in _WORK_STATUS):
        return NONE
    return FOUND


@predicate
def work_problem_recorded(v: RecordView, p: Params) -> Findings:
    """A patient of working age with work problems or sick leave in the window and no occupational physician."""
    if not _working_age(v, p):
        return NONE
    earliest = v.as_of - days(p["window_days"])
    problems = v.since(earliest, Concept.WORK_PROBLEM, Concept.SICK_LEAVE)
    if not problems or v.referred_to(Concept.REFERRAL_OCCUPATIONAL_PHYSICIAN, since=earliest):
        return NONE
    return found(*(e for _, e in problems))
