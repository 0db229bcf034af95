"""Predicates on the medication step plan (adults: NHG leaflet; children: CRMO information) and NSAID safety."""

from __future__ import annotations

from datetime import date

from cnopad.domain import CNO_MEDICATION, Concept, MedicationUse
from cnopad.engine.dates import add_months
from cnopad.engine.findings import FOUND, NONE, Finding, Findings, Params, found, predicate
from cnopad.engine.view import RecordView


def first_start(v: RecordView, concept: Concept) -> date | None:
    """When a drug class was first taken: the earliest start of a use, or the first administration."""
    starts = [m.start for m in v.taken(concept) if m.start is not None]
    given = v.first(concept)
    if given is not None:
        starts.append(given)
    if not starts and v.taken(concept):
        return date.min  # taken, start unknown: counts as before anything else
    return min(starts) if starts else None


def ever(v: RecordView, concept: Concept) -> bool:
    """Taken, administered or pending."""
    return bool(v.taken(concept)) or v.has(concept) or bool(v.pending(concept))


@predicate
def active_disease_without_nsaid_tried(v: RecordView, p: Params) -> Findings:
    """Recent evidence of active disease and no NSAID taken or ordered yet."""
    if v.active_within(p["activity_months"]) is None or ever(v, Concept.NSAID):
        return NONE
    return FOUND


@predicate
def pain_persists_on_nsaid(v: RecordView, p: Params) -> Findings:
    """An NSAID on record, no bisphosphonate yet, and the latest pain evidence after the NSAID start shows pain."""
    start = first_start(v, Concept.NSAID)
    if start is None or ever(v, Concept.BISPHOSPHONATE) or ever(v, Concept.TNF_INHIBITOR):
        return NONE
    return found(*(m.id for m in v.taken(Concept.NSAID))) if v.pain_after(start) is not None else NONE


def course_never_given(v: RecordView) -> MedicationUse | None:
    """A CNO drug in use on a schedule (courses) without any administration on record since its start."""
    for m in v.on_cno_medication():
        if m.schedule is None or m.start is None:
            continue
        if not any(d >= m.start for concept in m.concepts for d, _ in v.events.get(concept, ())):
            return m
    return None


@predicate
def complaints_persist_on_bisphosphonate(v: RecordView, p: Params) -> Findings:
    """A bisphosphonate on record, no TNF-alpha inhibitor yet, and both pain and activity recorded after its start.

    Silent while a scheduled course is overdue or no course is on record (the step plan says to check that
    first): "insufficient effect" cannot be judged on courses that were not given.
    """
    start = first_start(v, Concept.BISPHOSPHONATE)
    if start is None or ever(v, Concept.TNF_INHIBITOR) or v.held or course_never_given(v) is not None:
        return NONE
    active = v.active_within(p["activity_months"])
    if active is None or active <= start or v.pain_after(start) is None:
        return NONE
    return found(*(m.id for m in v.taken(Concept.BISPHOSPHONATE)))


@predicate
def tnf_order_without_earlier_steps(v: RecordView, p: Params) -> Findings:
    """A TNF-alpha inhibitor is ordered while the record lacks an NSAID or a bisphosphonate."""
    orders = v.pending(Concept.TNF_INHIBITOR)
    if not orders:
        return NONE
    notes: list[str] = []
    if first_start(v, Concept.NSAID) is None:
        notes.append("no-nsaid")
    if first_start(v, Concept.BISPHOSPHONATE) is None:
        notes.append("no-bisphosphonate")
    if not notes:
        return NONE
    return tuple(Finding(key=o.id, order_id=o.id, notes=tuple(notes), evidence=(o.id,)) for o in orders)


def _nsaid_targets(v: RecordView) -> list[tuple[MedicationUse, bool]]:
    """The NSAIDs to check: every pending order, else the ones in use (flag: is an order)."""
    pending = v.pending(Concept.NSAID)
    if pending:
        return [(m, True) for m in pending]
    return [(m, False) for m in v.active(Concept.NSAID)][:1]


@predicate
def nsaid_without_gastroprotection(v: RecordView, p: Params) -> Findings:
    """An NSAID in use or ordered without a PPI, with a risk factor; age or an ulcer history escalates."""
    targets = _nsaid_targets(v)
    if not targets or v.active(Concept.PROTON_PUMP_INHIBITOR) or v.pending(Concept.PROTON_PUMP_INHIBITOR):
        return NONE
    notes: list[str] = []
    if v.age >= p["age_indication"]:
        notes.append("age")
    if v.conditions.get(Concept.PEPTIC_ULCER):
        notes.append("ulcer")
    for concept, note in (
        (Concept.ANTITHROMBOTIC, "antithrombotic"),
        (Concept.SYSTEMIC_CORTICOSTEROID, "corticosteroid"),
        (Concept.SSRI, "ssri"),
    ):
        if v.active(concept) or v.pending(concept):
            notes.append(note)
    if not notes:
        return NONE
    escalate = "age" in notes or "ulcer" in notes
    return tuple(
        Finding(
            key=m.id if is_order else "in-use",
            order_id=m.id if is_order else None,
            escalate=escalate,
            notes=tuple(notes),
            evidence=(m.id,),
        )
        for m, is_order in targets
    )


@predicate
def child_cno_without_medication(v: RecordView, p: Params) -> Findings:
    """A child with CNO who has never taken, nor has on order, any CNO medication."""
    if any(ever(v, c) for c in CNO_MEDICATION):
        return NONE
    return FOUND


@predicate
def child_active_despite_nsaid(v: RecordView, p: Params) -> Findings:
    """A child on an NSAID for at least the trial period, with recent active disease recorded after the NSAID start."""
    active = v.active_within(p["activity_months"])
    if active is None:
        return NONE
    for m in v.active(Concept.NSAID):
        start = m.start
        if start is not None and add_months(start, p["nsaid_months"]) <= v.as_of and active > start:
            return found(m.id)
    return NONE


@predicate
def child_arthritis_without_physiotherapy(v: RecordView, p: Params) -> Findings:
    """Arthritis is recorded in a child and there is no physiotherapy or referral for it."""
    arthritis = v.conditions.get(Concept.ARTHRITIS) or v.events.get(Concept.ARTHRITIS)
    if not arthritis or v.has(Concept.PHYSIOTHERAPY) or v.referred_to(Concept.REFERRAL_PHYSIOTHERAPY):
        return NONE
    return FOUND
