"""clinlp's pipeline steps with the same results at less cost per report: sentencizer, entity matcher, context.

Imported only inside ``report_nlp.pipeline`` (it imports clinlp, and with it spaCy). Each class here is
clinlp's own component with one or two methods replaced by one that computes the same thing in fewer
steps; everything else (the matchers, scope windows, conflict resolution, qualifier assignment) is
clinlp's code. ``tests/integration/fhir/test_report_text_fast_path.py`` compares the readings with
clinlp's own components over the benchmark reports and generated ones.

- :class:`FastSentencizer`: clinlp's rule (a sentence starts at the first token after ``. ! ? \\n \\r``
  that begins with a letter, digit or ``[``, or is ``- * [ (``), computed over the token texts and set
  in one ``Doc.from_array`` call instead of one Python attribute write per token.
- :class:`ListScopeEntityMatcher`: the pseudo-term matches (a handful per report) kept in a list
  instead of an interval tree; the same overlap test (``begin < end and end > start``).
- :class:`ListScopeContext`: the scopes of a sentence's context triggers kept in a list instead of two
  or three interval trees per sentence (building those was the largest single cost of a report), and
  the sentence of each entity found by bisection over the sentence starts instead of ``Span.sent``,
  which walks the tokens; same span (start of the sentence holding the entity's first token, end at the
  first sentence start at or after the entity's end). The order in which overlapping scopes are
  returned can differ from the tree's; clinlp only uses it to break a tie between two triggers of one
  qualifier at the same distance and priority, and each value of a qualifier has its own priority
  (clinlp's ``context_rules.json``), so such a tie is between equal values. An entity's default
  qualifiers are set in one write instead of a read and a write per qualifier class (the same set:
  qualifiers of other classes kept, each class's default in place of any value of that class).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from typing import Any, NamedTuple

import numpy
from clinlp.ie import Term
from clinlp.ie.entity import SPANS_KEY, RuleBasedEntityMatcher
from clinlp.ie.qualifier.context_algorithm import ContextAlgorithm, ContextRuleDirection
from clinlp.ie.qualifier.qualifier import get_qualifiers, set_qualifiers
from clinlp.sentencizer import Sentencizer
from clinlp.util import clinlp_component
from spacy.attrs import SENT_START
from spacy.tokens import Span

__all__ = ["FastSentencizer", "ListScopeContext", "ListScopeEntityMatcher", "Scopes"]


class _Scope(NamedTuple):
    """One scope, shaped like ``intervaltree.Interval`` (what clinlp reads of it: ``.data``)."""

    begin: int
    end: int
    data: Any


class Scopes:
    """Scopes in a list, with intervaltree's ``overlap``: those with ``begin < end and end > start``."""

    __slots__ = ("items",)

    def __init__(self, items: list[_Scope]) -> None:
        self.items = items

    def overlap(self, begin: int, end: int) -> list[_Scope]:
        """The scopes that overlap ``[begin, end)`` (none for an empty query, as intervaltree answers)."""
        if begin >= end:
            return []
        return [s for s in self.items if s.begin < end and s.end > begin]


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and a_end > b_start and b_start < b_end


@clinlp_component(name="cnopad_sentencizer", assigns=["token.is_sent_start", "doc.sents"])
class FastSentencizer(Sentencizer):  # type: ignore[misc]  # clinlp has no type information
    """clinlp's sentencizer, setting the sentence starts in one call (see the module docstring)."""

    def __call__(self, doc: Any) -> Any:
        if len(doc) == 0:
            return doc
        ends, punct = self.sent_end_chars, self.sent_start_punct
        starts: list[int] = []
        seen_end = True
        for text in (t.text for t in doc):
            first = text[0]
            if seen_end and (first.isalnum() or first == "[" or text in punct):
                starts.append(1)
                seen_end = False
            else:
                starts.append(-1)
            if text in ends:
                seen_end = True
        # spaCy's arrays are uint64; -1 ("not a sentence start") is stored wrapped, as Doc.to_array gives it
        doc.from_array([SENT_START], numpy.array(starts, dtype="int64").astype("uint64").reshape(-1, 1))
        return doc


