"""The audit log is append-only and its keyed hash chain reveals a changed, inserted or deleted row."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cnopad.domain.access import Actor, Channel, Role
from cnopad.store import AuditReport, Store
from support.audit import append_events


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


def _report(store: Store, actor: Actor) -> AuditReport:
    with store.unit(actor) as uow:
        return uow.audit.verify()


def test_an_untouched_log_verifies_with_its_guards_and_checkpoints(store: Store, admin: Actor) -> None:
    append_events(store, admin, 5, commits=5)
    report = _report(store, admin)
    assert report.problems == []
    assert (report.rows, report.last_checkpoint) == (5, 5)


def test_an_empty_log_verifies(store: Store, admin: Actor) -> None:
    report = _report(store, admin)
    assert (report.problems, report.rows, report.last_checkpoint) == ([], 0, None)


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET detail = 'x' WHERE seq = 2", "DELETE FROM audit_events WHERE seq = 2"]
)
def test_the_database_refuses_to_change_or_delete_audit_rows(store: Store, admin: Actor, statement: str) -> None:
    append_events(store, admin, 3)
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
        lambda p: (
            p[0] == "rows 4-5 deleted at the end of the log" and "records row 5, but the log ends at row 3" in p[1]
        ),
    ),
    (
        "inserted row",
        (
            "DELETE FROM audit_events WHERE seq = 3",
            "INSERT INTO audit_events (seq, at, user_name, user_role, channel, action, patient_id, purpose, detail, "
            "prev_hash, hash, key_id) SELECT 3, at, 'intruder', user_role, channel, action, patient_id, purpose, "
            "detail, prev_hash, hash, key_id FROM audit_events WHERE seq = 2",
        ),
        lambda p: "row 3: does not link to row 2 (a row was inserted or replaced before it)" in p,
    ),
]


@pytest.mark.parametrize(("case", "statements", "expected"), TAMPERING, ids=[t[0] for t in TAMPERING])
def test_verification_names_the_tampered_row_and_the_switched_off_guard(
    store: Store, admin: Actor, case: str, statements: tuple[str, ...], expected: Callable[[list[str]], bool]
) -> None:
    append_events(store, admin, 5)
    _tamper(store, *statements)
    problems = _report(store, admin).problems
    guards = [p for p in problems if p.startswith("guard ")]
    assert guards and all("audit_events" in p for p in guards), problems
    assert expected([p for p in problems if not p.startswith("guard ")]), problems


UNSTORABLE = ["\ud800", "dr. \udfff jansen", "nul\x00byte", "ж" * 300]


@pytest.mark.parametrize("odd", UNSTORABLE, ids=["lone-high-surrogate", "lone-low-surrogate", "nul", "too-long"])
def test_any_text_in_user_patient_or_detail_is_recorded_and_verifies(store: Store, admin: Actor, odd: str) -> None:
    caller = Actor(f"https://ehr.example.nl {odd}", Role.CDS_CLIENT, Channel.CDS)
    with store.unit(caller) as uow:
        event = uow.audit.append(
            caller, "cds-patient-view", patient_id=odd, purpose="decision support", detail=f"userId={odd}"
        )
        uow.commit()
    with store.unit(admin) as uow:
        (stored,) = uow.audit.events()
    assert _report(store, admin).problems == []
    assert stored == event
    assert len(stored.user) <= 200 and stored.patient_id is not None and len(stored.patient_id) <= 64
    if "\ud800" in odd:
        assert stored.detail == "userId=\\ud800"  # escaped, so an auditor sees what was sent
