"""Building the indexes of a record view: one pass over each kind of entry, dated on or before ``as_of``.

Everything that happened goes into ``events`` (concept -> sorted (date, entry id)); what is planned
into ``planned``; medication is split into taken and pending (draft, intended, future start, and the
draft orders passed to ``assess``). Disease activity and pain are read here once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from cnopad.domain import (
    Administration,
    CareRole,
    CareTeamMember,
    ClinicalStatus,
    CodedValue,
    Concept,
    Condition,
    EncounterStatus,
    Entry,
    EventStatus,
    ImagingResult,
    Immunization,
    MedicationStatus,
    MedicationUse,
    Observation,
    PatientRecord,
    Referral,
    RequestStatus,
)

_PENDING_STATUSES = frozenset({MedicationStatus.DRAFT, MedicationStatus.INTENDED})
_IN_USE_STATUSES = frozenset({MedicationStatus.ACTIVE, MedicationStatus.ON_HOLD, MedicationStatus.UNKNOWN})
_DEAD_REFERRALS = frozenset({RequestStatus.REVOKED, RequestStatus.ENTERED_IN_ERROR})
_PLANNED_PROCEDURES = frozenset({EventStatus.PREPARATION, EventStatus.IN_PROGRESS, EventStatus.ON_HOLD})
ENDED_CONDITIONS = frozenset({ClinicalStatus.INACTIVE, ClinicalStatus.REMISSION, ClinicalStatus.RESOLVED})
_ACTIVE_CONDITIONS = frozenset({ClinicalStatus.ACTIVE, ClinicalStatus.RECURRENCE, ClinicalStatus.RELAPSE})
SORT_MIN = date.min
#: tests whose result may be recorded as a boolean: a negative result (false) still means the test was done
TESTS = frozenset(
    {
        Concept.TB_SCREENING,
        Concept.HBV_SCREENING,
        Concept.BLOOD_TEST,
        Concept.URINE_TEST,
        Concept.CRP,
        Concept.ESR,
        Concept.ALKALINE_PHOSPHATASE,
        Concept.CREATININE,
        Concept.FULL_BLOOD_COUNT,
        Concept.CALCIUM,
        Concept.VITAMIN_D,
        Concept.RHEUMATOID_FACTOR,
    }
)

Dated = tuple[date, str]  # (date, entry id)


def _add(index: dict[Concept, list[Dated]], concepts: Iterable[Concept], day: date, entry_id: str) -> None:
    dated = (day, entry_id)  # one tuple for all the entry's concepts: it is immutable, so the lists may share it
    for concept in concepts:
        found = index.get(concept)
        if found is None:
            index[concept] = [dated]
        else:
            found.append(dated)


@dataclass(slots=True)
class Index:
    """The indexes of one record on one day (the RecordView's raw material)."""

    as_of: date
    events: dict[Concept, list[Dated]] = field(default_factory=dict)
    planned: dict[Concept, list[Dated]] = field(default_factory=dict)
    conditions: dict[Concept, list[Condition]] = field(default_factory=dict)
    pain: list[tuple[date, bool]] = field(default_factory=list)
    imaging: list[ImagingResult] = field(default_factory=list)
    meds_taken: dict[Concept, list[MedicationUse]] = field(default_factory=dict)
    pending_meds: list[MedicationUse] = field(default_factory=list)
    pending_immunizations: list[Immunization] = field(default_factory=list)
    referred: dict[Concept, list[Referral]] = field(default_factory=dict)
    team: tuple[CareTeamMember, ...] = ()
    roles: frozenset[CareRole] = frozenset()


def index_record(record: PatientRecord, as_of: date, orders: Sequence[Entry]) -> Index:
    """Every index of ``record`` on ``as_of``, with the draft ``orders`` among the pending entries."""
    index = Index(as_of)
    _conditions(index, record.conditions)
    _observations(index, record.observations)
    _care(index, record)
    _imaging(index, record)
    _medication(index, record)
    _orders(index, orders)
    for table in (index.events, index.planned):
        for found in table.values():
            found.sort()
    index.pain.sort()
    return index


def _conditions(index: Index, conditions: Iterable[Condition]) -> None:
    as_of = index.as_of
    for c in conditions:
        if c.ruled_out or (c.recorded or SORT_MIN) > as_of:
            continue
        for concept in c.concepts:
            index.conditions.setdefault(concept, []).append(c)
        _add(index.events, c.concepts, c.onset or c.recorded or SORT_MIN, c.id)


def _observations(index: Index, observations: Iterable[Observation]) -> None:
    # the most common entries of a record: _add is inlined here, and the constants are local names
    as_of = index.as_of
    pain = index.pain
    events = index.events
    pain_score, pain_concept, night_pain = Concept.PAIN_SCORE, Concept.PAIN, Concept.NIGHT_PAIN
    for o in observations:
        day = o.effective or SORT_MIN
        if day > as_of:
            continue
        concepts = o.concepts
        if pain_score in concepts:
            number = o.number
            if number is not None:
                pain.append((day, number > 0))
        value = o.value
        if value is False:  # looked for and absent (Observation.present, inlined on the hot path)
            if pain_concept in concepts:
                pain.append((day, False))
            _add(events, concepts & TESTS, day, o.id)
            continue
        if pain_concept in concepts or night_pain in concepts:
            pain.append((day, True))
        _add(events, concepts, day, o.id)
        if isinstance(value, CodedValue) and value.concepts:
            _add(events, value.concepts, day, o.id)


def _care(index: Index, record: PatientRecord) -> None:
    as_of = index.as_of
    for p in record.procedures:
        day = p.start or SORT_MIN
        if p.status is EventStatus.COMPLETED and day <= as_of:
            _add(index.events, p.concepts, p.end or day, p.id)
        elif p.status in _PLANNED_PROCEDURES or (p.status is EventStatus.COMPLETED and day > as_of):
            _add(index.planned, p.concepts, day, p.id)
    for e in record.encounters:
        day = e.start or SORT_MIN
        if e.status is EncounterStatus.FINISHED and day <= as_of:
            _add(index.events, e.concepts, day, e.id)
        elif e.status is EncounterStatus.PLANNED or (
            e.status not in (EncounterStatus.CANCELLED, EncounterStatus.ENTERED_IN_ERROR) and day > as_of
        ):
            _add(index.planned, e.concepts, day, e.id)
    for r in record.referrals:
        if r.status not in _DEAD_REFERRALS and (r.authored or SORT_MIN) <= as_of:
            for concept in r.concepts:
                index.referred.setdefault(concept, []).append(r)
    index.team = tuple(m for m in record.care_team if m.active_on(as_of))
    index.roles = frozenset(r for m in index.team for r in m.roles)


def _imaging(index: Index, record: PatientRecord) -> None:
    as_of = index.as_of
    index.imaging = sorted(
        (i for i in record.imaging if i.performed is None or i.performed <= as_of),
        key=lambda i: (i.performed or SORT_MIN, i.id),
    )
    for study in index.imaging:
        _add(index.events, study.concepts | study.findings, study.performed or SORT_MIN, study.id)
    for biopsy in record.biopsies:
        if biopsy.status == "completed" and (biopsy.performed or SORT_MIN) <= as_of:
            concepts = biopsy.concepts | biopsy.result | {Concept.BONE_BIOPSY}
            _add(index.events, concepts, biopsy.performed or SORT_MIN, biopsy.id)


def _medication(index: Index, record: PatientRecord) -> None:
    as_of = index.as_of
    for m in record.medications:
        start = m.start
        # a vaccination requested for today is still a plan (no drug is "in use" until an Immunization records it)
        planned = start is not None and (start > as_of or (start == as_of and Concept.VACCINE in m.concepts))
        if m.status in _PENDING_STATUSES or (m.status in _IN_USE_STATUSES and planned):
            index.pending_meds.append(m)
        elif m.ever_taken and (start is None or start <= as_of):
            for concept in m.concepts:
                index.meds_taken.setdefault(concept, []).append(m)
    for a in record.administrations:
        if a.status is EventStatus.COMPLETED and a.given_on <= as_of:
            _add(index.events, a.concepts, a.given_on, a.id)
    for i in record.immunizations:
        if i.status is EventStatus.COMPLETED and (i.given_on or SORT_MIN) <= as_of:
            _add(index.events, i.concepts, i.given_on or SORT_MIN, i.id)


def _orders(index: Index, orders: Sequence[Entry]) -> None:
    """Draft orders: medication and vaccinations join the pending lists, referrals count as referred."""
    for order in orders:
        if isinstance(order, MedicationUse):
            index.pending_meds.append(order)
        elif isinstance(order, Immunization):
            index.pending_immunizations.append(order)
        elif isinstance(order, Referral):
            for concept in order.concepts:
                index.referred.setdefault(concept, []).append(order)
        elif isinstance(order, Administration):
            index.pending_meds.append(
                MedicationUse(order.id, order.codings, order.concepts, MedicationStatus.DRAFT, start=order.given_on)
            )


def activity(events: dict[Concept, list[Dated]], diagnosis: Condition | None) -> tuple[bool, date] | None:
    """Latest disease-activity evidence: (active?, date); active wins a tie; the condition's status last."""
    best: tuple[date, bool] | None = None
    for concept, active in (
        (Concept.ACTIVE_DISEASE, True),
        (Concept.FLARE, True),
        (Concept.IMAGING_ACTIVITY, True),
        (Concept.REMISSION, False),
        (Concept.IMAGING_NO_ACTIVITY, False),
    ):
        found = events.get(concept)
        if found:
            candidate = (found[-1][0], active)
            if best is None or candidate > best:
                best = candidate
    if best is not None:
        return best[1], best[0]
    status = diagnosis.clinical_status if diagnosis else None
    if status in _ACTIVE_CONDITIONS or status in ENDED_CONDITIONS:
        assert diagnosis is not None  # noqa: S101 - status comes from it
        return status in _ACTIVE_CONDITIONS, diagnosis.recorded or SORT_MIN
    return None
