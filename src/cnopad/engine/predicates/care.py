"""Predicates on care coordination and the first period after the diagnosis (NHG GP leaflet)."""

from __future__ import annotations

from datetime import date

from cnopad.domain import CNO_MEDICATION, CareRole, Concept
from cnopad.engine.dates import days
from cnopad.engine.findings import FOUND, NONE, Findings, Params, found, predicate
from cnopad.engine.view import RecordView

_HOSPITAL_ROLES = (CareRole.MAIN_TREATING,)


def _hospital_main_treating(v: RecordView) -> list[str]:
    """Active main treating physicians who are not the GP."""
    return [m.id for m in v.team if CareRole.MAIN_TREATING in m.roles and CareRole.GP not in m.roles]


def _gp_coordinates(v: RecordView) -> bool:
    return any(
        CareRole.GP in m.roles and (CareRole.COORDINATOR in m.roles or CareRole.MAIN_TREATING in m.roles)
        for m in v.team
    )


def _recent_start(v: RecordView, roles: frozenset[CareRole], window: int) -> date | None:
    """The latest start of a care-team member in these roles within the window (any member, ended or not)."""
    earliest = v.as_of - days(window)
    starts = [
        m.start
        for m in v.record.care_team
        if m.roles & roles and m.start is not None and earliest <= m.start <= v.as_of
    ]
    return max(starts) if starts else None


@predicate
def has_no_main_treating_or_coordinator(v: RecordView, p: Params) -> Findings:
    """Neither a main treating physician nor a coordinator is recorded, nor that it was discussed."""
    if v.has_role(CareRole.MAIN_TREATING, CareRole.COORDINATOR) or v.has(Concept.COORDINATOR_DISCUSSED):
        return NONE
    return FOUND


@predicate
def has_no_task_division_recorded(v: RecordView, p: Params) -> Findings:
    """No agreed division of tasks between the treating physicians is recorded."""
    return NONE if v.has(Concept.TASK_DIVISION_AGREED) else FOUND


@predicate
def has_no_hospital_main_treating_physician(v: RecordView, p: Params) -> Findings:
    """No main treating physician other than the GP is in the care team."""
    return NONE if _hospital_main_treating(v) else FOUND


@predicate
def has_no_coordinating_physician(v: RecordView, p: Params) -> Findings:
    """No coordinating physician (regievoerend arts) is in the care team."""
    return NONE if v.has_role(CareRole.COORDINATOR) else FOUND


@predicate
def has_no_agreed_policy(v: RecordView, p: Params) -> Findings:
    """No policy agreed with the main treating or coordinating physician is recorded."""
    return NONE if v.has(Concept.POLICY_AGREED) else FOUND


@predicate
def has_outdated_out_of_hours_summary(v: RecordView, p: Params) -> Findings:
    """No summary was shared with the out-of-hours service, or it predates the latest diagnosis or drug change."""
    shared = v.last(Concept.OUT_OF_HOURS_SUMMARY_SHARED)
    if shared is None:
        return FOUND
    changes = [v.diagnosis_date] if v.diagnosis_date else []
    for concept in CNO_MEDICATION:
        for m in v.taken(concept):
            changes.extend(d for d in (m.start, m.end) if d is not None and d <= v.as_of)
    return found() if changes and max(changes) > shared else NONE


@predicate
def main_treating_physician_changed_recently(v: RecordView, p: Params) -> Findings:
    """A new main treating physician started within the window, after an earlier one."""
    start = _recent_start(v, frozenset({CareRole.MAIN_TREATING}), p["window_days"])
    if start is None:
        return NONE
    earlier = [
        m for m in v.record.care_team if CareRole.MAIN_TREATING in m.roles and (m.start is None or m.start < start)
    ]
    return FOUND if earlier else NONE


def _new_coordinator_without(v: RecordView, p: Params, done: Concept) -> Findings:
    start = _recent_start(v, frozenset({CareRole.COORDINATOR, CareRole.MAIN_TREATING}), p["window_days"])
    if start is None:
        return NONE
    last = v.last(done)
    return NONE if last is not None and last >= start else FOUND


@predicate
def new_coordinator_without_expectations_discussed(v: RecordView, p: Params) -> Findings:
    """A coordinator or main treating physician started recently and expectations were not discussed since."""
    return _new_coordinator_without(v, p, Concept.EXPECTATIONS_DISCUSSED)


@predicate
def new_coordinator_without_first_contact_role_explained(v: RecordView, p: Params) -> Findings:
    """A coordinator or main treating physician started recently and the GP's role was not explained since."""
    return _new_coordinator_without(v, p, Concept.FIRST_CONTACT_ROLE_EXPLAINED)