@clinlp_component(name="cnopad_rule_based_entity_matcher", assigns=["doc.spans"])
class ListScopeEntityMatcher(RuleBasedEntityMatcher):  # type: ignore[misc]
    """clinlp's rule-based entity matcher with the pseudo-term matches in a list (see the module docstring)."""

    def match_entities(self, doc: Any) -> list[Any]:
        pos_matches = []
        neg_matches: list[tuple[int, int, str]] = []
        for match_id, start, end in self._get_matches(doc):
            rule_id = self.nlp.vocab.strings[match_id]
            term = self._terms[rule_id]
            if isinstance(term, Term) and term.pseudo:
                if start < end:  # an interval tree refuses an empty interval; a match is never empty
                    neg_matches.append((start, end, rule_id))
            else:
                pos_matches.append((rule_id, start, end))
        ents = doc.spans.get(SPANS_KEY, [])
        for rule_id, start, end in pos_matches:
            concept = self._concepts[rule_id]
            if not any(
                concept == self._concepts[neg_id]
                for neg_start, neg_end, neg_id in neg_matches
                if _overlaps(neg_start, neg_end, start, end)
            ):
                ents.append(Span(doc=doc, start=start, end=end, label=concept))
        if self.resolve_overlap:
            ents = self._resolve_ents_overlap(ents)
        return ents  # type: ignore[no-any-return]


@clinlp_component(name="cnopad_context_algorithm", requires=["doc.sents", "doc.spans"], assigns=["span._.qualifiers"])
class ListScopeContext(ContextAlgorithm):  # type: ignore[misc]
    """clinlp's ``ContextAlgorithm`` with list-kept scopes and bisected sentences (see the module docstring)."""

    def _initialize_ent_qualifiers(self, entity: Any) -> None:
        classes = self.qualifier_classes
        kept = {q for q in get_qualifiers(entity) or () if q.name not in classes}
        set_qualifiers(entity, kept | {qualifier_class.create() for qualifier_class in classes.values()})

    def _get_sentences_with_entities(self, doc: Any) -> dict[Any, list[Any]]:
        starts = [s.start for s in doc.sents]
        sents: defaultdict[Any, list[Any]] = defaultdict(list)
        for ent in doc.spans[self.spans_key]:
            begin = starts[bisect_right(starts, ent.start) - 1]
            after = bisect_left(starts, ent.end)
            end = starts[after] if after < len(starts) else len(doc)
            sents[doc[begin:end]].append(ent)
        return sents

    def _compute_match_scopes(self, matched_patterns: list[Any]) -> Scopes:
        scopes: list[_Scope] = []
        for qualifier_matches in self._group_matched_patterns(matched_patterns).values():
            active = [
                *qualifier_matches[ContextRuleDirection.PRECEDING],
                *qualifier_matches[ContextRuleDirection.FOLLOWING],
                *qualifier_matches[ContextRuleDirection.BIDIRECTIONAL],
            ]
            for pseudo in qualifier_matches[ContextRuleDirection.PSEUDO]:
                active = [m for m in active if not _overlaps(m.start, m.end, pseudo.start, pseudo.end)]
            for stop in qualifier_matches[ContextRuleDirection.TERMINATION]:
                for match in active:
                    if not _overlaps(match.scope[0], match.scope[1], stop.start, stop.end):
                        continue
                    if match.rule.direction != ContextRuleDirection.FOLLOWING and stop.start >= match.end:
                        match.scope = (match.scope[0], stop.start)
                    if match.rule.direction != ContextRuleDirection.PRECEDING and stop.end <= match.start:
                        match.scope = (stop.end, match.scope[1])
            scopes.extend(_Scope(m.scope[0], m.scope[1], m) for m in active)
        return Scopes(scopes)
