"""Safety predicates: bisphosphonates, TNF-alpha inhibitors, complications, live vaccines and pregnancy."""

from __future__ import annotations

from datetime import date

from cnopad.domain import CNO_MEDICATION, Concept, MedicationUse
from cnopad.engine.dates import add_months, days
from cnopad.engine.findings import NONE, Finding, Findings, Params, found, predicate
from cnopad.engine.view import RecordView

_FEVER = (Concept.FEVER, Concept.FLU_LIKE_SYMPTOMS)
_IMMUNOSUPPRESSANTS = (
    (Concept.SYSTEMIC_CORTICOSTEROID, "corticosteroid"),
    (Concept.METHOTREXATE, "methotrexate"),
    (Concept.TNF_INHIBITOR, "tnf"),
)
#: how long after the last infusion a bisphosphonate still counts as current (a course every 3 months + margin)
_COURSE_WINDOW_DAYS = 183


def bisphosphonate_current(v: RecordView) -> bool:
    """A bisphosphonate in use, or an administration within the last course window."""
    last = v.last(Concept.BISPHOSPHONATE)
    return bool(v.active(Concept.BISPHOSPHONATE)) or (last is not None and (v.as_of - last).days <= _COURSE_WINDOW_DAYS)


def bisphosphonate_ever(v: RecordView) -> bool:
    """A bisphosphonate taken or administered at any time up to ``as_of``."""
    return bool(v.taken(Concept.BISPHOSPHONATE)) or v.has(Concept.BISPHOSPHONATE)


def _recent_dental_check(v: RecordView, months: int) -> bool:
    last = v.last(Concept.DENTAL_CHECK)
    return last is not None and last >= add_months(v.as_of, -months)


@predicate
def bisphosphonate_order_without_dental_check(v: RecordView, p: Params) -> Findings:
    """A bisphosphonate is ordered and no dental check lies within the window before today."""
    orders = v.pending(Concept.BISPHOSPHONATE)
    if not orders or _recent_dental_check(v, p["dental_check_months"]):
        return NONE
    return tuple(Finding(key=o.id, order_id=o.id, evidence=(o.id,)) for o in orders)


@predicate
def bisphosphonate_in_use_without_recent_dental_check(v: RecordView, p: Params) -> Findings:
    """A bisphosphonate is current (not merely ordered) and no dental check lies within the window."""
    if v.pending(Concept.BISPHOSPHONATE) or not bisphosphonate_current(v):
        return NONE
    if _recent_dental_check(v, p["dental_check_months"]):
        return NONE
    return found(*(m.id for m in v.active(Concept.BISPHOSPHONATE)))


@predicate
def invasive_dental_procedure_on_bisphosphonate(v: RecordView, p: Params) -> Findings:
    """An invasive dental procedure is planned, or was done in the window, for a (past) bisphosphonate user."""
    if not (bisphosphonate_ever(v) or v.pending(Concept.BISPHOSPHONATE)):
        return NONE
    planned = v.planned.get(Concept.INVASIVE_DENTAL_PROCEDURE, [])
    done = v.since(v.as_of - days(p["window_days"]), Concept.INVASIVE_DENTAL_PROCEDURE)
    evidence = [e for _, e in (*planned, *done)]
    return found(*evidence) if evidence else NONE


@predicate
def jaw_complaint_after_bisphosphonate(v: RecordView, p: Params) -> Findings:
    """Jaw complaints in the window, or jaw osteonecrosis, in a patient who had a bisphosphonate."""
    if not bisphosphonate_ever(v):
        return NONE
    complaints = v.since(v.as_of - days(p["window_days"]), Concept.JAW_COMPLAINT)
    necrosis = v.active_condition(Concept.JAW_OSTEONECROSIS)
    evidence = [e for _, e in complaints] + [c.id for c in necrosis]
    return found(*evidence) if evidence else NONE


@predicate
def first_bisphosphonate_course_ahead(v: RecordView, p: Params) -> Findings:
    """A bisphosphonate is ordered or recently started and no bisphosphonate was ever administered."""
    if v.has(Concept.BISPHOSPHONATE):
        return NONE
    pending = v.pending(Concept.BISPHOSPHONATE)
    recent = [m for m in v.active(Concept.BISPHOSPHONATE) if m.start is not None and (v.as_of - m.start).days <= 90]
    evidence = [m.id for m in (*pending, *recent)]
    return found(*evidence) if evidence else NONE


