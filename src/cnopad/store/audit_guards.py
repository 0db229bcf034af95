"""The database guards of the audit log, and the check that they are all in place as installed.

Triggers refuse UPDATE, DELETE and (PostgreSQL) TRUNCATE of ``audit_events`` and let ``audit_head``
move only forward, one appended row at a time. Migrations 0001 and 0006 install them; ``verify``
reads them back from the catalog (``sqlite_master``, ``pg_trigger``) and names every one that is
missing, disabled or different from what cnopad installed. An owner or superuser can still drop
them - that is what this check, the keyed chain and the checkpoints outside the database are for.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

APPEND_ONLY = "the audit log is append-only"
FORWARD_ONLY = "the audit head only moves forward, one appended row at a time"

# PostgreSQL pg_trigger.tgtype bits (src/include/catalog/pg_trigger.h)
_ROW, _BEFORE, _INSERT, _DELETE, _UPDATE, _TRUNCATE = 1, 2, 4, 8, 16, 32


@dataclass(frozen=True)
class Guard:
    """One trigger: its name, its table, what it refuses, and its definition on each backend."""

    name: str
    table: str
    refuses: str
    sqlite: str | None  # the CREATE TRIGGER statement, as SQLite keeps it in sqlite_master
    pg_type: int | None = None  # tgtype bits
    pg_function: str | None = None
    pg_body: str | None = None  # the function's source between $$ and $$


def _sqlite_refusal(name: str, event: str, table: str, message: str, when: str = "") -> str:
    condition = f" WHEN {when}" if when else ""
    return f"CREATE TRIGGER {name} BEFORE {event} ON {table}{condition} BEGIN SELECT RAISE(ABORT, '{message}'); END"


#: the head may change only as cnopad's append changes it: the next number, the hash of that row
HEAD_MOVES_BACK_SQLITE = (
    "NEW.id IS NOT OLD.id OR NEW.seq IS NOT OLD.seq + 1 OR NEW.unkeyed_until IS NOT OLD.unkeyed_until "
    "OR NEW.chain_id IS NOT OLD.chain_id "
    "OR NOT EXISTS (SELECT 1 FROM audit_events WHERE seq = NEW.seq AND hash = NEW.hash)"
)
APPEND_ONLY_BODY = f" BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END; "
# built from constants only, never from input
FORWARD_ONLY_BODY = (
    " BEGIN"  # noqa: S608
    f" IF TG_OP <> 'UPDATE' THEN RAISE EXCEPTION '% refused: {FORWARD_ONLY}', TG_OP; END IF;"
    " IF NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1"
    " OR NEW.unkeyed_until IS DISTINCT FROM OLD.unkeyed_until OR NEW.chain_id IS DISTINCT FROM OLD.chain_id"
    " OR NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.seq = NEW.seq AND e.hash = NEW.hash)"
    f" THEN RAISE EXCEPTION '{FORWARD_ONLY}'; END IF;"
    " RETURN NEW; END; "
)

SQLITE_GUARDS = (
    Guard(
        "audit_events_no_update",
        "audit_events",
        "UPDATE of audit rows",
        _sqlite_refusal("audit_events_no_update", "UPDATE", "audit_events", APPEND_ONLY),
    ),
    Guard(
        "audit_events_no_delete",
        "audit_events",
        "DELETE of audit rows",
        _sqlite_refusal("audit_events_no_delete", "DELETE", "audit_events", APPEND_ONLY),
    ),
    Guard(
        "audit_head_no_insert",
        "audit_head",
        "a second audit head",
        _sqlite_refusal("audit_head_no_insert", "INSERT", "audit_head", FORWARD_ONLY),
    ),
    Guard(
        "audit_head_no_delete",
        "audit_head",
        "DELETE of the audit head",
        _sqlite_refusal("audit_head_no_delete", "DELETE", "audit_head", FORWARD_ONLY),
    ),
    Guard(
        "audit_head_forward_only",
        "audit_head",
        "moving the audit head back or out of step with the rows",
        _sqlite_refusal("audit_head_forward_only", "UPDATE", "audit_head", FORWARD_ONLY, HEAD_MOVES_BACK_SQLITE),
    ),
)

POSTGRES_GUARDS = (
    Guard(
        "audit_events_append_only",
        "audit_events",
        "UPDATE and DELETE of audit rows",
        None,
        _ROW | _BEFORE | _DELETE | _UPDATE,
        "audit_events_append_only",
        APPEND_ONLY_BODY,
    ),
    Guard(
        "audit_events_no_truncate",
        "audit_events",
        "TRUNCATE of the audit log",
        None,
        _BEFORE | _TRUNCATE,
        "audit_events_append_only",
        APPEND_ONLY_BODY,
    ),
    Guard(
        "audit_head_forward_only",
        "audit_head",
        "inserting, deleting or moving back the audit head",
        None,
        _ROW | _BEFORE | _INSERT | _DELETE | _UPDATE,
        "audit_head_forward_only",
        FORWARD_ONLY_BODY,
    ),
    Guard(
        "audit_head_no_truncate",
        "audit_head",
        "TRUNCATE of the audit head",
        None,
        _BEFORE | _TRUNCATE,
        "audit_head_forward_only",
        FORWARD_ONLY_BODY,
    ),
)


def _same(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").split()) == " ".join((b or "").split())


def check_guards(connection: Connection) -> list[str]:
    """One problem per guard that is missing, disabled or not as installed, on the backend in use."""
    if connection.dialect.name == "sqlite":
        query = (
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('audit_events', 'audit_head')"
        )
        found = {name: sql for name, sql in connection.execute(text(query))}
        problems = []
        for guard in SQLITE_GUARDS:
            label = f"trigger {guard.name} (refuses {guard.refuses})"
            if guard.name not in found:
                problems.append(f"guard missing: {label}")
            elif not _same(found[guard.name], guard.sqlite):
                problems.append(f"guard changed: {label} is not defined as cnopad installed it")
        return problems
    rows = connection.execute(
        text(
            "SELECT t.tgname, t.tgenabled, t.tgtype, p.proname, p.prosrc FROM pg_trigger t "
            "JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgrelid IN (to_regclass('audit_events'), to_regclass('audit_head')) AND NOT t.tgisinternal"
        )
    ).all()
    triggers = {row.tgname: row for row in rows}
    problems = []
    for guard in POSTGRES_GUARDS:
        label = f"trigger {guard.name} (refuses {guard.refuses})"
        row = triggers.get(guard.name)
        if row is None:
            problems.append(f"guard missing: {label}")
        elif str(row.tgenabled) in {"D", "R"}:
            # D: disabled; R: fires only when session_replication_role = replica
            problems.append(f"guard disabled: {label}")
        elif row.tgtype != guard.pg_type or row.proname != guard.pg_function or not _same(row.prosrc, guard.pg_body):
            problems.append(f"guard changed: {label} is not defined as cnopad installed it")
    return problems
