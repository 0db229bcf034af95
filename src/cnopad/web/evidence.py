"""The record facts a card or task rests on, as a clinician checks them: what, the value, the date.

Cards name their evidence (entry ids, ``Card.evidence``). Tasks carry no evidence list; their ids are built
from the entry they schedule (``pamidronate_course:<medication id>:<date>``), so the entries named in a task's
id are the facts it rests on. Each fact is shown once in the page's fact table (anchor ``fact-<id>``) next to
the timeline, and cards and tasks link to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cnopad.domain import PatientRecord
from cnopad.domain.values import CodedValue, Quantity
from cnopad.engine import Card, Task
from cnopad.web.labels import DRUG_NAMES, Labels

#: the attributes that date an entry, in the order they are tried (the first that is set wins)
_DATES = ("effective", "given_on", "performed", "recorded", "authored", "start", "onset", "reviewed")


@dataclass(frozen=True, slots=True)
class Fact:
    """One record entry as evidence: its anchor id, what it is, its value (if any) and its date."""

    entry_id: str
    what: str
    value: str | None
    day: date | None
    until: date | None = None
    verbatim: bool = False  # the value is a number, a unit or the record's own text: the same in every language

    @property
    def anchor(self) -> str:
        """The id of its row in the fact table."""
        return f"fact-{self.entry_id}"


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def _quantity(q: Quantity) -> str:
    return f"{_number(q.value)} {q.unit}".strip() if q.unit else _number(q.value)


def _what(entry: object, labels: Labels) -> str:
    codings = getattr(entry, "codings", ())
    for coding in codings:
        if coding.code in DRUG_NAMES:
            return labels._(DRUG_NAMES[coding.code])
    concepts = sorted(getattr(entry, "concepts", frozenset()))
    for concept in concepts:
        title = labels.concept(concept.value)
        if title != concept.value:
            return title
    text = getattr(entry, "text", None) or getattr(entry, "name", None) or getattr(entry, "description", None)
    return str(text or next((c.display for c in codings if c.display), None) or getattr(entry, "id", "?"))


def _value(entry: object, labels: Labels) -> tuple[str | None, bool]:
    """The value in the page's words, and whether it is verbatim (a number, a unit or the record's own text,
    the same in every language) rather than words of the knowledge base."""
    value = getattr(entry, "value", None)
    if isinstance(value, Quantity):
        return _quantity(value), True
    if isinstance(value, CodedValue):
        titles = [labels.concept(c.value) for c in sorted(value.concepts)]
        return (", ".join(titles), False) if titles else (value.text, True)
    if isinstance(value, bool):
        return None, False
    if isinstance(value, int | Decimal | str):
        return str(value), True
    dose = getattr(entry, "dose", None)
    if isinstance(dose, Quantity):
        return _quantity(dose), True
    findings = getattr(entry, "findings", None) or getattr(entry, "result", None)
    if isinstance(findings, frozenset) and findings:
        return ", ".join(labels.concept(c.value) for c in sorted(findings)), False
    return None, False


def describe(entry: object, labels: Labels) -> Fact:
    """One entry as a fact in the page's language."""
    day = next((d for name in _DATES if isinstance(d := getattr(entry, name, None), date)), None)
    until = getattr(entry, "end", None)
    value, verbatim = _value(entry, labels)
    return Fact(
        str(getattr(entry, "id", "?")),
        _what(entry, labels),
        value,
        day,
        until if isinstance(until, date) else None,
        verbatim,
    )


@dataclass(frozen=True)
class Evidence:
    """The facts of every card (by uuid) and task (by id), and all of them once, for the fact table."""

    cards: dict[str, tuple[Fact, ...]]
    tasks: dict[str, tuple[Fact, ...]]
    table: tuple[Fact, ...]


def evidence(record: PatientRecord, cards: tuple[Card, ...], tasks: tuple[Task, ...], labels: Labels) -> Evidence:
    """The facts behind each card and task of one assessment."""
    entries = {e.id: e for e in record.entries()}
    facts: dict[str, Fact] = {}

    def facts_of(ids: tuple[str, ...] | list[str]) -> tuple[Fact, ...]:
        out = []
        for entry_id in dict.fromkeys(ids):
            entry = entries.get(entry_id)
            if entry is None:
                continue  # a draft order or a derived id: not a stored fact
            if entry_id not in facts:
                facts[entry_id] = describe(entry, labels)
            out.append(facts[entry_id])
        return tuple(out)

    by_card = {c.uuid: facts_of(c.evidence) for c in cards}
    by_task = {t.id: facts_of(t.id.split(":")) for t in tasks}
    table = tuple(sorted(facts.values(), key=lambda f: (f.day or date.min, f.entry_id), reverse=True))
    return Evidence(by_card, by_task, table)