def _shortly_after_infusion(v: RecordView, concepts: tuple[Concept, ...], window: int) -> list[str]:
    """Recent observations of these concepts that began within ``window`` days after a bisphosphonate infusion."""
    infusions = [d for d, _ in v.events.get(Concept.BISPHOSPHONATE, ())]
    if not infusions:
        return []
    out: list[str] = []
    for day, entry in v.since(v.as_of - days(14), *concepts):
        given = [d for d in infusions if d <= day]
        if given and (day - given[-1]).days <= window:
            out.append(entry)
    return out


@predicate
def fever_shortly_after_bisphosphonate_infusion(v: RecordView, p: Params) -> Findings:
    """Fever or flu-like symptoms began within the window after an IV bisphosphonate; never under a TNF inhibitor."""
    if v.active(Concept.TNF_INHIBITOR):
        return NONE
    evidence = _shortly_after_infusion(v, _FEVER, p["window_days"])
    return found(*evidence) if evidence else NONE


@predicate
def infusion_site_complaint_after_bisphosphonate(v: RecordView, p: Params) -> Findings:
    """An infusion-site complaint within the window after a bisphosphonate infusion."""
    evidence = _shortly_after_infusion(v, (Concept.INFUSION_SITE_COMPLAINT,), p["window_days"])
    return found(*evidence) if evidence else NONE


@predicate
def tnf_order_without_infection_screening(v: RecordView, p: Params) -> Findings:
    """A TNF-alpha inhibitor is ordered without TB screening or hepatitis B serology within the window."""
    orders = v.pending(Concept.TNF_INHIBITOR)
    if not orders:
        return NONE
    since = add_months(v.as_of, -p["screening_months"])
    notes = tuple(
        note
        for concept, note in ((Concept.TB_SCREENING, "tb"), (Concept.HBV_SCREENING, "hbv"))
        if not v.since(since, concept)
    )
    if not notes:
        return NONE
    return tuple(Finding(key=o.id, order_id=o.id, notes=notes, evidence=(o.id,)) for o in orders)


@predicate
def fever_on_tnf_inhibitor(v: RecordView, p: Params) -> Findings:
    """Fever or flu-like illness within the window while a TNF-alpha inhibitor is in use."""
    if not v.active(Concept.TNF_INHIBITOR):
        return NONE
    fever = v.since(v.as_of - days(p["window_days"]), *_FEVER)
    return found(*(e for _, e in fever)) if fever else NONE


@predicate
def thoracic_outlet_signs(v: RecordView, p: Params) -> Findings:
    """Arm oedema, distended veins, arm sensory loss or weakness (window), TOS or subclavian thrombosis."""
    earliest = v.as_of - days(p["window_days"])
    notes: list[str] = []
    evidence: list[str] = []
    for concepts, note in (
        ((Concept.ARM_OEDEMA,), "oedema"),
        ((Concept.DISTENDED_VEINS,), "veins"),
        ((Concept.ARM_SENSORY_LOSS, Concept.ARM_WEAKNESS), "nerve"),
    ):
        recent = v.since(earliest, *concepts)
        if recent:
            notes.append(note)
            evidence.extend(e for _, e in recent)
    for concept, note in (
        (Concept.THORACIC_OUTLET_SYNDROME, "tos"),
        (Concept.SUBCLAVIAN_VEIN_THROMBOSIS, "thrombosis"),
    ):
        conditions = v.active_condition(concept)
        if conditions:
            notes.append(note)
            evidence.extend(c.id for c in conditions)
    if not notes:
        return NONE
    return found(*evidence, notes=tuple(notes), escalate="thrombosis" in notes)


@predicate
def has_disease_related_risks_to_point_out(v: RecordView, p: Params) -> Findings:
    """A bisphosphonate, a TNF-alpha inhibitor or smoking applies; the rare complications are then listed too."""
    notes: list[str] = []
    if bisphosphonate_current(v) or v.pending(Concept.BISPHOSPHONATE):
        notes.append("onj")
    if v.active(Concept.TNF_INHIBITOR) or v.pending(Concept.TNF_INHIBITOR):
        notes.append("infection")
    smoking = [
        (d, c) for c in (Concept.CURRENT_SMOKER, Concept.EX_SMOKER, Concept.NEVER_SMOKED) for d in (v.last(c),) if d
    ]
    if smoking and max(smoking, key=lambda t: (t[0], t[1] is Concept.CURRENT_SMOKER))[1] is Concept.CURRENT_SMOKER:
        notes.append("smoking")
    if not notes:
        return NONE
    return found(notes=(*notes, "complications"))


