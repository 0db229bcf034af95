"""Rules compiled for fast evaluation, and the CDS Hooks-shaped cards they produce.

Compiling resolves every predicate name, and renders every fixed piece of text (summary, detail,
contacts, references, disclaimers) once per language, so that evaluating a rule costs one predicate
call and building a card costs a few string joins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cnopad.domain import Coding
from cnopad.engine.assessment import Card, Indicator, OverrideReason, Source
from cnopad.engine.findings import PREDICATES, Finding, Predicate
from cnopad.engine.suggestions import Offer, offer, suggestion
from cnopad.engine.uuids import Hasher, uuid5_after, uuid5_prefix
from cnopad.engine.view import RecordView
from cnopad.errors import KnowledgeBaseError
from cnopad.knowledge.base import KnowledgeBase
from cnopad.knowledge.rules import Population, Rule, SuggestionModel
from cnopad.knowledge.statements import Scope

LANGS = ("nl", "en")
#: cards are listed most urgent first
SEVERITY = {Indicator.CRITICAL: 0, Indicator.WARNING: 1, Indicator.INFO: 2}


def in_scope(scope: Scope, v: RecordView) -> bool:
    """Adult statements only for adults, child statements only for children (age on the assessment date)."""
    return scope is Scope.ANY or (scope is Scope.ADULT) == v.adult


def populations_of(v: RecordView) -> dict[Population, bool]:
    """For each population, whether the patient's diagnosis state is one the rules of that population look at."""
    return {
        Population.CONFIRMED: v.confirmed,
        Population.SUSPECTED: v.suspected,
        Population.CNO: v.diagnosis is not None,
        Population.NOT_CONFIRMED: not v.confirmed,
        Population.ANY: True,
    }


@dataclass(frozen=True, slots=True)
class _Texts:
    """The fixed text of one rule in one language."""

    summary: str
    head: str
    items: Mapping[str, str]
    item_inference: Mapping[str, str]
    notes: Mapping[str, str]
    inference: str | None
    blocks: tuple[str, ...]  # off-label, contacts, references: in this order, only those that apply
    statements_heading: str
    evidence_heading: str
    text_heading: str
    inference_heading: str
    source_label: str
    disclaimer: str
    source: Source
    overrides: tuple[OverrideReason, ...]
    offers: Mapping[str, Offer]  # suggestion id -> the suggestion, fixed apart from the patient


@dataclass(frozen=True, slots=True)
class _Shape:
    """What a card says apart from the patient: statements, detail up to the evidence, disclaimer, suggestions."""

    statements: tuple[str, ...]
    body: str
    tail: str
    inference: str | None
    offers: tuple[Offer, ...]  # the suggestions, in the language of the shape


