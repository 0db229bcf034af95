"""What a predicate reports when its situation holds, and the registry that names predicates for the rules.

A predicate is a small typed function ``(view, params) -> tuple[Finding, ...]`` named after the
situation it recognises (``bisphosphonate_order_without_dental_check``). The rules in
``knowledge/rules`` refer to it by that name; the engine checks every name at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

from cnopad.engine.view import RecordView


class Finding(NamedTuple):
    """One occurrence of a situation: its key (e.g. the order it is about), notes and the entries it rests on.

    ``key`` keeps cards apart when a rule fires more than once for a patient (one card per draft
    order); ``notes`` name lines of the rule's ``notes`` to add; ``escalate`` asks for the rule's
    ``escalated_indicator``; ``evidence`` lists the record entries the finding rests on. A NamedTuple:
    immutable like a frozen dataclass, and three times cheaper to create on the hot path.
    """

    key: str = ""
    order_id: str | None = None
    escalate: bool = False
    notes: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()


Findings = tuple[Finding, ...]
Params = Mapping[str, int]
Predicate = Callable[[RecordView, Params], Findings]

NONE: Findings = ()
FOUND: Findings = (Finding(),)

#: every predicate by name; filled by the ``@predicate`` decorator in cnopad.engine.predicates
PREDICATES: dict[str, Predicate] = {}


def predicate(fn: Predicate) -> Predicate:
    """Register a predicate under its function name (the name the rules use in ``when``)."""
    if fn.__name__ in PREDICATES:
        msg = f"predicate {fn.__name__} is defined twice"
        raise RuntimeError(msg)
    PREDICATES[fn.__name__] = fn
    return fn


def found(*evidence: str, key: str = "", notes: tuple[str, ...] = (), escalate: bool = False) -> Findings:
    """One finding with the given evidence (a shorthand for the common case)."""
    return (Finding(key=key, escalate=escalate, notes=notes, evidence=tuple(e for e in evidence if e)),)
