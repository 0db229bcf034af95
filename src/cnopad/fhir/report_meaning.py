"""From clinlp's qualified matches in a report to what the report says: findings, lesion count, bones, sentences.

Works on the spaCy document ``report_nlp`` produced (duck-typed: this module imports no NLP library).
A mention is read only when it is about the patient now (``counts_when``) and its presence has a
reading in its group;
``alone`` readings (a normal examination) need every other finding to be absent; ``precedence`` lets the
finding that asks for more care drop its opposite; bones count next to a present lesion finding
(imaging) or wherever named (pathology), each with the nearest side word.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

from cnopad.domain import Bone, Concept
from cnopad.knowledge.report_terms import ReportKind, ReportTerms

#: a sentence longer than this is shortened (with an ellipsis) where it is shown
MAX_SENTENCE_CHARS = 300


@dataclass(frozen=True, slots=True)
class Mention:
    """One matched term and how clinlp qualified it (for tests, the case corpus and the benchmark)."""

    label: str
    text: str
    presence: str
    temporality: str
    experiencer: str


@dataclass(frozen=True, slots=True)
class BoneMention:
    """A bone named as a site, with its side when the text says one (left, right, both)."""

    bone: Bone
    side: str | None


@dataclass(frozen=True, slots=True)
class TextFindings:
    """What one report text says: findings, the lesion count, bones, and the sentences these rest on."""

    findings: frozenset[Concept] = frozenset()
    lesion_count: int | None = None
    bones: tuple[BoneMention, ...] = ()
    sentences: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = ()


def fold(text: str) -> str:
    """Lower case without diacritics ("Één" -> "een"): the form stems and section labels are compared in."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def _qualifiers(ent: Any) -> dict[str, str]:
    return {q.name: q.value for q in (getattr(ent._, "qualifiers", None) or ())}


def display(sentence: str) -> str:
    """A sentence as shown on a card: one line, at most MAX_SENTENCE_CHARS characters."""
    line = " ".join(sentence.split())
    return line if len(line) <= MAX_SENTENCE_CHARS else line[: MAX_SENTENCE_CHARS - 1].rstrip() + "…"


