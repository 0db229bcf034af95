"""The patient leaflet (adults with CNO-SCCH) and the parent leaflet (a child with CRMO), in plain language,
built from the knowledge base's ``patient`` and ``fact`` texts; and the information text behind one
cited statement. The parent leaflet presents its content as what the parent information states
(the CRMO source is an unreviewed draft translation, not a clinical guideline)."""

from __future__ import annotations

from dataclasses import dataclass

from cnopad.knowledge import KnowledgeBase
from cnopad.knowledge.sources import Contact
from cnopad.knowledge.statements import Scope
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
    )


def leaflet_body(leaflet: Leaflet, catalog: Catalog) -> str:
    """The leaflet's content as an HTML fragment (shared by the web page and the PDF)."""
    return render_html(leaflet.lang, catalog, "_leaflet_body.html", leaflet=leaflet)


def leaflet_pdf(leaflet: Leaflet, catalog: Catalog) -> bytes:
    """The leaflet as PDF."""
    return to_pdf(render_html(leaflet.lang, catalog, "leaflet.html", leaflet=leaflet))


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
