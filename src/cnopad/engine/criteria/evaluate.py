"""Deciding an instrument from its items' states: points as a range (only with verified points), entry/exclusion/
domains, three-valued logic.

Pure functions of (instrument, item states): no record, no I/O, so the scoring rules (boundaries, unknown items) are
tested directly. ``compiled.py`` calls them once per combination of states and builds the results.
"""

from __future__ import annotations

from collections.abc import Mapping

from cnopad.engine.criteria.result import State, Status
from cnopad.knowledge.criteria import Expr, Instrument, Item


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


def status_of(
    instrument: Instrument, states: dict[str, State]
) -> tuple[Status, int | None, int | None, tuple[str, ...]]:
    """Status, score range (points only) and the unknown items that could still change the status.

    A points score whose item points are not verified against the source (``weights.verified: false``) is not
    computed at all (NOT_COMPUTED, no range, no open items): a clinical number that cannot be verified is left
    out, not shown with a label. Its items are still decided and shown one by one (without their points).
    """
    unknown = tuple(i for i, s in states.items() if s is State.UNKNOWN)
    if instrument.method == "points":
        if not instrument.weights.verified:
            return Status.NOT_COMPUTED, None, None, ()
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
