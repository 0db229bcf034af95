"""Invariants of the criteria over generated records (Hypothesis, the engine's own record generator): a points
instrument with unverified weights never gets a score or item points; with its weights marked verified (a test copy,
the points mechanism) a score range is ordered and within the instrument's scale and met/not met never depends on
an unknown item; the weights never change how an item is decided; nl and en agree; adults get the notice and no
paediatric instrument worked out; a child's path cites no adult statement; deterministic."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from cnopad.engine.criteria import State, Status, evaluate_criteria, points_range, points_status
from cnopad.knowledge.statements import Scope
from support.criteria import with_verified_weights
from unit.engine.test_properties import AS_OF, KB, records

#: Jansson's weights marked verified, so that the range invariants of the points mechanism are exercised
VERIFIED_KB = with_verified_weights(KB, "jansson-2009")
_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(records())
def test_criteria_invariants_hold_for_any_record(generated: tuple[Any, Any]) -> None:
    record, _ = generated
    nl = evaluate_criteria(record, AS_OF, lang="nl", kb=KB)
    en = evaluate_criteria(record, AS_OF, lang="en", kb=KB)
    assert [(i.id, i.status, i.score_min, i.score_max, [x.state for x in i.items]) for i in nl.instruments] == [
        (i.id, i.status, i.score_min, i.score_max, [x.state for x in i.items]) for i in en.instruments
    ]
    assert [(s.id, s.state, s.done_on) for s in nl.path] == [(s.id, s.state, s.done_on) for s in en.path]
    assert evaluate_criteria(record, AS_OF, lang="nl", kb=KB) == nl
    for result in nl.instruments:
        if not result.weights_verified:  # no unverified number in any output
            assert result.score_min is None and result.score_max is None
            assert all(i.points is None for i in result.items)
    verified = evaluate_criteria(record, AS_OF, lang="nl", kb=VERIFIED_KB)
    assert [[(x.id, x.state, x.evidence) for x in i.items] for i in verified.instruments] == [
        [(x.id, x.state, x.evidence) for x in i.items] for i in nl.instruments
    ]
    for result in verified.instruments:
        instrument = VERIFIED_KB.criteria.get(result.id)
        if result.score_min is not None:
            assert result.score_max is not None and result.max_points is not None
            assert 0 <= result.score_min <= result.score_max <= result.max_points
            if result.status in (Status.MET, Status.NOT_MET):
                # whatever the unknown items turn out to be, the status stays
                states = {i.id: i.state for i in result.items}
                for guess in (State.PRESENT, State.ABSENT):
                    filled = {k: guess if v is State.UNKNOWN else v for k, v in states.items()}
                    low, high = points_range(instrument.items, filled)
                    assert points_status(low, high, result.threshold or 0) is result.status
        if nl.age_group not in instrument.ages:
            assert result.status is Status.NOT_APPLICABLE and result.items == ()
    if nl.age_group == "adult":
        assert nl.notice and nl.notice_statements == ("NHG-DX-DELAY-1",)
    scope = Scope.ADULT if nl.age_group == "adult" else Scope.CHILD
    for step in nl.path:
        assert {KB.statements.by_id[s].scope for s in step.statements} <= {scope, Scope.ANY}
