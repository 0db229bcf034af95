"""The patient leaflet (adults with CNO-SCCH) and the parent leaflet (a child with CRMO), in plain language,
built from the knowledge base's ``patient`` and ``fact`` texts; and the information text behind one
cited statement. The parent leaflet presents its content as what the parent information states
(the CRMO source is an unreviewed draft translation, not a clinical guideline)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from cnopad.domain import PatientRecord
from cnopad.engine import Assessment, TaskStatus
from cnopad.knowledge import KnowledgeBase
from cnopad.knowledge.sources import Contact
from cnopad.knowledge.statements import Scope
from cnopad.reports.care_plan import MedicationLine, external_url, medication_lines
from cnopad.reports.rendering import N_, Catalog, render_html, to_pdf

#: audience -> (the texts' audience, the statements' scope, the source document)
AUDIENCES = {"adult": ("patient", Scope.ADULT, "NHG"), "child": ("parent", Scope.CHILD, "CRMO")}
TITLES = {
    "adult": N_("CNO-SCCH: information for patients"),
    "child": N_("CNO and CRMO in children: information for parents"),
}
INTROS = {
    "adult": N_(
        "This leaflet explains in plain words what CNO-SCCH is, how it is treated and what you can do yourself. "
        "Your doctor decides with you what fits your situation."
    ),
    "child": N_(
        "This leaflet tells what the parent information on CNO and CRMO says. It is not a medical guideline. "
        "Your child's doctor decides with you what fits your child."
    ),
}


#: the caution about the parent information, in plain words (B1) for parents; clinicians read the source's own
CAUTIONS = {
    "child": N_(
        "Good to know: the text this leaflet is based on was translated and has not yet been checked by doctors. "
        "Is something unclear, or does it not fit your child? Ask your child's doctor."
    ),
}


@dataclass(frozen=True, slots=True)
class PlanItem:
    """Something planned for the patient, as the leaflet says it: what, and when."""

    title: str
    due: date
    overdue: bool


@dataclass(frozen=True)
class PersonalPlan:
    """The patient's own plan in a personal leaflet: whose, printed when, medication and what comes next."""

    name: str
    printed: date
    medications: tuple[MedicationLine, ...]
    next: tuple[PlanItem, ...]


@dataclass(frozen=True, slots=True)
class Section:
    """One text of a leaflet."""

    id: str
    title: str
    body: str
    statements: tuple[str, ...]


@dataclass(frozen=True)
class Leaflet:
    """A leaflet in one language."""

    audience: str
    lang: str
    title: str
    intro: str
    sections: tuple[Section, ...]
    contacts: tuple[Contact, ...]
    disclaimer: str
    caution: str | None = None
    personal: PersonalPlan | None = None


def build_leaflet(audience: str, lang: str, *, kb: KnowledgeBase) -> Leaflet:
    """The leaflet for ``audience`` ('adult' or 'child') in ``lang``: every text for that audience and scope."""
    text_audience, scope, doc = AUDIENCES[audience]
    sources = kb.sources
    sections = tuple(
        Section(t.id, t.title, t.body, t.statements)
        for t in kb.texts.for_audience(text_audience, lang)
        if t.scope in (scope, Scope.ANY)
    )
    return Leaflet(
        audience=audience,
        lang=lang,
        title=TITLES[audience],
        intro=INTROS[audience],
        sections=sections,
        contacts=tuple(c for c in sources.contacts.values() if c.scope is scope),
        disclaimer=sources.document_for(doc).disclaimer.text.get(lang),
        caution=CAUTIONS.get(audience),
    )


def build_personal_leaflet(
    record: PatientRecord, assessment: Assessment, *, kb: KnowledgeBase, catalog: Catalog, today: date
) -> Leaflet:
    """The leaflet for this patient (adult) or their parents (child), with their name, the date and their own
    plan (medication in use, what comes next); no record ids, so it can be handed over as it is."""
    audience = "child" if record.age_group_on(today).value == "child" else "adult"
    general = build_leaflet(audience, assessment.lang, kb=kb)
    upcoming = sorted((t for t in assessment.tasks if t.status is not TaskStatus.DONE), key=lambda t: (t.due, t.title))
    personal = PersonalPlan(
        name=record.patient.name or "",
        printed=today,
        medications=medication_lines(record, today, catalog),
        next=tuple(PlanItem(t.title, t.due, t.status is TaskStatus.OVERDUE) for t in upcoming),
    )
    return replace(general, personal=personal)


def leaflet_body(leaflet: Leaflet, catalog: Catalog) -> str:
    """The leaflet's content as an HTML fragment for the web page (statement ids link to their texts)."""
    return render_html(leaflet.lang, catalog, "_leaflet_body.html", leaflet=leaflet, print=False, external=external_url)


def leaflet_pdf(leaflet: Leaflet, catalog: Catalog) -> bytes:
    """The leaflet as PDF: on paper a link goes nowhere unless absolute, so statement ids are plain text."""
    return to_pdf(
        render_html(leaflet.lang, catalog, "leaflet.html", leaflet=leaflet, print=True, external=external_url)
    )


@dataclass(frozen=True)
class StatementInfo:
    """What the app shows for a cited statement: its information text(s), its source and contacts."""

    id: str
    texts: tuple[Section, ...]
    source: str
    contacts: tuple[Contact, ...]


def statement_text(statement_id: str, lang: str, *, kb: KnowledgeBase) -> StatementInfo:
    """The information behind one statement id (NotFoundError for an id not in the catalog)."""
    doc = kb.statements.get(statement_id).doc
    texts = tuple(
        Section(t.id, loc.title, loc.body, t.statements)
        for t in kb.texts.citing(statement_id)
        for loc in (kb.texts.localized(t.id, lang),)
    )
    return StatementInfo(
        statement_id,
        texts,
        kb.sources.document_for(doc).label.get(lang),
        tuple(c for c in kb.sources.contacts.values() if statement_id in c.statements),
    )
