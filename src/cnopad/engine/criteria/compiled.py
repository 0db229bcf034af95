"""The criteria instruments compiled once per knowledge base, so that one patient's evaluation only looks things up.

Everything that does not depend on the patient is prepared here: each item's texts per language, the item result
for a fact the record leaves unknown (most items of most patients), the result of an instrument that is not for the
patient's age group, and the fixed fields of every instrument result. An instrument's status depends on nothing but
its items' states, so it is worked out once per combination of states (and remembered, bounded): the three-valued
logic and the search for the items that could still change it do not run again for every patient.

An instrument whose weights are not verified (``weights.verified: false``) shows no points anywhere: its items'
``points`` are None in every result (the knowledge file keeps the candidate values for a verifier) and a points
score is not computed (``status_of``: not computed, reason ``weights_not_verified``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import itemgetter

from cnopad.engine.cards import LANGS
from cnopad.engine.compiled import per_knowledge_base
from cnopad.engine.criteria.evaluate import status_of
from cnopad.engine.criteria.facts import FACTS, FactFn
from cnopad.engine.criteria.result import UNKNOWN, Fact, InstrumentResult, ItemResult, State, Status
from cnopad.engine.view import RecordView
from cnopad.errors import KnowledgeBaseError
from cnopad.knowledge.base import KnowledgeBase
from cnopad.knowledge.criteria import FactBook, Instrument, Item, StatusName
from cnopad.knowledge.valuesets import Text

#: distinct combinations of item states remembered per instrument; more is cleared (memory stays bounded)
_OUTCOME_CACHE_SIZE = 4_096
_GROUPS = {True: "adult", False: "child"}
#: the fixed fields of an InstrumentResult before its status, and those between its score range and its items
_Head = tuple[str, str, str, str | None, str, str, str, str | None, str | None]
_Tail = tuple[int | None, int | None, bool, str, bool, str, str]


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What an instrument's item states decide: status, the score range, open items and the reason shown."""

    status: Status
    low: int | None
    high: int | None
    open_items: tuple[str, ...]
    reason: str | None


@dataclass(frozen=True, slots=True)
class _Item:
    """One item with its fixed texts per language and its result when the record leaves the fact unknown."""

    model: Item
    points: int | None  # the item's points as shown: None unless the instrument's weights are verified
    text: Mapping[str, str]
    mapping: Mapping[str, str]
    notes: Mapping[str, Text]
    unknown: Mapping[str, ItemResult]

    def result(self, fact: Fact, lang: str) -> ItemResult:
        """The item for this patient (the caller takes ``unknown`` when the fact is the plain unknown)."""
        note = self.notes.get(fact.note) if fact.note is not None else None
        evidence = fact.evidence if len(fact.evidence) < 2 else tuple(dict.fromkeys(fact.evidence))
        return ItemResult(
            id=self.model.id,
            text=self.text[lang],
            role=self.model.role,
            fact=self.model.fact,
            state=fact.state,
            points=self.points,
            evidence=evidence,
            value=fact.value,
            note=note.get(lang) if note is not None else None,
            mapping=self.mapping[lang],
        )


class CompiledInstrument:
    """One instrument ready to evaluate against a patient's facts."""

    __slots__ = (
        "_all_unknown",
        "_fixed",
        "_labels",
        "_not_applicable",
        "_outcomes",
        "ages",
        "items",
        "model",
    )

    def __init__(self, instrument: Instrument, facts: FactBook, statuses: Mapping[StatusName, Text]) -> None:
        self.model = instrument
        self.ages = frozenset(adult for adult, group in _GROUPS.items() if group in instrument.ages)
        self.items = tuple(_item(i, facts, shown=instrument.weights.verified) for i in instrument.items)
        self._labels = {lang: {Status(name): text.get(lang) for name, text in statuses.items()} for lang in LANGS}
        self._fixed = {
            (lang, adult): _fixed_fields(instrument, lang, adult=adult) for lang in LANGS for adult in _GROUPS
        }
        # a paediatric instrument is never worked out for an adult (not even item by item): only its name and why
        self._not_applicable = {
            (lang, adult): self._result(
                lang, adult, _Outcome(Status.NOT_APPLICABLE, None, None, (), "not_for_age_group"), ()
            )
            for lang in LANGS
            for adult in _GROUPS
            if adult not in self.ages
        }
        self._outcomes: dict[tuple[State, ...], _Outcome] = {}
        # the result when the record decides none of the items (common for a new suspicion): the same for everyone
        nothing = self._outcome((State.UNKNOWN,) * len(self.items))
        self._all_unknown = {
            (lang, adult): self._result(lang, adult, nothing, tuple(i.unknown[lang] for i in self.items))
            for lang in LANGS
            for adult in self.ages
        }

    def not_applicable(self, lang: str, *, adult: bool) -> InstrumentResult:
        """The result for an age group the instrument is not for: only its name and why (never worked out)."""
        return self._not_applicable[lang, adult]

    def evaluate(self, found: tuple[Fact, ...], lang: str, *, adult: bool) -> InstrumentResult:
        """The instrument for one patient (``found``: its items' facts, in item order): items with their state, the
        status and (for points) the score range."""
        for f in found:  # a loop, not all() over a generator: this runs for every instrument of every patient
            if f is not UNKNOWN:
                break
        else:
            return self._all_unknown[lang, adult]
        states = tuple([f.state for f in found])
        outcome = self._outcomes.get(states)
        if outcome is None:
            outcome = self._outcome(states)
        items = tuple(
            [i.unknown[lang] if f is UNKNOWN else i.result(f, lang) for i, f in zip(self.items, found, strict=True)]
        )
        return self._result(lang, adult, outcome, items)

    def _outcome(self, states: tuple[State, ...]) -> _Outcome:
        named = {i.model.id: s for i, s in zip(self.items, states, strict=True)}
        status, low, high, open_items = status_of(self.model, named)
        reason = {Status.NOT_APPLICABLE: "entry_criterion_absent", Status.NOT_COMPUTED: "weights_not_verified"}
        outcome = _Outcome(status, low, high, open_items, reason.get(status))
        if len(self._outcomes) >= _OUTCOME_CACHE_SIZE:
            self._outcomes.clear()
        self._outcomes[states] = outcome
        return outcome

    def _result(self, lang: str, adult: bool, outcome: _Outcome, items: tuple[ItemResult, ...]) -> InstrumentResult:
        head, tail = self._fixed[lang, adult]  # positional: the field order of InstrumentResult (_fixed_fields)
        status = outcome.status
        label = self._labels[lang][status]
        return InstrumentResult(
            *head, status, outcome.reason, label, outcome.low, outcome.high, *tail, items, outcome.open_items
        )