class _Reading:
    """What one document says, gathered mention by mention."""

    def __init__(self, kind: ReportKind, terms: ReportTerms, sentences: list[Any]) -> None:
        self.kind, self.terms = kind, terms
        self.sents, self.starts = sentences, [s.start for s in sentences]
        self.groups = {f"g:{g.id}": g for g in terms.groups_for(kind)}
        self.concepts: list[tuple[Concept, bool, Any]] = []  # (concept, from an `alone` group, sentence)
        self.counts: list[tuple[int, Any]] = []
        self.sites: list[Any] = []
        self.locating: set[int] = set()
        self.something_found = False
        self.mentions: list[Mention] = []
        self.side_of = {w: side for side, words in terms.sides.items() for w in words}
        self.before = set(terms.sides.before)

    def add(self, ent: Any, q: dict[str, str], presence: str | None = None) -> None:
        label: str = ent.label_
        presence = presence or q.get("Presence", "Present")
        temporality, experiencer = q.get("Temporality", "Current"), q.get("Experiencer", "Patient")
        counting = label == "count" or label.startswith("count:")
        if (label.startswith("g:") and label not in self.groups) or (counting and self.kind != "imaging"):
            return
        self.mentions.append(Mention(label, ent.text, presence, temporality, experiencer))
        when = self.terms.counts_when
        if temporality not in when.temporality or experiencer not in when.experiencer:
            return
        sentence = self.sentence(ent)
        if label.startswith("site:"):
            if presence == "Present":
                self.sites.append(ent)
            return
        if counting:
            if presence == "Present":
                number = int(label[6:]) if ":" in label else self._number(ent[0].lower_)
                self.counts.append((number, sentence))
                self.locating.add(sentence.start)
                self.something_found = True
            return
        group = self.groups[label]
        if presence in ("Present", "Uncertain") and not group.alone:
            self.something_found = True
        reads = group.reads
        concept = {"Present": reads.present, "Uncertain": reads.uncertain, "Absent": reads.absent}.get(presence)
        if presence == "Absent" and self._makes_exception(sentence):
            concept = None
        if concept is not None:
            self.concepts.append((concept, group.alone, sentence))
        if group.locates and presence == "Present":
            self.locating.add(sentence.start)

    def _makes_exception(self, sentence: Any) -> bool:
        """True when the sentence names an exception ("behalve", "except"), which a negation may not cover."""
        words = " ".join(t.norm_ for t in sentence)
        return any(f" {w} " in f" {words} " for w in self.terms.exceptions.words)

    def sentence(self, ent: Any) -> Any:
        """The sentence of an entity (``Span.sent`` walks the tokens on every call)."""
        return self.sents[bisect_right(self.starts, ent.start) - 1]

    def _number(self, word: str) -> int:
        return self.terms.lesion_count.numbers.get(word) or int(word)

    def result(self) -> TextFindings:
        found = {c for c, alone, _ in self.concepts if not (alone and self.something_found)}
        for rule in self.terms.precedence:
            if rule.concept in found:
                found -= set(rule.drops)
        sentences = [s for c, _, s in self.concepts if c in found]
        count = max((n for n, _ in self.counts), default=None)
        sentences.extend(s for _, s in self.counts)
        bones: dict[BoneMention, None] = {}
        for ent in self.sites:
            sentence = self.sentence(ent)
            if self.kind == "imaging" and sentence.start not in self.locating:
                continue
            entry = self.terms.sites[int(ent.label_[5:])]
            bones[BoneMention(entry.bone, self._side(ent, sentence))] = None
            sentences.append(sentence)
        ordered = sorted({s.start: s for s in sentences}.items())
        return TextFindings(
            findings=frozenset(found),
            lesion_count=count,
            bones=tuple(bones),
            sentences=tuple(dict.fromkeys(display(s.text) for _, s in ordered)),
            mentions=tuple(self.mentions),
        )

    def _side(self, ent: Any, sentence: Any) -> str | None:
        """The side word nearest to a bone within the window (same sentence); on a tie, the one on its usual side."""
        side_of, before = self.side_of, self.before
        window = self.terms.side_window
        best: tuple[int, bool, str] | None = None
        for token in ent.doc[max(sentence.start, ent.start - window) : min(sentence.end, ent.end + window)]:
            side = side_of.get(token.norm_)
            if side is None or ent.start <= token.i < ent.end:
                continue
            ahead = token.i < ent.start
            distance = ent.start - token.i if ahead else token.i - ent.end + 1
            candidate = (distance, ahead != (token.norm_ in before), side)
            if best is None or candidate[:2] < best[:2]:
                best = candidate
        return best[2] if best else None


def listed_presence(
    doc: Any, ents: list[Any], terms: ReportTerms, qualifiers: list[dict[str, str]] | None = None
) -> dict[int, str]:
    """Presence carried along a list: "geen osteolyse, sclerose of hyperostose" negates all three.

    clinlp ends a negation's scope at a comma; a finding joined to a negated or hedged finding by list
    words only (``lists.connectors``) and left present by clinlp takes that finding's presence instead.
    Returns the changed presence by the index of the entity in ``ents``. ``qualifiers`` are those of
    ``ents`` when the caller has them already (reading clinlp's span extension costs).
    """
    quals = qualifiers if qualifiers is not None else [_qualifiers(ent) for ent in ents]
    connectors = set(terms.lists.connectors)
    changed: dict[int, str] = {}
    previous: tuple[int, Any, str] | None = None
    for index, ent in enumerate(ents):
        if not ent.label_.startswith("g:"):
            continue
        presence = quals[index].get("Presence", "Present")
        if previous is not None and presence == "Present" and previous[2] != "Present":
            between = doc[previous[1].end : ent.start]
            if len(between) and all(t.norm_ in connectors for t in between):
                presence = changed[index] = previous[2]
        previous = (index, ent, presence)
    return changed


def interpret(doc: Any, kind: ReportKind, terms: ReportTerms) -> TextFindings:
    """What a report says, from clinlp's qualified matches in ``doc``."""
    reading = _Reading(kind, terms, list(doc.sents))
    ents = list(doc.spans.get("ents", ()))
    qualifiers = [_qualifiers(ent) for ent in ents]
    changed = listed_presence(doc, ents, terms, qualifiers)
    for index, ent in enumerate(ents):
        reading.add(ent, qualifiers[index], changed.get(index))
    return reading.result()
