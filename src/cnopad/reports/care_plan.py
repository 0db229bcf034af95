"""The printable care plan: the summary the sources ask to share with the out-of-hours GP service
(NHG-GEN-COORD-8): patient, care team and contacts, current step and medication, schedule, agreed goal,
safety points and what to do out of hours."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from cnopad.domain import CareRole, CareTeamMember, Concept, Goal, GoalStatus, PatientRecord, PeriodUnit
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
class CallLine:
    """Someone to call, first page: who, in which capacity, and the number from the record ('' when none)."""

    group: str
    name: str
    roles: str
    organization: str
    phone: str


#: the treating team: whom the first page names after the patient's own GP practice
_TREATING = frozenset({CareRole.COORDINATOR, CareRole.MAIN_TREATING, CareRole.EXPERTISE_CENTRE, CareRole.SPECIALIST})
GROUPS = {"gp": N_("Own GP practice"), "treating": N_("Treating team")}


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
    call: tuple[CallLine, ...]
    coordinators: tuple[str, ...]
    contacts: tuple[Contact, ...]
    assessment: Assessment
    medications: tuple[MedicationLine, ...]
    schedule: tuple[Task, ...]
    goal: Goal | None
    safety: tuple[Card, ...]
    disclaimers: tuple[str, ...]
    draft_translation: str | None  # the CRMO source's caution, for a child's plan
    criteria: CriteriaReport | None = None  # printed as the diagnostic path while CNO is only suspected (issue 13)


def _call_lines(
    team: list[CareTeamMember], valuesets: ValueSetIndex, lang: str, catalog: Catalog
) -> tuple[CallLine, ...]:
    """The patient's own GP practice first, then the treating team; each with the number the record holds."""
    out: list[CallLine] = []
    for group, members in (
        ("gp", [m for m in team if CareRole.GP in m.roles]),
        ("treating", [m for m in team if m.roles & _TREATING and CareRole.GP not in m.roles]),
    ):
        for m in sorted(members, key=lambda m: m.name):
            roles = ", ".join(valuesets.title(r, lang) for r in sorted(m.roles))
            out.append(CallLine(catalog.gettext(GROUPS[group]), m.name, roles, m.organization or "", m.phone or ""))
    return tuple(out)


def medication_lines(record: PatientRecord, today: date, catalog: Catalog) -> tuple[MedicationLine, ...]:
    """The medication in use with dose and schedule, as printed (care plan and personal leaflet)."""
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
        call=_call_lines(team, valuesets, lang, catalog),
        coordinators=tuple(m.name for m in team if CareRole.COORDINATOR in m.roles),
        contacts=tuple(c for c in sources.contacts.values() if c.scope in (scope, Scope.ANY)),
        assessment=assessment,
        medications=medication_lines(record, today, catalog),
        schedule=tuple(sorted(assessment.tasks, key=lambda t: (_STATUS_ORDER[t.status], t.due, t.id))),
        goal=goals[0] if goals else None,
        safety=safety,
        disclaimers=tuple(d.disclaimer.text.get(lang) for d in documents),
        draft_translation=sources.document_for("CRMO").disclaimer.text.get(lang) if child else None,
        criteria=criteria if criteria is not None and criteria.diagnosis == "suspected" else None,
    )


def care_plan_html(plan: CarePlan, catalog: Catalog) -> str:
    """The care plan as HTML (for the PDF)."""
    return render_html(
        plan.lang,
        catalog,
        "care_plan.html",
        plan=plan,
        steps=STEPS,
        statuses=STATUSES,
        tel=tel_uri,
        external=external_url,
    )


def tel_uri(phone: str) -> str:
    """A ``tel:`` link for a phone number (RFC 3966: the digits and a leading +)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"tel:+{digits}" if phone.strip().startswith("+") else f"tel:{digits}"


_WEBSITE = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(/\S*)?", re.IGNORECASE)
_EMAIL = re.compile(r"[^@\s]+@[a-z0-9-]+(\.[a-z0-9-]+)+", re.IGNORECASE)
_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]{5,38}")


def external_url(value: str) -> str | None:
    """An absolute link for a contact line (website, e-mail address, phone number), or None.

    On paper a relative link goes nowhere, so documents link only absolute addresses: a website written
    without its scheme ("lumc.nl/...") gets https://, an e-mail address mailto:, a phone number tel:.
    """
    text = value.strip()
    if text.startswith(("https://", "http://")):
        return text
    if _EMAIL.fullmatch(text):
        return f"mailto:{text}"
    if _PHONE.fullmatch(text):
        return tel_uri(text)
    if _WEBSITE.fullmatch(text):
        return f"https://{text}"
    return None


def care_plan_pdf(plan: CarePlan, catalog: Catalog) -> bytes:
    """The care plan as PDF."""
    return to_pdf(care_plan_html(plan, catalog))