def _item(item: Item, facts: FactBook, *, shown: bool) -> _Item:
    """``shown``: the instrument's weights are verified, so the item's points may appear in a result."""
    points = item.points if shown else None
    text = {lang: item.text.get(lang) for lang in LANGS}
    mapping = {lang: facts.facts[item.fact].mapping.get(lang) for lang in LANGS}
    unknown = {
        lang: ItemResult(
            id=item.id,
            text=text[lang],
            role=item.role,
            fact=item.fact,
            state=State.UNKNOWN,
            points=points,
            evidence=(),
            value=None,
            note=None,
            mapping=mapping[lang],
        )
        for lang in LANGS
    }
    return _Item(item, points, text, mapping, facts.facts[item.fact].notes, unknown)


def _fixed_fields(instrument: Instrument, lang: str, *, adult: bool) -> tuple[_Head, _Tail]:
    """The fields of an instrument result that do not depend on the patient (but on language and age group), in
    field order: those before the status and those between the score range and the items."""
    head = (
        instrument.id,
        instrument.title.get(lang),
        instrument.citation,
        instrument.doi,
        instrument.purpose,
        instrument.purpose_text.get(lang),
        instrument.population.get(lang),
        instrument.performance.get(lang) if instrument.performance else None,
        instrument.adult_caution.get(lang) if adult and instrument.adult_caution else None,
    )
    tail = (
        instrument.threshold,
        instrument.max_points,
        instrument.weights.verified,
        instrument.weights.where.get(lang),
        instrument.content.verified,
        instrument.content.where.get(lang),
        instrument.interpretation.get(lang),
    )
    return head, tail


def check_facts(kb: KnowledgeBase) -> None:
    """Every fact an instrument names has an evaluator (run on first use; a typo fails loudly, not silently)."""
    for instrument in kb.criteria.instruments:
        for item in instrument.items:
            if item.fact not in FACTS:
                msg = (
                    f"knowledge/criteria/{instrument.id}: item {item.id!r} names fact {item.fact!r}, "
                    "which has no evaluator"
                )
                raise KnowledgeBaseError(msg)


class CompiledCriteria:
    """Every instrument of a knowledge base, compiled (an item naming a fact without an evaluator fails here).

    Per age group, the facts its instruments ask for are listed once, each with its evaluator: a patient's facts are
    decided in one pass (a fact several items share once), and each instrument picks its items' facts by position.
    An instrument not for the age group asks for none.
    """

    __slots__ = ("_plans", "instruments")

    def __init__(self, kb: KnowledgeBase) -> None:
        check_facts(kb)
        book = kb.criteria
        self.instruments = tuple(CompiledInstrument(i, book.facts, book.path.statuses) for i in book.instruments)
        self._plans = {adult: self._plan(adult=adult) for adult in _GROUPS}

    def _plan(self, *, adult: bool) -> tuple[tuple[FactFn, ...], tuple[_Pick | None, ...]]:
        """The evaluators of the age group's facts (first-use order) and, per instrument, how to pick its facts
        from them (None: not for the age group)."""
        names: dict[str, int] = {}
        picks: list[_Pick | None] = []
        for instrument in self.instruments:
            if adult not in instrument.ages:
                picks.append(None)
                continue
            at = tuple(names.setdefault(i.model.fact, len(names)) for i in instrument.items)
            # itemgetter of one position gives the fact itself, not a one-fact tuple
            picks.append(itemgetter(*at) if len(at) > 1 else _one(at[0]))
        return tuple(FACTS[name] for name in names), tuple(picks)

    def evaluate(self, view: RecordView, lang: str, *, adult: bool) -> tuple[InstrumentResult, ...]:
        """Every instrument for the patient of ``view``, in knowledge-base order."""
        evaluators, picks = self._plans[adult]
        facts = tuple([fn(view) for fn in evaluators])
        return tuple(
            [
                i.not_applicable(lang, adult=adult) if pick is None else i.evaluate(pick(facts), lang, adult=adult)
                for i, pick in zip(self.instruments, picks, strict=True)
            ]
        )


_Pick = Callable[[tuple[Fact, ...]], tuple[Fact, ...]]


def _one(position: int) -> _Pick:
    return lambda facts: (facts[position],)


#: the compiled criteria of a knowledge base, built once per knowledge base (thread-safe)
compiled_criteria = per_knowledge_base(CompiledCriteria)
