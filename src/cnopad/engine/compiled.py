"""The knowledge base compiled once for the engine: rules, task schedules and information texts.

Compilation checks that every predicate, generator and situation named in the knowledge files exists
(a KnowledgeBaseError otherwise), and renders fixed texts per language. It is cached per knowledge
base, so each assessment only evaluates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from threading import Lock
from typing import TypeVar

from cnopad.engine.assessment import Card, InformationItem, Task
from cnopad.engine.cards import LANGS, CompiledRule, compile_rule, populations_of
from cnopad.engine.cards import SEVERITY as _SEVERITY
from cnopad.engine.findings import Params, Predicate
from cnopad.engine.schedule import GENERATORS, Generator
from cnopad.engine.situations import SITUATIONS, Situation
from cnopad.engine.view import RecordView
from cnopad.errors import KnowledgeBaseError
from cnopad.knowledge.base import KnowledgeBase
from cnopad.knowledge.schedules import ScheduleModel
from cnopad.knowledge.statements import Scope
from cnopad.knowledge.texts import InfoText

T = TypeVar("T")
_STATUS_ORDER = {"overdue": 0, "due": 1, "upcoming": 2, "done": 3}
#: the sort key of a (rank, card) pair: the rank only (cards themselves do not compare)
_RANK = itemgetter(0)


@dataclass(frozen=True, slots=True)
class _Schedule:
    model: ScheduleModel
    generate: Generator


@dataclass(frozen=True, slots=True)
class _Text:
    model: InfoText
    situations: tuple[tuple[str, Situation], ...]
    items: Mapping[str, InformationItem]  # the finished item per language: texts do not depend on the patient


#: a rule to evaluate, with the predicate and parameters of its single situation (no predicate: a checklist rule)
_Candidate = tuple[CompiledRule, Predicate | None, Params]


class CompiledKnowledge:
    """Rules, schedules and texts ready to evaluate against a record view."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        rules = [compile_rule(kb, rule, order) for order, rule in enumerate(kb.rules)]
        self.adult_rules = tuple(r for r in rules if r.rule.scope is not Scope.CHILD)
        self.child_rules = tuple(r for r in rules if r.rule.scope is not Scope.ADULT)
        self.schedules = tuple(
            _Schedule(s, _named(GENERATORS, s.generator, "generator", s.kind)) for s in kb.schedules.schedules
        )
        # the schedules for each age group, listed once (in_scope asks only whether the patient is an adult)
        self.adult_schedules = tuple(s for s in self.schedules if s.model.scope is not Scope.CHILD)
        self.child_schedules = tuple(s for s in self.schedules if s.model.scope is not Scope.ADULT)
        texts = tuple(
            _Text(
                t,
                tuple((name, _named(SITUATIONS, name, "situation", t.id)) for name in t.situations),
                {lang: _information_item(t, lang) for lang in LANGS},
            )
            for t in kb.texts.texts
        )
        # task titles (key "") and notes per (kind, key, language): only the patient's values are filled in per task;
        # a note key is also the word a value such as "unit_mo" or "tb,hbv" is shown as
        self._templates = {
            (s.kind, key, lang): text.get(lang)
            for s in kb.schedules.schedules
            for key, text in (("", s.title), *s.notes.items())
            for lang in LANGS
        }
        self.adult_texts = tuple(t for t in texts if t.model.scope is not Scope.CHILD)
        self.child_texts = tuple(t for t in texts if t.model.scope is not Scope.ADULT)
        self.adult_situations = _situations_of(self.adult_texts)
        self.child_situations = _situations_of(self.child_texts)
        self._information: dict[tuple[bool, str, frozenset[str]], tuple[InformationItem, ...]] = {}
        #: per (adult, confirmed, suspected, any diagnosis): the rules whose population that is, in order
        self._candidates: dict[tuple[bool, bool, bool, bool], tuple[_Candidate, ...]] = {}

    def _rules_for(self, v: RecordView) -> tuple[_Candidate, ...]:
        """The rules for the patient's age group and diagnosis state (one of a few combinations, listed once each)."""
        key = (v.adult, v.confirmed, v.suspected, v.diagnosis is not None)
        found = self._candidates.get(key)
        if found is None:
            populations = populations_of(v)
            found = self._candidates[key] = tuple(
                (r, None if r.checklist else r.items[0].predicate, r.items[0].params)
                for r in (self.adult_rules if v.adult else self.child_rules)
                if populations[r.population]
            )
        return found

    def cards(self, v: RecordView, lang: str) -> tuple[Card, ...]:
        """Every card whose rule applies to the patient, most urgent first."""
        ranked: list[tuple[tuple[int, int, str], Card]] = []
        for compiled, predicate, params in self._rules_for(v):
            if predicate is None:
                cards = compiled.cards(v, lang)
            else:
                # the common case inline: one predicate, usually silent
                findings = predicate(v, params)
                if not findings:
                    continue
                cards = [compiled.card(v, lang, finding, compiled.items) for finding in findings]
            for card in cards:
                ranked.append(((_SEVERITY[card.indicator], compiled.order, card.uuid), card))
        ranked.sort(key=_RANK)
        return tuple([card for _, card in ranked])

    def tasks(self, v: RecordView, lang: str) -> tuple[Task, ...]:
        """Every task the schedules generate for the patient, overdue first, then by due date."""
        tasks: list[Task] = []
        for schedule in self.adult_schedules if v.adult else self.child_schedules:
            model = schedule.model
            for draft in schedule.generate(v, model.params):
                notes = [self._note(model, key, values, lang) for key, values in draft.notes]
                tasks.append(
                    Task(
                        id=f"{model.kind}:{draft.key}",
                        kind=model.kind,
                        title=self._note(model, "", draft.title_values, lang),
                        due=draft.due,
                        status=draft.status,
                        statements=model.statements,
                        done_on=draft.done_on,
                        detail=" ".join(notes) or None,
                        inference=model.inference.get(lang) if model.inference else None,
                        overdue_from=draft.overdue_from,
                    )
                )
        tasks.sort(key=lambda t: (_STATUS_ORDER[t.status.value], t.due, t.id))
        return tuple(tasks)

    def _note(self, model: ScheduleModel, key: str, values: Mapping[str, str], lang: str) -> str:
        """A task's title (key "") or note in ``lang`` with the patient's values; values that name other notes
        (``unit_mo``, ``tb,hbv``: a period unit, the missing screenings) are shown translated, in notes only."""
        template = self._templates[model.kind, key, lang]
        if not values:
            return template
        if key == "" or _TRANSLATED.isdisjoint(values):
            return template.format_map(values)
        templates, kind = self._templates, model.kind
        shown = dict(values)
        for name in _TRANSLATED & values.keys():
            shown[name] = ", ".join(templates[kind, part, lang] for part in values[name].split(","))
        return template.format_map(shown)

    def information(self, v: RecordView, lang: str) -> tuple[InformationItem, ...]:
        """The information texts in scope whose situations hold for the patient."""
        texts, situations = (
            (self.adult_texts, self.adult_situations) if v.adult else (self.child_texts, self.child_situations)
        )
        holding = frozenset(name for name, situation in situations if situation(v))
        # the texts depend only on which situations hold: cache the answer per combination
        key = (v.adult, lang, holding)
        found = self._information.get(key)
        if found is None:
            found = tuple(t.items[lang] for t in texts if any(name in holding for name, _ in t.situations))
            self._information[key] = found
        return found


