"""Task generators named in ``knowledge/schedules.yaml``: what is due, by when, and whether it happened.

Each generator returns drafts (dates and status, no wording); the engine adds the title and detail
in the output language. Intervals come from the schedule's ``params``; a prescriber's recorded
schedule always wins over the default, and no generator ever adds a dose.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType
from typing import NamedTuple

from cnopad.domain import CareRole, Concept, MedicationStatus, MedicationUse, PeriodUnit, Schedule
from cnopad.engine.assessment import TaskStatus
from cnopad.engine.dates import add_months, add_period, days
from cnopad.engine.findings import Params
from cnopad.engine.predicates.diagnosis import typical_course_since
from cnopad.engine.view import RecordView

_NO_VALUES: Mapping[str, str] = MappingProxyType({})


class TaskDraft(NamedTuple):
    """A task before wording: its key (unique within its kind), dates, status and the notes to show."""

    key: str
    due: date
    status: TaskStatus
    done_on: date | None = None
    overdue_from: date | None = None
    notes: tuple[tuple[str, Mapping[str, str]], ...] = ()
    title_values: Mapping[str, str] = _NO_VALUES


Generator = Callable[[RecordView, Params], list[TaskDraft]]
GENERATORS: dict[str, Generator] = {}


def generator(fn: Generator) -> Generator:
    """Register a task generator under its function name."""
    GENERATORS[fn.__name__] = fn
    return fn


def status_for(as_of: date, due: date, *, lead_days: int = 0, overdue_from: date | None = None) -> TaskStatus:
    """Upcoming before the lead time, due from then, overdue from ``overdue_from`` (default: the day after due)."""
    if as_of >= (overdue_from or due + days(1)):
        return TaskStatus.OVERDUE
    if as_of >= due - days(lead_days):
        return TaskStatus.DUE
    return TaskStatus.UPCOMING


def _courses(infusions: list[date], gap_days: int) -> list[list[date]]:
    """Infusion days grouped into courses: days no more than ``gap_days`` apart belong to one course."""
    courses: list[list[date]] = []
    for day in infusions:
        if courses and (day - courses[-1][-1]).days <= gap_days:
            courses[-1].append(day)
        else:
            courses.append([day])
    return courses


@generator
def pamidronate_courses(v: RecordView, p: Params) -> list[TaskDraft]:
    """The last pamidronate course (done) and the next one, from the prescriber's schedule or the default."""
    uses = v.active(Concept.PAMIDRONATE) + v.pending(Concept.PAMIDRONATE)
    administered = v.events.get(Concept.PAMIDRONATE)
    if not uses and not administered:
        return []  # nothing to plan (many patients): skip the default schedule and the scan of their medication
    default = Schedule(every=p["every_months"], unit=PeriodUnit.MONTH, days=p["days"])
    infusions = [d for d, _ in administered] if administered else []
    if (
        not uses
        and infusions
        and (v.as_of - infusions[-1]).days <= 365
        and not any(Concept.PAMIDRONATE in m.concepts for m in v.record.medications)  # last: a scan of all medication
    ):
        # infusions without a prescription on record: plan on the default schedule
        uses = [MedicationUse("administrations", (), frozenset({Concept.PAMIDRONATE}), MedicationStatus.ACTIVE)]
    drafts: list[TaskDraft] = []
    for use in uses:
        schedule = use.schedule or default
        source = "prescriber" if use.schedule else "default"
        values = {"every": str(schedule.every), "days": str(schedule.days), "unit": f"unit_{schedule.unit.value}"}
        own = [d for d in infusions if use.start is None or d >= use.start]
        courses = _courses(own, p["course_gap_days"])
        if courses:
            last = courses[-1]
            given = {"count": str(len(last)), "days": str(schedule.days), "last": last[-1].isoformat()}
            # a course after an earlier one was due on the schedule's date, which it keeps when it was given
            # late (so "done, N days late" can be shown); the first course has no earlier date to count from
            planned = add_period(courses[-2][0], schedule.every, schedule.unit) if len(courses) > 1 else last[0]
            planned = min(planned, last[0])
            drafts.append(
                TaskDraft(
                    key=f"{use.id}:{last[0].isoformat()}",
                    due=planned,
                    status=TaskStatus.DONE,
                    done_on=last[-1],
                    overdue_from=planned + days(p["grace_days"]) if len(courses) > 1 else None,
                    notes=(("given", given), (source, values)),
                    title_values={"days": str(schedule.days)},
                )
            )
            upcoming = add_period(last[0], schedule.every, schedule.unit)
        else:
            upcoming = use.start or v.as_of
        if use.end is not None and upcoming > use.end:
            continue
        overdue_from = upcoming + days(p["grace_days"])
        drafts.append(
            TaskDraft(
                key=f"{use.id}:{upcoming.isoformat()}",
                due=upcoming,
                status=status_for(v.as_of, upcoming, lead_days=p["lead_days"], overdue_from=overdue_from),
                overdue_from=overdue_from,
                notes=((source, values),),
                title_values={"days": str(schedule.days)},
            )
        )
    return drafts


