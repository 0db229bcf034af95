"""Attacks on the audit log by someone with database access, and how the guards, the key and the
checkpoints outside the database give each one away."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cnopad.domain.access import Actor
from cnopad.store import AuditKeyring, AuditReport, Store
from cnopad.store.audit_chain import GENESIS
from support.audit import append_events, drop_guards, rechain


def _report(store: Store, actor: Actor) -> AuditReport:
    with store.unit(actor) as uow:
        return uow.audit.verify()


def _run(store: Store, *statements: str) -> None:
    with store.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def _emptying(store: Store) -> str:
    return "DELETE FROM audit_events" if store.engine.dialect.name == "sqlite" else "TRUNCATE audit_events"


def test_the_database_refuses_to_empty_the_log(store: Store, admin: Actor) -> None:
    append_events(store, admin, 3)
    with pytest.raises(DBAPIError, match="append-only"):
        _run(store, _emptying(store))
    assert _report(store, admin).rows == 3


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_head SET seq = 0, hash = (SELECT prev_hash FROM audit_events WHERE seq = 1) WHERE id = 1",
        "UPDATE audit_head SET seq = seq - 1 WHERE id = 1",
        "UPDATE audit_head SET seq = seq + 5 WHERE id = 1",
        "UPDATE audit_head SET unkeyed_until = 999 WHERE id = 1",
        "DELETE FROM audit_head",
        "INSERT INTO audit_head (id, seq, hash, unkeyed_until, chain_id) VALUES (2, 0, 'x', 0, 'x')",
    ],
    ids=["reset", "back-one", "jump", "boundary", "delete", "insert"],
)
def test_the_database_lets_the_head_move_only_forward_with_the_rows(store: Store, admin: Actor, statement: str) -> None:
    append_events(store, admin, 3)
    with pytest.raises(DBAPIError, match="only moves forward"):
        _run(store, statement)


def test_postgres_refuses_to_truncate_the_head(store: Store, admin: Actor) -> None:
    if store.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has no TRUNCATE; DELETE is refused by the head's trigger (test above)")
    with pytest.raises(DBAPIError, match="only moves forward"):
        _run(store, "TRUNCATE audit_head")


def test_emptying_the_log_and_resetting_the_head_without_the_guards_is_reported(store: Store, admin: Actor) -> None:
    """PostgreSQL: a superuser drops the triggers, truncates and resets the head ('intact: 0 rows' before)."""
    append_events(store, admin, 5, commits=5)
    with store.engine.begin() as conn:
        drop_guards(conn)
        conn.execute(text(_emptying(store)))
        conn.execute(text("UPDATE audit_head SET seq = 0, hash = :g WHERE id = 1"), {"g": GENESIS})
    report = _report(store, admin)
    assert report.rows == 0
    assert any(p.startswith("guard missing: trigger audit_events_") for p in report.problems), report.problems
    assert any("records row 5, but the log ends at row 0: rows 1-5 were removed" in p for p in report.problems)


def test_deleting_the_tail_and_moving_the_head_back_without_the_guards_is_reported(store: Store, admin: Actor) -> None:
    append_events(store, admin, 6, commits=6)
    with store.engine.begin() as conn:
        drop_guards(conn)
        conn.execute(text("DELETE FROM audit_events WHERE seq > 4"))
        conn.execute(
            text("UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_events WHERE seq = 4) WHERE id = 1")
        )
    problems = _report(store, admin).problems
    assert len([p for p in problems if p.startswith("guard missing")]) >= 3, problems
    assert any("records row 6, but the log ends at row 4: rows 5-6 were removed" in p for p in problems), problems


def test_disabled_or_replaced_guards_are_reported_by_name(store: Store, admin: Actor) -> None:
    if store.engine.dialect.name == "sqlite":
        _run(
            store,
            "DROP TRIGGER audit_head_no_delete",
            "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head BEGIN SELECT 1; END",
        )
        expected = ["guard changed: trigger audit_head_no_delete (refuses DELETE of the audit head) is not defined"]
    else:
        _run(
            store,
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_truncate",
            "CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger AS $$ BEGIN RETURN NEW; END; $$ "
            "LANGUAGE plpgsql",
        )
        expected = [
            "guard disabled: trigger audit_events_no_truncate (refuses TRUNCATE of the audit log)",
            "guard changed: trigger audit_head_forward_only",
            "guard changed: trigger audit_head_no_truncate",
        ]
    problems = _report(store, admin).problems
    assert len(problems) == len(expected), problems
    assert all(p.startswith(e) for p, e in zip(problems, expected, strict=True)), problems


@pytest.mark.parametrize("as_unkeyed", [False, True], ids=["guessed-key", "plain-sha256"])
def test_rehashing_an_edited_row_without_the_key_is_reported(store: Store, admin: Actor, as_unkeyed: bool) -> None:
    append_events(store, admin, 5, commits=5)
    guess = AuditKeyring({store.keyring.current: b"not the key".ljust(32, b"!")}, store.keyring.current)
    with store.engine.begin() as conn:
        drop_guards(conn)
        conn.execute(text("UPDATE audit_events SET patient_id = 'someone-else' WHERE seq = 3"))
        rechain(conn, 3, None if as_unkeyed else guess)
    problems = _report(store, admin).problems
    if as_unkeyed:
        assert any(p.startswith("row 3: carries no key id, although every row after row 0 is keyed") for p in problems)
    else:
        assert "row 3: contents changed after it was written" in problems
    assert any(p.startswith("row 3: its hash differs from the checkpoint") for p in problems), problems


def test_rehashing_with_a_stolen_key_still_disagrees_with_the_checkpoints(store: Store, admin: Actor) -> None:
    append_events(store, admin, 5, commits=5)
    with store.engine.begin() as conn:
        drop_guards(conn)
        conn.execute(text("UPDATE audit_events SET patient_id = 'someone-else' WHERE seq = 3"))
        rechain(conn, 3, store.keyring)
    problems = [p for p in _report(store, admin).problems if not p.startswith("guard ")]
    assert len(problems) == 1, problems
    assert problems[0].startswith("row 3: its hash differs from the checkpoint written")
    assert problems[0].endswith("the log was re-chained (and 2 more differing checkpoints)")


def test_a_changed_or_forged_checkpoint_line_is_reported(store: Store, admin: Actor) -> None:
    append_events(store, admin, 3, commits=3)
    assert store.checkpoints is not None
    path = store.checkpoints.path
    lines = path.read_text().splitlines()
    lines[1] = lines[1].replace('"seq":2', '"seq":9')
    path.write_text("\n".join([*lines, "not json", ""]))
    problems = _report(store, admin).problems
    assert any(
        p.endswith("line 2: its signature does not verify (the line was changed or written without the audit key)")
        for p in problems
    ), problems
    assert any(p.endswith("line 4: not a checkpoint line") for p in problems), problems


def test_a_log_replaced_by_another_database_is_reported(store: Store, admin: Actor) -> None:
    append_events(store, admin, 2)
    assert store.checkpoints is not None
    path = store.checkpoints.path
    path.write_text(store.checkpoints.line("0" * 32, 7, "f" * 64))
    problems = _report(store, admin).problems
    assert len(problems) == 1 and "holds no checkpoint of this log" in problems[0], problems
    assert "another log (id " + "0" * 32 + ", up to row 7)" in problems[0]


def test_a_missing_checkpoint_file_is_reported_once_the_log_has_keyed_rows(store: Store, admin: Actor) -> None:
    append_events(store, admin, 2)
    assert store.checkpoints is not None
    store.checkpoints.path.unlink()
    problems = _report(store, admin).problems
    assert problems == [
        f"no checkpoint confirms this log's head (there is no checkpoint file at {store.checkpoints.path})"
    ]