def _situations_of(texts: tuple[_Text, ...]) -> tuple[tuple[str, Situation], ...]:
    """Each situation the texts name, once, in first-use order."""
    seen: dict[str, Situation] = {}
    for text in texts:
        for name, situation in text.situations:
            seen.setdefault(name, situation)
    return tuple(seen.items())


def _information_item(model: InfoText, lang: str) -> InformationItem:
    body = model.body.get(lang)
    if model.note is not None:
        body = f"{body}\n\n{model.note.get(lang)}"
    return InformationItem(model.id, model.title.get(lang), model.statements, body, model.audience.value)


def _named(table: Mapping[str, T], name: str, what: str, owner: str) -> T:
    if name not in table:
        msg = f"knowledge: {owner}: no {what} named {name!r} in cnopad.engine"
        raise KnowledgeBaseError(msg)
    return table[name]


#: task-note values that name other notes and are shown translated (a period unit, the missing screenings)
_TRANSLATED = frozenset({"unit", "missing"})


def per_knowledge_base(build: Callable[[KnowledgeBase], T]) -> Callable[[KnowledgeBase], T]:
    """``build(kb)`` once per knowledge base object (thread-safe); later calls with the same object reuse it."""
    cache: dict[int, tuple[KnowledgeBase, T]] = {}
    lock = Lock()

    def get(kb: KnowledgeBase) -> T:
        found = cache.get(id(kb))
        if found is not None and found[0] is kb:
            return found[1]
        with lock:
            found = cache.get(id(kb))
            if found is None or found[0] is not kb:
                found = (kb, build(kb))
                cache[id(kb)] = found
            return found[1]

    return get


#: the compiled form of a knowledge base, built once per knowledge base (thread-safe)
compiled = per_knowledge_base(CompiledKnowledge)
