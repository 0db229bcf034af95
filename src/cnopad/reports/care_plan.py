"""The printable care plan: the summary the sources ask to share with the out-of-hours GP service
(NHG-GEN-COORD-8): patient, care team and contacts, current step and medication, schedule, agreed goal,
safety points and what to do out of hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cnopad.domain import CareRole, Concept, Goal, GoalStatus, PatientRecord, PeriodUnit
from cnopad.engine import Assessment, Card, Indicator, Task, TaskStatus
from cnopad.engine.criteria import CriteriaReport
from cnopad.knowledge.sources import Contact, SourceBook
from cnopad.knowledge.statements import Scope
from cnopad.knowledge.valuesets import ValueSetIndex
from cnopad.reports.rendering import N_, Catalog, render_html, to_pdf
from cnopad.services.entries import DRUGS

_DIAGNOSES = (Concept.CNO_SCCH, Concept.CRMO, Concept.SAPHO, Concept.CNO)
_EVERY = {
    PeriodUnit.DAY: N_("every %(every)s days; %(days)s day(s) per course"),
    PeriodUnit.WEEK: N_("every %(every)s weeks; %(days)s day(s) per course"),
    PeriodUnit.MONTH: N_("every %(every)s months; %(days)s day(s) per course"),
    PeriodUnit.YEAR: N_("every %(every)s years; %(days)s day(s) per course"),
}
STEPS = {
    "none": N_("no CNO medication"),
    "nsaid": N_("step 1: NSAID"),
    "bisphosphonate": N_("step 2: bisphosphonate"),
    "tnf": N_("step 3: TNF-alpha inhibitor"),
    "other": N_("other medication"),
}
STATUSES = {"upcoming": N_("upcoming"), "due": N_("due"), "overdue": N_("overdue"), "done": N_("done")}
_STATUS_ORDER = {TaskStatus.OVERDUE: 0, TaskStatus.DUE: 1, TaskStatus.UPCOMING: 2, TaskStatus.DONE: 3}


@dataclass(frozen=True, slots=True)
class TeamLine:
    """A care-team member as printed."""

    name: str
    roles: str
    organization: str
    agb: str


@dataclass(frozen=True, slots=True)
class MedicationLine:
    """A medication in use as printed."""

    name: str
    dose: str
    start: date | None
    schedule: str


@dataclass(frozen=True)
class CarePlan:
    """Everything the care plan prints, in one language."""

    lang: str
    as_of: date
    record: PatientRecord
    age: int
    child: bool
    diagnosis: str | None
    sites: tuple[str, ...]
    team: tuple[TeamLine, ...]
    coordinators: tuple[str, ...]
    contacts: tuple[Contact, ...]
    assessment: Assessment
    medications: tuple[MedicationLine, ...]
    schedule: tuple[Task, ...]
    goal: Goal | None
    safety: tuple[Card, ...]
    disclaimers: tuple[str, ...]
    criteria: CriteriaReport | None = None  # printed as the diagnostic path while CNO is only suspected (issue 13)


def _medications(record: PatientRecord, today: date, catalog: Catalog) -> tuple[MedicationLine, ...]:
    out = []
    for med in record.medications:
        if not med.active_on(today):
            continue
        code = next((c.code for c in med.codings if c.code in DRUGS), None)
        name = (
            catalog.gettext(DRUGS[code])
            if code
            else med.text or next((c.display for c in med.codings if c.display), med.id)
        )
        dose = f"{med.dose.value} {med.dose.unit or ''}".strip() if med.dose else ""
        schedule = ""
        if med.schedule is not None:
            schedule = catalog.gettext(_EVERY[med.schedule.unit]) % {
                "every": med.schedule.every,
                "days": med.schedule.days,
            }
        out.append(MedicationLine(name, dose, med.start, schedule))
    return tuple(out)


def build_care_plan(
    record: PatientRecord,
    assessment: Assessment,
    *,
    valuesets: ValueSetIndex,
    sources: SourceBook,
    catalog: Catalog,
    today: date,
    criteria: CriteriaReport | None = None,
) -> CarePlan:
    """Assemble the care plan of one record from its assessment (in the assessment's language)."""
    lang = assessment.lang
    child = record.age_group_on(today).value == "child"
    diagnosis = record.diagnosis
    diagnosis_label = None
    if diagnosis is not None:
        concept = next((c for c in _DIAGNOSES if c in diagnosis.concepts), Concept.CNO)
        diagnosis_label = valuesets.title(concept, lang)
    team = [m for m in record.care_team if m.active_on(today)]
    scope = Scope.CHILD if child else Scope.ADULT
    goals = sorted(
        (g for g in record.goals if g.status in (GoalStatus.ACTIVE, GoalStatus.ACCEPTED, GoalStatus.PLANNED)),
        key=lambda g: g.reviewed or g.start or date.min,
        reverse=True,
    )
    safety = tuple(
        c for c in assessment.cards if c.kind == "safety" or c.indicator in (Indicator.CRITICAL, Indicator.WARNING)
    )
    documents = [sources.document_for("CRMO" if child else "NHG")]
    return CarePlan(
        lang=lang,
        as_of=today,
        record=record,
        age=record.patient.age_on(today),
        child=child,
        diagnosis=diagnosis_label,
        sites=tuple(valuesets.title(s, lang) for s in (diagnosis.sites if diagnosis else ())),
        team=tuple(
            TeamLine(
                m.name,
                ", ".join(valuesets.title(r, lang) for r in sorted(m.roles)),
                m.organization or "",
                m.identifier.value if m.identifier else "",
            )
            for m in sorted(team, key=lambda m: m.name)
        ),
        coordinators=tuple(m.name for m in team if CareRole.COORDINATOR in m.roles),
        contacts=tuple(c for c in sources.contacts.values() if c.scope in (scope, Scope.ANY)),
        assessment=assessment,
        medications=_medications(record, today, catalog),
        schedule=tuple(sorted(assessment.tasks, key=lambda t: (_STATUS_ORDER[t.status], t.due, t.id))),
        goal=goals[0] if goals else None,
        safety=safety,
        disclaimers=tuple(d.disclaimer.text.get(lang) for d in documents),
        criteria=criteria if criteria is not None and criteria.diagnosis == "suspected" else None,
    )


def care_plan_html(plan: CarePlan, catalog: Catalog) -> str:
    """The care plan as HTML (for the PDF)."""
    return render_html(plan.lang, catalog, "care_plan.html", plan=plan, steps=STEPS, statuses=STATUSES)


def care_plan_pdf(plan: CarePlan, catalog: Catalog) -> bytes:
    """The care plan as PDF."""
    return to_pdf(care_plan_html(plan, catalog))
