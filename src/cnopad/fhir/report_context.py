"""clinlp's context algorithm with the scopes of a sentence's triggers kept in a list instead of interval trees.

Imported only inside ``report_nlp.pipeline`` (it imports clinlp, and with it spaCy). clinlp builds
two or three ``intervaltree.IntervalTree`` objects per sentence to hold the scopes of the context
triggers found in it; building them was the largest single cost of reading a report (a sentence holds
a handful of triggers, where a tree only pays off for thousands). :class:`ListScopeContext` changes
only ``_compute_match_scopes``: the same steps in the same order (qualifying triggers; drop those a
pseudo-trigger overlaps; cut scopes at terminations) over a list, and answers the one question the rest
of clinlp's algorithm asks of the result (``overlap(start, end)``, half-open as in intervaltree).
Matching, scope windows, conflict resolution and qualifier assignment are clinlp's own code.
The order in which overlapping scopes are returned can differ from the tree's; clinlp only uses it to
break a tie between two triggers of one qualifier at the same distance and priority, and each value of
a qualifier has its own priority (clinlp's ``context_rules.json``), so a tie is between equal values.
``tests/integration/fhir/test_report_text_fast_path.py`` compares the results with clinlp's own.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from clinlp.ie.qualifier.context_algorithm import ContextAlgorithm, ContextRuleDirection
from clinlp.util import clinlp_component

__all__ = ["ListScopeContext", "Scopes"]


class _Scope(NamedTuple):
    """One trigger's scope, shaped like ``intervaltree.Interval`` (what clinlp reads: ``.data``)."""

    begin: int
    end: int
    data: Any


class Scopes:
    """The scopes of one sentence's triggers, with intervaltree's ``overlap`` (``begin < end and end > start``)."""

    __slots__ = ("items",)

    def __init__(self, items: list[_Scope]) -> None:
        self.items = items

    def overlap(self, begin: int, end: int) -> list[_Scope]:
        """The scopes that overlap ``[begin, end)``."""
        if begin >= end:  # intervaltree answers an empty query with nothing
            return []
        return [s for s in self.items if s.begin < end and s.end > begin]


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and a_end > b_start and b_start < b_end


@clinlp_component(name="cnopad_context_algorithm", requires=["doc.sents", "doc.spans"], assigns=["span._.qualifiers"])
class ListScopeContext(ContextAlgorithm):  # type: ignore[misc]  # clinlp has no type information
    """clinlp's ``ContextAlgorithm`` with list-kept scopes (see the module docstring)."""

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
