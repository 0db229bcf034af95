"""Evaluating an instrument over the record facts: points as a range, entry/exclusion/domains, three-valued logic.

Pure functions of (instrument, facts): no record, no I/O, so the scoring rules (boundaries, unknown items) are
tested directly.
"""

from __future__ import annotations

from collections.abc import Mapping

from cnopad.engine.criteria.result import Fact, InstrumentResult, ItemResult, State, Status
from cnopad.knowledge.criteria import Expr, FactBook, Instrument, Item, StatusName
from cnopad.knowledge.valuesets import Text


def points_range(items: tuple[Item, ...], states: Mapping[str, State]) -> tuple[int, int]:
    """The lowest and highest score still possible: present items count, unknown items may or may not."""
    low = sum(i.points or 0 for i in items if states[i.id] is State.PRESENT)
    high = low + sum(i.points or 0 for i in items if states[i.id] is State.UNKNOWN)
    return low, high


def points_status(low: int, high: int, threshold: int) -> Status:
    """Met when even the lowest possible score reaches the threshold; not met when even the highest does not."""
    if low >= threshold:
        return Status.MET
    if high < threshold:
        return Status.NOT_MET
    return Status.UNDETERMINED


def logic_value(expr: Expr | str, states: Mapping[str, State]) -> State:
    """Kleene three-valued logic: an unknown part leaves the result unknown unless the others decide it."""
    if isinstance(expr, str):
        return states[expr]
    values = [logic_value(part, states) for part in expr.of]
    if expr.op == "all":
        if State.ABSENT in values:
            return State.ABSENT
        return State.PRESENT if all(x is State.PRESENT for x in values) else State.UNKNOWN
    anyone = (
        State.PRESENT
        if State.PRESENT in values
        else (State.ABSENT if all(x is State.ABSENT for x in values) else State.UNKNOWN)
    )
    if expr.op == "any":
        return anyone
    return {State.PRESENT: State.ABSENT, State.ABSENT: State.PRESENT, State.UNKNOWN: State.UNKNOWN}[anyone]


def _open_for_logic(expr: Expr, states: dict[str, State]) -> tuple[str, ...]:
    """Unknown items whose answer (present or absent) would change the logic's value."""
    now = logic_value(expr, states)
    if now is not State.UNKNOWN:
        # Kleene logic is monotone: a value decided while some items are unknown stays decided whatever they turn
        # out to be, so no unknown item can change it (and the per-item re-evaluation below is skipped)
        return ()
    out: list[str] = []
    for item_id, state in states.items():
        if state is not State.UNKNOWN:
            continue
        for guess in (State.PRESENT, State.ABSENT):
            if logic_value(expr, {**states, item_id: guess}) is not now:
                out.append(item_id)
                break
    return tuple(out)


def _status_of(
    instrument: Instrument, states: dict[str, State]
) -> tuple[Status, int | None, int | None, tuple[str, ...]]:
    unknown = tuple(i for i, s in states.items() if s is State.UNKNOWN)
    if instrument.method == "points":
        assert instrument.threshold is not None  # noqa: S101 - validated on load
        low, high = points_range(instrument.items, states)
        status = points_status(low, high, instrument.threshold)
        return status, low, high, (unknown if status is Status.UNDETERMINED else ())
    if instrument.method == "logic":
        assert instrument.logic is not None  # noqa: S101 - validated on load
        value = logic_value(instrument.logic, states)
        status = {State.PRESENT: Status.MET, State.ABSENT: Status.NOT_MET, State.UNKNOWN: Status.UNDETERMINED}[value]
        return status, None, None, _open_for_logic(instrument.logic, states)
    roles = {i.id: i.role for i in instrument.items}
    entry = [states[i] for i in states if roles[i] == "entry"]
    if State.ABSENT in entry:
        return Status.NOT_APPLICABLE, None, None, ()
    if any(states[i] is State.PRESENT for i in states if roles[i] == "exclusion"):
        return Status.EXCLUDED, None, None, ()
    return Status.NOT_COMPUTED, None, None, tuple(i for i in unknown if roles[i] in ("entry", "exclusion"))


def evaluate_instrument(
    instrument: Instrument,
    facts: Mapping[str, Fact],
    texts: FactBook,
    lang: str,
    *,
    adult: bool,
    statuses: Mapping[StatusName, Text] | None = None,
) -> InstrumentResult:
    """One instrument for one patient: items with their state, the status and (for points) the score range."""
    states = {i.id: facts[i.fact].state for i in instrument.items}
    items = tuple(
        ItemResult(
            id=i.id,
            text=i.text.get(lang),
            role=i.role,
            fact=i.fact,
            state=states[i.id],
            points=i.points,
            evidence=tuple(dict.fromkeys(facts[i.fact].evidence)),
            value=facts[i.fact].value,
            note=_note(texts, i.fact, facts[i.fact].note, lang),
            mapping=texts.facts[i.fact].mapping.get(lang),
        )
        for i in instrument.items
    )
    group = "adult" if adult else "child"
    open_items: tuple[str, ...]
    if group not in instrument.ages:
        # a paediatric instrument is never worked out for an adult (not even item by item): only its name and why
        status, low, high, open_items = Status.NOT_APPLICABLE, None, None, ()
        reason: str | None = "not_for_age_group"
        items = ()
    else:
        status, low, high, open_items = _status_of(instrument, states)
        reason = "entry_criterion_absent" if status is Status.NOT_APPLICABLE else None
        if status is Status.NOT_COMPUTED:
            reason = "weights_not_verified"
    return InstrumentResult(
        id=instrument.id,
        title=instrument.title.get(lang),
        citation=instrument.citation,
        doi=instrument.doi,
        purpose=instrument.purpose,
        purpose_text=instrument.purpose_text.get(lang),
        population=instrument.population.get(lang),
        performance=instrument.performance.get(lang) if instrument.performance else None,
        caution=instrument.adult_caution.get(lang) if adult and instrument.adult_caution else None,
        status=status,
        status_reason=reason,
        status_label=statuses[status.value].get(lang) if statuses else status.value,
        score_min=low,
        score_max=high,
        threshold=instrument.threshold,
        max_points=instrument.max_points,
        weights_verified=instrument.weights.verified,
        weights_where=instrument.weights.where.get(lang),
        content_verified=instrument.content.verified,
        content_where=instrument.content.where.get(lang),
        interpretation=instrument.interpretation.get(lang),
        items=items,
        open_items=open_items,
    )


def _note(texts: FactBook, fact: str, key: str | None, lang: str) -> str | None:
    if key is None:
        return None
    found = texts.facts[fact].notes.get(key)
    return found.get(lang) if found else None