@dataclass(frozen=True, slots=True, eq=False)
class _Item:
    id: str
    predicate: Predicate
    params: Mapping[str, int]
    statements: tuple[str, ...]
    suggestions: tuple[tuple[SuggestionModel, Coding], ...]


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule ready to evaluate: predicates resolved, texts rendered per language."""

    rule: Rule
    order: int
    population: Population
    items: tuple[_Item, ...]
    checklist: bool
    statements: tuple[str, ...]  # always cited: the rule's own, off-label and disclaimer statements
    suggestions: tuple[tuple[SuggestionModel, Coding], ...]
    indicator: Indicator
    escalated: Indicator
    texts: Mapping[str, _Texts]
    kind: str
    #: uuid5 of "rule id|patient id|key" with the namespace and "rule id|" already hashed (see uuids.uuid5_after)
    uuid_prefix: Hasher = field(compare=False)
    shapes: dict[tuple[str, tuple[_Item, ...], tuple[str, ...]], _Shape] = field(default_factory=dict, compare=False)

    def cards(self, v: RecordView, lang: str) -> list[Card]:
        """The cards this rule produces for the patient (none when its situation does not hold)."""
        if not self.checklist:
            item = self.items[0]
            findings = item.predicate(v, item.params)
            if not findings:
                return []
            return [self.card(v, lang, f, self.items) for f in findings]
        fired: list[_Item] = []
        notes: list[str] = []
        evidence: list[str] = []
        escalate = False
        for item in self.items:
            findings = item.predicate(v, item.params)
            if findings:
                fired.append(item)
                for f in findings:
                    escalate = escalate or f.escalate
                    notes.extend(f.notes)
                    evidence.extend(f.evidence)
        if not fired:
            return []
        merged = Finding(escalate=escalate, notes=tuple(notes), evidence=tuple(evidence))
        return [self.card(v, lang, merged, tuple(fired))]

    def _shape(self, lang: str, items: tuple[_Item, ...], notes: tuple[str, ...]) -> _Shape:
        """The patient-independent part of a card for one combination of fired items and notes (cached)."""
        key = (lang, items, notes)
        shape = self.shapes.get(key)
        if shape is not None:
            return shape
        t = self.texts[lang]
        statements = dict.fromkeys(self.statements)
        for item in items:
            statements.update(dict.fromkeys(item.statements))
        cited = tuple(statements)
        inference_parts = [t.inference] if t.inference else []
        inference_parts.extend(t.item_inference[i.id] for i in items if i.id in t.item_inference)
        inference = " ".join(inference_parts) or None
        parts = [t.head]
        bullets = [t.items[i.id] for i in items if i.id in t.items]
        bullets.extend(t.notes[n] for n in dict.fromkeys(notes) if n in t.notes)
        if bullets:
            parts.append("\n".join(bullets))
        parts.extend(t.blocks)
        if inference:
            parts.append(f"{t.inference_heading} {inference}")
        parts.append(f"{t.statements_heading} {', '.join(cited)} ({t.source_label})")
        pairs = self.suggestions + tuple(s for i in items for s in i.suggestions)
        offers = tuple(t.offers[s.id] for s, _ in pairs)
        shape = _Shape(cited, "\n\n".join(parts), t.disclaimer, inference, offers)
        self.shapes[key] = shape
        return shape

    def card(self, v: RecordView, lang: str, finding: Finding, items: tuple[_Item, ...]) -> Card:
        """The card for one finding of this rule (``items``: the situations that hold)."""
        t = self.texts[lang]
        shape = self._shape(lang, items, finding.notes)
        card_id = uuid5_after(self.uuid_prefix, f"{v.patient_id}|{finding.key}")
        evidence = finding.evidence if len(finding.evidence) < 2 else tuple(dict.fromkeys(finding.evidence))
        if evidence:
            read = _read_from_text(v, evidence, t.text_heading)
            detail = f"{shape.body}\n\n{t.evidence_heading} {', '.join(evidence)}{read}\n\n{shape.tail}"
        else:
            detail = f"{shape.body}\n\n{shape.tail}"
        suggestions = tuple([suggestion(card_id, o, v) for o in shape.offers]) if shape.offers else ()
        # positional, in Card's field order (uuid, rule_id, summary, indicator, detail, source, statements, kind,
        # suggestions, selection_behavior, override_reasons, inference, order_id, evidence): ~5 cards per patient
        return Card(
            card_id,
            self.rule.id,
            t.summary,
            self.escalated if finding.escalate else self.indicator,
            detail,
            t.source,
            shape.statements,
            self.kind,
            suggestions,
            self.rule.selection_behavior if suggestions else None,
            t.overrides,
            shape.inference,
            finding.order_id,
            evidence,
        )


#: characters that Markdown would read as markup; a report sentence shows them literally
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def _read_from_text(v: RecordView, evidence: tuple[str, ...], heading: str) -> str:
    """The report sentences the evidence was read from, as a line per sentence (empty when all came from codes)."""
    read = v.text_sentences()
    if not read:  # most records: every finding came from a code
        return ""
    sentences = dict.fromkeys(s for entry in evidence for s in read.get(entry, ()))
    if not sentences:
        return ""
    lines = "\n".join("- «" + _MARKDOWN.sub(r"\\\1", s) + "»" for s in sentences)
    return f"\n\n{heading}\n{lines}"


def sort_key(card: Card, order: int) -> tuple[int, int, str]:
    """Most urgent first, then knowledge-base order, then uuid: deterministic."""
    return (SEVERITY[card.indicator], order, card.uuid)


def compile_rule(kb: KnowledgeBase, rule: Rule, order: int) -> CompiledRule:
    """Resolve a rule's predicates and render its fixed texts; an unknown predicate is a KnowledgeBaseError."""
    items = []
    for item in rule.situations:
        fn = PREDICATES.get(item.when)
        if fn is None:
            msg = f"knowledge/rules: rule {rule.id}: no predicate named {item.when!r} in cnopad.engine.predicates"
            raise KnowledgeBaseError(msg)
        suggestions = tuple((s, kb.valuesets.coding_for(s.concept)) for s in item.suggestions)
        items.append(_Item(item.id, fn, {**rule.params, **item.params}, item.statements, suggestions))
    docs = {kb.statements.by_id[s].doc for s in rule.all_statements}
    documents = [kb.sources.document_for(doc) for doc in sorted(docs)]
    always = dict.fromkeys(rule.statements)
    for document in documents:
        always.update(dict.fromkeys(document.disclaimer.statements))
        if rule.off_label:
            always.update(dict.fromkeys(document.off_label.statements))
    indicator = Indicator(rule.indicator)
    return CompiledRule(
        rule=rule,
        order=order,
        population=rule.population,
        items=tuple(items),
        checklist=bool(rule.items),
        statements=tuple(always),
        suggestions=tuple((s, kb.valuesets.coding_for(s.concept)) for s in rule.suggestions),
        indicator=indicator,
        escalated=Indicator(rule.escalated_indicator) if rule.escalated_indicator else indicator,
        texts={lang: _render(kb, rule, documents, lang) for lang in LANGS},
        kind=rule.kind.value,
        uuid_prefix=uuid5_prefix(f"{rule.id}|"),
    )


