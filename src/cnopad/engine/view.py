"""An indexed view of one record on one day, built once per assessment so that every rule stays cheap.

Only what was known on ``as_of`` counts: entries dated later are ignored, except planned things
(draft or future medication, planned encounters and procedures), which are what order checks and
schedules look at. Draft orders passed to ``assess`` join the record's own pending medication.
The indexes are built in ``cnopad.engine.indexing``; this class answers the rules' questions.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Callable, Sequence
from datetime import date
from typing import TypeVar

from cnopad.domain import (
    ADULT_AGE,
    CNO_MEDICATION,
    Biopsy,
    CareRole,
    CareTeamMember,
    Concept,
    Condition,
    Entry,
    Goal,
    ImagingResult,
    Immunization,
    MedicationUse,
    PatientRecord,
    Referral,
    Verification,
)
from cnopad.engine.dates import add_months
from cnopad.engine.indexing import ENDED_CONDITIONS, SORT_MIN, Dated, activity, index_record

__all__ = ["Dated", "RecordView", "per_view", "view_of"]

T = TypeVar("T")


class RecordView:
    """Concept-indexed facts of one record on ``as_of`` (dates sorted), plus pending orders."""

    __slots__ = (
        "_active",
        "_cno_meds",
        "_pending",
        "_text_sentences",
        "activity",
        "adult",
        "age",
        "any_cno_condition",
        "as_of",
        "as_of_text",
        "child",
        "conditions",
        "confirmed",
        "diagnosis",
        "diagnosis_date",
        "events",
        "goals",
        "held",
        "imaging",
        "meds_taken",
        "memo",
        "pain",
        "patient_id",
        "pending_immunizations",
        "pending_meds",
        "planned",
        "record",
        "referred",
        "roles",
        "subject_reference",
        "suspected",
        "team",
    )

    def __init__(self, record: PatientRecord, as_of: date, orders: Sequence[Entry] = ()) -> None:
        self.record = record
        #: due dates of overdue scheduled courses (set by ``assess`` from the tasks): while any is overdue,
        #: whether a drug works too little cannot be judged, so no escalation is suggested
        self.held: tuple[date, ...] = ()
        self.as_of = as_of
        self.patient_id = record.patient.id
        self.as_of_text = as_of.isoformat()
        self.subject_reference = f"Patient/{self.patient_id}"  # for suggested FHIR resources
        self.age = record.patient.age_on(as_of)
        self.adult = self.age >= ADULT_AGE
        self.child = not self.adult
        live = [c for c in record.conditions if c.is_cno and not c.ruled_out and (c.recorded or SORT_MIN) <= as_of]
        self.diagnosis: Condition | None = (
            max(live, key=lambda c: (c.verification is Verification.CONFIRMED, c.recorded or SORT_MIN, c.id))
            if live
            else None
        )
        self.confirmed = self.diagnosis is not None and self.diagnosis.verification is Verification.CONFIRMED
        self.suspected = self.diagnosis is not None and not self.confirmed
        self.any_cno_condition = bool(record.cno_conditions)
        self.diagnosis_date = (self.diagnosis.recorded or self.diagnosis.onset) if self.diagnosis else None
        index = index_record(record, as_of, orders)
        self.events: dict[Concept, list[Dated]] = index.events
        self.planned: dict[Concept, list[Dated]] = index.planned
        self.conditions: dict[Concept, list[Condition]] = index.conditions
        self.pain: list[tuple[date, bool]] = index.pain
        self.imaging: list[ImagingResult] = index.imaging
        self.meds_taken: dict[Concept, list[MedicationUse]] = index.meds_taken
        self.pending_meds: list[MedicationUse] = index.pending_meds
        self.pending_immunizations: list[Immunization] = index.pending_immunizations
        self.referred: dict[Concept, list[Referral]] = index.referred
        self.goals: tuple[Goal, ...] = record.goals
        self.team: tuple[CareTeamMember, ...] = index.team
        self.roles: frozenset[CareRole] = index.roles
        self.activity = activity(self.events, self.diagnosis)
        self._active: dict[Concept, list[MedicationUse]] = {}
        self._cno_meds: list[MedicationUse] | None = None
        self._pending: dict[Concept, list[MedicationUse]] = {}
        self._text_sentences: dict[str, tuple[str, ...]] | None = None
        #: answers of ``per_view`` functions, by function
        self.memo: dict[object, object] = {}

    # ------------------------------------------------------------------ queries
    def text_sentences(self) -> dict[str, tuple[str, ...]]:
        """The report sentences entries' findings were read from, by entry id (empty when all came from codes)."""
        if self._text_sentences is None:
            entries: list[ImagingResult | Biopsy] = [*self.record.imaging, *self.record.biopsies]
            self._text_sentences = {e.id: e.text_reading.sentences for e in entries if e.text_reading is not None}
        return self._text_sentences

    def read_from_text(self, entry_id: str) -> tuple[str, ...]:
        """The report sentences an entry's findings were read from; empty when they came from codes."""
        return self.text_sentences().get(entry_id, ())

    def has(self, concept: Concept) -> bool:
        """True when something with this concept happened on or before ``as_of``."""
        return concept in self.events

    def last(self, *concepts: Concept) -> date | None:
        """The latest date on which any of these concepts happened."""
        best: date | None = None
        for concept in concepts:
            found = self.events.get(concept)
            if found and (best is None or found[-1][0] > best):
                best = found[-1][0]
        return best

    def first(self, *concepts: Concept) -> date | None:
        """The earliest date on which any of these concepts happened."""
        best: date | None = None
        for concept in concepts:
            found = self.events.get(concept)
            if found and (best is None or found[0][0] < best):
                best = found[0][0]
        return best

    def since(self, day: date, *concepts: Concept) -> list[Dated]:
        """Every (date, entry id) of these concepts on or after ``day``, oldest first."""
        if len(concepts) == 1:
            found = self.events.get(concepts[0])
            # the lists are sorted by date: cut at the first date on or after ``day``
            return found[bisect_left(found, (day, "")) :] if found else []
        out: list[Dated] = []
        events = self.events
        for concept in concepts:
            found = events.get(concept)
            if found:
                out.extend(found[bisect_left(found, (day, "")) :])
        if len(out) > 1:  # most calls find nothing: no sort then
            out.sort()
        return out

    def active_condition(self, concept: Concept) -> list[Condition]:
        """Conditions with this concept that have not ended (no abatement, not inactive or resolved)."""
        found = self.conditions.get(concept)
        if not found:  # the common case: the concept is not on record
            return []
        as_of = self.as_of
        return [
            c for c in found if (c.abated is None or c.abated > as_of) and c.clinical_status not in ENDED_CONDITIONS
        ]

    def taken(self, concept: Concept) -> list[MedicationUse]:
        """Medication uses of a concept ever taken up to ``as_of``."""
        return self.meds_taken.get(concept, [])

    def active(self, concept: Concept) -> list[MedicationUse]:
        """Medication uses of a concept in use on ``as_of`` (computed once per concept)."""
        found = self._active.get(concept)
        if found is None:
            as_of = self.as_of
            found = self._active[concept] = [m for m in self.meds_taken.get(concept, ()) if m.active_on(as_of)]
        return found

    def active_on(self, concept: Concept, day: date) -> list[MedicationUse]:
        """Medication uses of a concept in use on ``day`` (taken or pending with a start by then)."""
        found = [m for m in self.meds_taken.get(concept, ()) if m.active_on(day)]
        found.extend(
            m
            for m in self.pending_meds
            if concept in m.concepts and (m.start is None or m.start <= day) and (m.end is None or m.end >= day)
        )
        return found

    def pending(self, concept: Concept) -> list[MedicationUse]:
        """Pending (draft, planned or future) medication of a concept, including the draft orders (computed once)."""
        found = self._pending.get(concept)
        if found is None:
            found = self._pending[concept] = [m for m in self.pending_meds if concept in m.concepts]
        return found

    def on_cno_medication(self) -> list[MedicationUse]:
        """CNO medication in use on ``as_of`` (the sources' drugs: NSAID, bisphosphonate, TNF, ...); computed once."""
        if self._cno_meds is None:
            seen: dict[str, MedicationUse] = {}
            taken = self.meds_taken
            for concept in CNO_MEDICATION:
                if concept in taken:  # most CNO drugs were never taken: no need to list their uses in use
                    for m in self.active(concept):
                        seen[m.id] = m
            self._cno_meds = sorted(seen.values(), key=lambda m: (m.start or SORT_MIN, m.id))
        return self._cno_meds

    def referred_to(self, *concepts: Concept, since: date | None = None) -> bool:
        """True when a live referral (or a draft order) to any of these targets exists (on or after ``since``)."""
        for concept in concepts:
            for r in self.referred.get(concept, ()):
                if since is None or (r.authored or self.as_of) >= since:
                    return True
        return False

    def pain_after(self, day: date) -> date | None:
        """The date of the latest pain evidence after ``day`` if it shows pain (a score of 0 means none)."""
        if self.pain and self.pain[-1][0] > day and self.pain[-1][1]:
            return self.pain[-1][0]
        return None

    def active_within(self, months: int) -> date | None:
        """The date of the latest activity evidence if it says active and lies within ``months``; else None."""
        if self.activity is None or not self.activity[0]:
            return None
        day = self.activity[1]
        return day if day >= add_months(self.as_of, -months) else None

    def has_role(self, *roles: CareRole) -> bool:
        """True when an active care-team member holds any of these roles."""
        return any(r in self.roles for r in roles)