def _recent(v: RecordView, window: int, *concepts: Concept) -> list[tuple[date, str]]:
    return v.since(v.as_of - days(window), *concepts)


@predicate
def gp_coordinator_with_new_complaint(v: RecordView, p: Params) -> Findings:
    """The GP coordinates care and a new complaint was recorded within the window."""
    if not _gp_coordinates(v):
        return NONE
    recent = _recent(v, p["window_days"], Concept.NEW_COMPLAINT)
    return found(*(e for _, e in recent)) if recent else NONE


@predicate
def has_recent_new_complaint(v: RecordView, p: Params) -> Findings:
    """A new complaint episode was recorded within the window."""
    recent = _recent(v, p["window_days"], Concept.NEW_COMPLAINT)
    return found(*(e for _, e in recent)) if recent else NONE


@predicate
def has_recent_new_complaint_or_treatment(v: RecordView, p: Params) -> Findings:
    """A new complaint, a drug started within the window, or a pending drug order."""
    earliest = v.as_of - days(p["window_days"])
    evidence = [e for _, e in _recent(v, p["window_days"], Concept.NEW_COMPLAINT)]
    for m in v.record.medications:
        if m.ever_taken and m.start is not None and earliest <= m.start <= v.as_of:
            evidence.append(m.id)
    evidence.extend(m.id for m in v.pending_meds)
    return found(*sorted(set(evidence))) if evidence else NONE


@predicate
def inactive_disease_with_hospital_based_care(v: RecordView, p: Params) -> Findings:
    """The latest activity evidence says inactive while the main treating physician is a specialist."""
    if v.activity is None or v.activity[0]:
        return NONE
    hospital = _hospital_main_treating(v)
    return found(*hospital) if hospital else NONE


@predicate
def active_disease_with_gp_involved(v: RecordView, p: Params) -> Findings:
    """Recent activity evidence (flare, activity on imaging) says active and a GP is in the care team."""
    if v.active_within(p["activity_months"]) is None or not v.has_role(CareRole.GP):
        return NONE
    return FOUND


@predicate
def no_gp_contact_since_diagnosis(v: RecordView, p: Params) -> Findings:
    """No GP contact on or after the diagnosis date; escalates after the configured number of days."""
    diagnosed = v.diagnosis_date
    if diagnosed is None or (v.as_of - diagnosed).days > p["max_days_since_diagnosis"]:
        return NONE
    last = v.last(Concept.GP_CONTACT)
    if last is not None and last >= diagnosed:
        return NONE
    return found(escalate=(v.as_of - diagnosed).days > p["escalate_after_days"])


@predicate
def long_diagnostic_delay_not_discussed(v: RecordView, p: Params) -> Findings:
    """More than the configured delay between first complaints and diagnosis, and it was not discussed."""
    d = v.diagnosis
    if d is None or d.onset is None or d.recorded is None or v.has(Concept.PRE_DIAGNOSIS_EXPERIENCE_DISCUSSED):
        return NONE
    return found(d.id) if (d.recorded - d.onset).days > p["delay_days"] else NONE


@predicate
def diagnosis_acceptance_review_due(v: RecordView, p: Params) -> Findings:
    """Coping with the diagnosis was never discussed, not in the review interval, or not since the last flare."""
    last = v.last(Concept.DIAGNOSIS_ACCEPTANCE_DISCUSSED)
    if last is None or (v.as_of - last).days > p["review_days"]:
        return FOUND
    flare = v.last(Concept.FLARE)
    return FOUND if flare is not None and flare > last else NONE


def _not_since_diagnosis(v: RecordView, done: Concept) -> Findings:
    last = v.last(done)
    if last is None:
        return FOUND
    return FOUND if v.diagnosis_date is not None and last < v.diagnosis_date else NONE


@predicate
def expectations_not_discussed_since_diagnosis(v: RecordView, p: Params) -> Findings:
    """The patient's expectations of the GP were not discussed since the diagnosis."""
    return _not_since_diagnosis(v, Concept.EXPECTATIONS_DISCUSSED)


@predicate
def first_contact_role_not_explained_since_diagnosis(v: RecordView, p: Params) -> Findings:
    """The GP's role as first point of contact was not explained since the diagnosis."""
    return _not_since_diagnosis(v, Concept.FIRST_CONTACT_ROLE_EXPLAINED)


@predicate
def patient_association_not_informed(v: RecordView, p: Params) -> Findings:
    """The record does not show that the patient was told about the patient association."""
    return NONE if v.has(Concept.PATIENT_ASSOCIATION_INFORMED) else FOUND
