"""What an attacker with database access does to the audit log, as small helpers for the audit tests."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import Connection, select, text

from cnopad.domain.access import Actor
from cnopad.store import AuditKeyring, Store
from cnopad.store.audit_chain import keyed_message, unkeyed_hash
from cnopad.store.audit_guards import POSTGRES_GUARDS, SQLITE_GUARDS
from cnopad.store.tables import audit_events


def append_events(store: Store, actor: Actor, count: int, *, commits: int = 1) -> None:
    """Append ``count`` events, spread over ``commits`` transactions (each commit writes a checkpoint)."""
    per_commit = max(1, count // commits)
    written = 0
    while written < count:
        with store.unit(actor) as uow:
            for _ in range(min(per_commit, count - written)):
                uow.audit.append(actor, "read", patient_id=f"p{written}", purpose="care", detail=f"n={written}")
                written += 1
            uow.commit()


def drop_guards(conn: Connection) -> None:
    """Drop every audit trigger, as the database owner or a superuser can."""
    if conn.dialect.name == "sqlite":
        for guard in SQLITE_GUARDS:
            conn.execute(text(f"DROP TRIGGER {guard.name}"))
    else:
        for guard in POSTGRES_GUARDS:
            conn.execute(text(f"DROP TRIGGER {guard.name} ON {guard.table}"))


def rechain(conn: Connection, start: int, keyring: AuditKeyring | None) -> None:
    """Recompute the hashes of rows ``start``.. and move the head to match (guards already dropped).

    With a keyring: the attacker holds an audit key. Without: the row is made to look unkeyed (plain SHA-256).
    """
    prev = conn.execute(select(audit_events.c.hash).where(audit_events.c.seq == start - 1)).scalar_one()
    query = select(audit_events).where(audit_events.c.seq >= start).order_by(audit_events.c.seq)
    rows = conn.execute(query).mappings().all()
    digest = prev
    for r in rows:
        fields = (
            r["seq"],
            r["at"] if r["at"].tzinfo else r["at"].replace(tzinfo=UTC),
            r["user_name"],
            r["user_role"],
            r["channel"],
            r["action"],
            r["patient_id"],
            r["purpose"],
            r["detail"],
            prev,
        )
        if keyring is None:
            key_id, digest = None, unkeyed_hash(*fields)
        else:
            key_id = keyring.current
            digest = keyring.sign(key_id, keyed_message(key_id, *fields))
        conn.execute(
            text("UPDATE audit_events SET prev_hash = :p, hash = :h, key_id = :k WHERE seq = :s"),
            {"p": prev, "h": digest, "k": key_id, "s": r["seq"]},
        )
        prev = digest
    conn.execute(text("UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1"), {"s": rows[-1]["seq"], "h": digest})