@generator
def expertise_reviews(v: RecordView, p: Params) -> list[TaskDraft]:
    """The next yearly review at the expertise centre; overdue only when the centre's own date has passed."""
    review = Concept.EXPERTISE_CENTRE_REVIEW
    if not (v.has_role(CareRole.EXPERTISE_CENTRE) or v.has(review) or review in v.planned):
        return []
    last = v.last(review)
    planned = [(d, e) for d, e in v.planned.get(review, ()) if last is None or d > last]
    if planned:
        day, encounter = planned[0]
        return [
            TaskDraft(
                key=encounter,
                due=day,
                status=status_for(v.as_of, day, lead_days=p["lead_days"]),
                overdue_from=day + days(1),
                notes=(("planned", {}),),
            )
        ]
    due = add_months(last, p["interval_months"]) if last else v.as_of
    # an estimated date is never overdue and never a warning (NHG-EXPERTISE-1)
    status = TaskStatus.DUE if v.as_of >= due - days(p["lead_days"]) else TaskStatus.UPCOMING
    return [TaskDraft(key=f"estimated:{due.isoformat()}", due=due, status=status, notes=(("estimated", {}),))]


@generator
def child_monitoring(v: RecordView, p: Params) -> list[TaskDraft]:
    """Blood and urine tests for a child on CNO medication: due and overdue after the last pair of tests."""
    meds = v.on_cno_medication()
    if not meds:
        return []
    starts = [m.start for m in meds if m.start is not None]
    started = min(starts) if starts else v.as_of
    blood, urine = v.last(Concept.BLOOD_TEST), v.last(Concept.URINE_TEST)
    pair = min(blood, urine) if blood is not None and urine is not None else None
    anchor = max(pair, started) if pair is not None else started
    note = (
        ("last", {"last": pair.isoformat()})
        if pair is not None and pair >= started
        else ("none", {"start": started.isoformat()})
    )
    due = add_months(anchor, p["due_months"])
    overdue_from = add_months(anchor, p["overdue_months"])
    return [
        TaskDraft(
            key=anchor.isoformat(),
            due=due,
            status=status_for(v.as_of, due, overdue_from=overdue_from),
            overdue_from=overdue_from,
            notes=(note,),
        )
    ]


def _before_start(order: MedicationUse, as_of: date) -> date:
    return order.start if order.start is not None and order.start > as_of else as_of


@generator
def dental_check_before_bisphosphonate(v: RecordView, p: Params) -> list[TaskDraft]:
    """A dental check before each ordered bisphosphonate; done when one lies within the window."""
    orders = v.pending(Concept.BISPHOSPHONATE)
    if not orders:
        return []
    last = v.last(Concept.DENTAL_CHECK)
    ok = last is not None and last >= add_months(v.as_of, -p["dental_check_months"])
    drafts = []
    for order in orders:
        due = _before_start(order, v.as_of)
        if ok:
            drafts.append(TaskDraft(order.id, due, TaskStatus.DONE, done_on=last, notes=(("why", {}),)))
        else:
            drafts.append(TaskDraft(order.id, due, status_for(v.as_of, due, lead_days=365), notes=(("why", {}),)))
    return drafts


@generator
def screening_before_tnf(v: RecordView, p: Params) -> list[TaskDraft]:
    """TB and hepatitis B screening before each ordered TNF-alpha inhibitor; done when both lie within the window."""
    orders = v.pending(Concept.TNF_INHIBITOR)
    if not orders:
        return []
    since = add_months(v.as_of, -p["screening_months"])
    missing = [
        key
        for concept, key in ((Concept.TB_SCREENING, "tb"), (Concept.HBV_SCREENING, "hbv"))
        if not v.since(since, concept)
    ]
    drafts = []
    for order in orders:
        due = _before_start(order, v.as_of)
        if not missing:
            done = v.last(Concept.TB_SCREENING, Concept.HBV_SCREENING)
            drafts.append(TaskDraft(order.id, due, TaskStatus.DONE, done_on=done))
        else:
            notes = (("missing", {"missing": ",".join(missing)}),)
            drafts.append(TaskDraft(order.id, due, status_for(v.as_of, due, lead_days=365), notes=notes))
    return drafts


@generator
def short_term_review(v: RecordView, p: Params) -> list[TaskDraft]:
    """When a biopsy is spared (CRMO-DX-NO-BIOPSY-1): a clinical review with repeat imaging within the term."""
    picture = typical_course_since(v, p)
    if picture is None:
        return []
    complete = picture[0]
    due = add_months(complete, p["review_months"])
    later = [s.performed for s in v.imaging if s.performed is not None and s.performed > complete]
    if later:
        return [TaskDraft(complete.isoformat(), due, TaskStatus.DONE, done_on=later[0], notes=(("why", {}),))]
    return [TaskDraft(complete.isoformat(), due, status_for(v.as_of, due, lead_days=14), notes=(("why", {}),))]
