"""The NEN 7513 audit log: who (user, role) did what (action) to which patient, when (UTC), through
which channel and why (purpose). Rows are append-only (database triggers) and hash-chained, so
``verify`` finds a changed, inserted or deleted row and says which.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from cnopad.domain.access import Actor
from cnopad.store.tables import audit_events, audit_head

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One audit row as read back."""

    seq: int
    at: datetime
    user: str
    role: str
    channel: str
    action: str
    patient_id: str | None
    purpose: str
    detail: str
    prev_hash: str
    hash: str


@dataclass
class AuditReport:
    """The result of checking the chain: rows checked and every problem found."""

    rows: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def chain_hash(
    seq: int,
    at: datetime,
    user: str,
    role: str,
    channel: str,
    action: str,
    patient_id: str | None,
    purpose: str,
    detail: str,
    prev_hash: str,
) -> str:
    """The hash that links a row to the one before it."""
    parts = [
        str(seq),
        _utc(at).isoformat(),
        user,
        role,
        channel,
        action,
        patient_id or "",
        purpose,
        detail,
        prev_hash,
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


class AuditLog:
    """Appends to and verifies the audit chain, inside the caller's transaction."""

    def __init__(self, session: Session, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.session = session
        self.clock = clock

    def append(
        self, actor: Actor, action: str, *, patient_id: str | None, purpose: str, detail: str = ""
    ) -> AuditEvent:
        """Add one event; the head row is locked so concurrent writers queue (PostgreSQL)."""
        head = self.session.execute(
            select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1).with_for_update()
        ).one()
        seq, prev = head.seq + 1, head.hash
        at = self.clock().astimezone(UTC)
        digest = chain_hash(
            seq,
            at,
            actor.user,
            actor.role.value,
            actor.channel.value,
            action,
            patient_id,
            purpose,
            detail,
            prev,
        )
        self.session.execute(
            insert(audit_events).values(
                seq=seq,
                at=at,
                user_name=actor.user,
                user_role=actor.role.value,
                channel=actor.channel.value,
                action=action,
                patient_id=patient_id,
                purpose=purpose,
                detail=detail,
                prev_hash=prev,
                hash=digest,
            )
        )
        self.session.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=digest))
        return AuditEvent(
            seq,
            at,
            actor.user,
            actor.role.value,
            actor.channel.value,
            action,
            patient_id,
            purpose,
            detail,
            prev,
            digest,
        )

    def events(self, *, patient_id: str | None = None, limit: int = 100) -> list[AuditEvent]:
        """The newest events, optionally for one patient."""
        query = select(audit_events).order_by(audit_events.c.seq.desc()).limit(limit)
        if patient_id is not None:
            query = query.where(audit_events.c.patient_id == patient_id)
        return [self._event(row) for row in self.session.execute(query)]

    @staticmethod
    def _event(row: object) -> AuditEvent:
        r = row._mapping  # type: ignore[attr-defined]
        return AuditEvent(
            r["seq"],
            _utc(r["at"]),
            r["user_name"],
            r["user_role"],
            r["channel"],
            r["action"],
            r["patient_id"],
            r["purpose"],
            r["detail"],
            r["prev_hash"],
            r["hash"],
        )

    def verify(self) -> AuditReport:
        """Walk the chain from the start; report changed, inserted and deleted rows by number."""
        report = AuditReport()
        prev_hash, prev_seq = GENESIS, 0
        rows = self.session.execute(select(audit_events).order_by(audit_events.c.seq)).yield_per(1000)
        for row in rows:
            event = self._event(row)
            report.rows += 1
            if event.seq != prev_seq + 1:
                gap = f"{prev_seq + 1}" if event.seq == prev_seq + 2 else f"{prev_seq + 1}-{event.seq - 1}"
                report.problems.append(
                    f"row {gap} deleted (numbering jumps from {prev_seq} to {event.seq})"
                    if event.seq > prev_seq
                    else f"row {event.seq} out of order"
                )
            elif event.prev_hash != prev_hash:
                report.problems.append(
                    f"row {event.seq}: does not link to row {prev_seq} (a row was inserted or replaced before it)"
                )
            recomputed = chain_hash(
                event.seq,
                event.at,
                event.user,
                event.role,
                event.channel,
                event.action,
                event.patient_id,
                event.purpose,
                event.detail,
                event.prev_hash,
            )
            if recomputed != event.hash:
                report.problems.append(f"row {event.seq}: contents changed after it was written")
            prev_hash, prev_seq = event.hash, event.seq
        head = self.session.execute(
            select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
        ).one_or_none()
        if head is not None and (head.seq != prev_seq or head.hash != prev_hash):
            if head.seq > prev_seq:
                report.problems.append(f"rows {prev_seq + 1}-{head.seq} deleted at the end of the log")
            else:
                report.problems.append(
                    f"the log ends at row {prev_seq} but its head records row {head.seq}: rows added outside cnopad"
                )
        return report