def _render(kb: KnowledgeBase, rule: Rule, documents: list[Any], lang: str) -> _Texts:
    sources = kb.sources
    heading = {key: text.get(lang) for key, text in sources.headings.items()}
    blocks: list[str] = []
    if rule.off_label:
        blocks.extend(f"**{heading['off_label']}** {d.off_label.text.get(lang)}" for d in documents)
    if rule.contacts:
        lines = "\n".join(f"- {sources.contacts[c].render(lang)}" for c in rule.contacts)
        blocks.append(f"**{heading['contacts']}**\n{lines}")
    if rule.references:
        refs = "\n".join(_reference(sources.references[r], lang) for r in rule.references)
        blocks.append(f"**{heading['references']}**\n{refs}")
    if rule.source in sources.documents:
        document = sources.documents[rule.source]
        source = Source(document.label.get(lang), document.url)
    else:
        reference = sources.references[rule.source]
        source = Source(reference.label, reference.url)
    all_suggestions = (*rule.suggestions, *(s for i in rule.items for s in i.suggestions))
    return _Texts(
        summary=rule.summary.get(lang),
        head=rule.detail.get(lang),
        items={i.id: f"- {i.text.get(lang)}" for i in rule.items if i.text},
        item_inference={i.id: i.inference.get(lang) for i in rule.items if i.inference},
        notes={key: f"- {text.get(lang)}" for key, text in rule.notes.items()},
        inference=rule.inference.get(lang) if rule.inference else None,
        blocks=tuple(blocks),
        statements_heading=f"**{heading['statements']}**",
        evidence_heading=f"**{heading['evidence']}**",
        text_heading=f"**{heading['read_from_text']}**",
        inference_heading=f"**{heading['inference']}**",
        source_label="; ".join(d.label.get(lang) for d in documents),
        disclaimer="\n".join(f"> {d.disclaimer.text.get(lang)}" for d in documents),
        source=source,
        overrides=tuple(
            OverrideReason(code, sources.override_reasons[code].display.get(lang)) for code in rule.override_reasons
        ),
        offers={
            s.id: offer(
                s.id, s.resource, kb.valuesets.coding_for(s.concept), s.label.get(lang), recommended=s.recommended
            )
            for s in all_suggestions
        },
    )


def _reference(ref: Any, lang: str) -> str:
    url = f" {ref.url}" if ref.url else ""
    return f"- {ref.citation}{url} ({ref.used_for.get(lang)})"