def per_view(fn: Callable[[RecordView], T]) -> Callable[[RecordView], T]:
    """``fn(view)`` worked out once per view, for a derived fact several rules or criteria ask for.

    Safe because a view does not change once built (``held`` aside, which such functions must not read).
    """

    def once(v: RecordView) -> T:
        memo = v.memo
        if once in memo:
            return memo[once]  # type: ignore[return-value]  # stored below as fn's answer (typing.cast costs a call)
        found = memo[once] = fn(v)
        return found

    once.__name__ = fn.__name__
    once.__doc__ = fn.__doc__
    return once


_LAST = threading.local()


def view_of(record: PatientRecord, as_of: date, orders: Sequence[Entry] = ()) -> RecordView:
    """The view of ``record`` on ``as_of``, shared with the previous call in this thread when that was for the same
    record object and day, so that ``assess`` and the criteria of one patient index the record once.

    Sharing cannot serve a stale view: a record is immutable (frozen, tuples all the way down), so a changed record
    is a new object, and the cache holds the record itself (its id cannot be reused while it is held). A view with
    draft orders is built afresh and not kept: the orders differ from call to call. One view per thread: a view
    fills its memos lazily and is not meant to be shared between threads.
    """
    if orders:
        return RecordView(record, as_of, orders)
    last: RecordView | None = getattr(_LAST, "view", None)
    if last is not None and last.record is record and last.as_of == as_of:
        return last
    view = _LAST.view = RecordView(record, as_of)
    return view
