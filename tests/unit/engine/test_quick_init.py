"""``quick_init`` makes a frozen dataclass faster to build without changing what is built.

The engine's output types (cards, suggestions, tasks, criteria results) use it; these tests hold it to "the same
value as the frozen ``__init__`` gives": type, fields, defaults, equality, hash, immutability, copies and pickling.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import dataclass, field

import pytest

from cnopad.engine import Card, Indicator, Source, Suggestion
from cnopad.engine.criteria import Fact, State
from cnopad.engine.quick_init import quick_init


@dataclass(frozen=True, slots=True)
class _Plain:
    name: str
    tags: tuple[str, ...] = ()
    extra: list[str] = field(default_factory=list)


@quick_init
@dataclass(frozen=True, slots=True)
class _Quick:
    name: str
    tags: tuple[str, ...] = ()
    extra: list[str] = field(default_factory=list)


def _card(**changes: object) -> Card:
    fields: dict[str, object] = {
        "uuid": "u-1",
        "rule_id": "rule",
        "summary": "Samenvatting",
        "indicator": Indicator.WARNING,
        "detail": "detail",
        "source": Source("NHG"),
        "statements": ("NHG-1",),
        "suggestions": (Suggestion("s-1", "Verwijzen"),),
    }
    return Card(**{**fields, **changes})  # type: ignore[arg-type]  # the fields above have Card's types


def test_a_quick_init_value_has_the_fields_and_defaults_the_frozen_init_gives() -> None:
    built = _Quick("a", extra=["x"])

    assert type(built) is _Quick
    assert dataclasses.astuple(built) == dataclasses.astuple(_Plain("a", extra=["x"]))
    assert _Quick("b").extra == [] and _Quick("b").extra is not _Quick("b").extra
    assert repr(_Quick("a", ("t",))) == "_Quick(name='a', tags=('t',), extra=[])"


def test_a_quick_init_value_stays_frozen() -> None:
    card = _card()

    with pytest.raises(dataclasses.FrozenInstanceError):
        card.summary = "anders"  # type: ignore[misc]  # the point of the test


def test_a_quick_init_value_compares_hashes_copies_and_pickles_like_a_frozen_one() -> None:
    card = _card()

    assert card == _card() and hash(card) == hash(_card())
    assert card != _card(uuid="u-2")
    assert copy.deepcopy(card) == card and pickle.loads(pickle.dumps(card)) == card  # noqa: S301 - our own bytes
    assert dataclasses.replace(card, summary="Anders") == _card(summary="Anders")
    assert Fact(State.PRESENT, ("e-1",)) == Fact(state=State.PRESENT, evidence=("e-1",))


def test_quick_init_refuses_a_class_it_cannot_speed_up_without_changing_it() -> None:
    @dataclass(frozen=True)
    class NotSlotted:
        name: str

    @dataclass(slots=True)
    class NotFrozen:
        name: str

    for cls in (NotSlotted, NotFrozen):
        with pytest.raises(TypeError, match="frozen, slotted"):
            quick_init(cls)
