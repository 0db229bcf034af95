"""The audit log is append-only and its hash chain reveals a changed, inserted or deleted row."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cnopad.domain.access import Actor
from cnopad.store import Store


def _events(store: Store, actor: Actor, count: int) -> None:
    with store.unit(actor) as uow:
        for n in range(count):
            uow.audit.append(actor, "read", patient_id=f"p{n}", purpose="care", detail=f"n={n}")
        uow.commit()


def _tamper(store: Store, *statements: str) -> None:
    """An attacker with database access: switch off the append-only triggers, then change rows."""
    with store.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        else:
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
        for statement in statements:
            conn.execute(text(statement))


def _verify(store: Store, actor: Actor) -> list[str]:
    with store.unit(actor) as uow:
        return uow.audit.verify().problems


def test_an_untouched_log_verifies(store: Store, admin: Actor) -> None:
    _events(store, admin, 5)
    assert _verify(store, admin) == []


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET detail = 'x' WHERE seq = 2", "DELETE FROM audit_events WHERE seq = 2"]
)
def test_the_database_refuses_to_change_or_delete_audit_rows(store: Store, admin: Actor, statement: str) -> None:
    _events(store, admin, 3)
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text(statement))


TAMPERING: list[tuple[str, tuple[str, ...], Callable[[list[str]], bool]]] = [
    (
        "changed row",
        ("UPDATE audit_events SET patient_id = 'someone-else' WHERE seq = 3",),
        lambda p: p == ["row 3: contents changed after it was written"],
    ),
    ("deleted row", ("DELETE FROM audit_events WHERE seq = 3",), lambda p: p[0].startswith("row 3 deleted")),
    (
        "deleted tail",
        ("DELETE FROM audit_events WHERE seq >= 4",),
        lambda p: p == ["rows 4-5 deleted at the end of the log"],
    ),
    (
        "inserted row",
        (
            "DELETE FROM audit_events WHERE seq = 3",
            "INSERT INTO audit_events (seq, at, user_name, user_role, channel, action, patient_id, purpose, detail, "
            "prev_hash, hash) SELECT 3, at, 'intruder', user_role, channel, action, patient_id, purpose, detail, "
            "prev_hash, hash FROM audit_events WHERE seq = 2",
        ),
        lambda p: "row 3: does not link to row 2 (a row was inserted or replaced before it)" in p,
    ),
]


@pytest.mark.parametrize(("case", "statements", "expected"), TAMPERING, ids=[t[0] for t in TAMPERING])
def test_verification_names_the_tampered_row(
    store: Store, admin: Actor, case: str, statements: tuple[str, ...], expected: Callable[[list[str]], bool]
) -> None:
    _events(store, admin, 5)
    _tamper(store, *statements)
    problems = _verify(store, admin)
    assert expected(problems), problems