def _pending_live_vaccines(v: RecordView) -> list[tuple[str, date | None]]:
    """(id, planned date or None) of every pending live vaccine: medication orders and immunization orders."""
    out: list[tuple[str, date | None]] = [(m.id, m.start) for m in v.pending(Concept.LIVE_VACCINE)]
    out.extend((i.id, i.given_on) for i in v.pending_immunizations if Concept.LIVE_VACCINE in i.concepts)
    return out


@predicate
def live_vaccine_order_on_immunosuppressant(v: RecordView, p: Params) -> Findings:
    """A live vaccine is ordered or planned while a corticosteroid, methotrexate or TNF inhibitor is in use then."""
    vaccines = _pending_live_vaccines(v)
    if not vaccines:
        return NONE
    in_use_today = [(concept, note, v.active(concept)) for concept, note in _IMMUNOSUPPRESSANTS]
    results: list[Finding] = []
    for vaccine_id, planned in vaccines:
        when = planned if planned is not None and planned > v.as_of else v.as_of
        notes: list[str] = []
        evidence: list[str] = [vaccine_id]
        for concept, note, today in in_use_today:
            # in use today, or (taken or ordered, also as a draft without a start) on the vaccination date
            users = today or v.active_on(concept, when)
            if users:
                notes.append(note)
                evidence.extend(sorted({m.id for m in users}))
        if notes:
            results.append(Finding(key=vaccine_id, order_id=vaccine_id, notes=tuple(notes), evidence=tuple(evidence)))
    return tuple(results)


@predicate
def live_vaccine_given_on_immunosuppressant(v: RecordView, p: Params) -> Findings:
    """A live vaccine was given on a day a corticosteroid, methotrexate or TNF inhibitor was in use.

    The record says it already happened (the planned case is ``live_vaccine_order_on_immunosuppressant``):
    the card asks to consult the treating physician. It stays while the entry stands; a wrong entry is voided.
    """
    results: list[Finding] = []
    for given, vaccine_id in v.events.get(Concept.LIVE_VACCINE, ()):
        notes: list[str] = []
        evidence: list[str] = [vaccine_id]
        for concept, note in _IMMUNOSUPPRESSANTS:
            users = v.active_on(concept, given)
            if users:
                notes.append(note)
                evidence.extend(sorted({m.id for m in users}))
        if notes:
            results.append(Finding(key=vaccine_id, notes=tuple(notes), evidence=tuple(evidence)))
    return tuple(results)


def _pregnancy_or_wish(v: RecordView, window: int) -> list[str]:
    """Evidence of a current pregnancy (latest status) or a wish to conceive within the window."""
    evidence: list[str] = []
    pregnant = v.last(Concept.PREGNANT)
    not_pregnant = v.last(Concept.NOT_PREGNANT)
    if pregnant is not None and (not_pregnant is None or pregnant >= not_pregnant):
        evidence.append(v.events[Concept.PREGNANT][-1][1])
    evidence.extend(e for _, e in v.since(v.as_of - days(window), Concept.PREGNANCY_WISH))
    return evidence


@predicate
def pregnancy_or_wish_with_medication(v: RecordView, p: Params) -> Findings:
    """Pregnancy or a wish to conceive while CNO medication is in use (one card) or ordered (a card per order)."""
    reasons = _pregnancy_or_wish(v, p["window_days"])
    if not reasons:
        return NONE
    results: list[Finding] = []
    in_use = v.on_cno_medication()
    if in_use:
        mtx = ("methotrexate",) if any(Concept.METHOTREXATE in m.concepts for m in in_use) else ()
        results.append(Finding(key="in-use", notes=mtx, evidence=(*reasons, *(m.id for m in in_use))))
    orders: dict[str, MedicationUse] = {}
    for concept in CNO_MEDICATION:
        for m in v.pending(concept):
            orders[m.id] = m
    for order_id in sorted(orders):
        mtx = ("methotrexate",) if Concept.METHOTREXATE in orders[order_id].concepts else ()
        results.append(Finding(key=order_id, order_id=order_id, notes=mtx, evidence=(*reasons, order_id)))
    return tuple(results)
