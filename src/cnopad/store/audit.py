"""The NEN 7513 audit log: who (user, role) did what (action) to which patient, when (UTC), through
which channel and why (purpose).

Rows are append-only (database triggers) and chained by HMAC-SHA256 under a key kept outside the
database (``audit_keys``); after each commit the head is checkpointed outside the database
(``audit_checkpoints``). ``verify`` (``audit_verify``) finds a changed, inserted or deleted row, a
cut-off tail, a missing guard and a log that disagrees with its checkpoints, and says which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, String, bindparam, insert, select, update
from sqlalchemy.orm import Session

from cnopad.domain.access import Actor
from cnopad.store.audit_chain import GENESIS, keyed_message, storable
from cnopad.store.audit_checkpoints import CheckpointLog
from cnopad.store.audit_keys import AuditKeyring
from cnopad.store.audit_verify import AuditReport, verify_log
from cnopad.store.tables import audit_events, audit_head

__all__ = ["GENESIS", "AuditEvent", "AuditLog", "AuditReport", "audit_is_keyed"]


def _limit(column: str) -> int | None:
    kind = audit_events.c[column].type
    return kind.length if isinstance(kind, String) else None


#: the most characters each text column takes (PostgreSQL refuses longer values; SQLite would keep them)
# the three statements of every append, built once: building them per call (columns coerced, values bound) cost
# more than running them on SQLite, and every audited request appends
_HEAD_FOR_UPDATE = (
    select(audit_head.c.seq, audit_head.c.hash, audit_head.c.chain_id).where(audit_head.c.id == 1).with_for_update()
)
_INSERT_EVENT = insert(audit_events)
_MOVE_HEAD = (
    update(audit_head)
    .where(audit_head.c.id == 1)
    .values(
        seq=bindparam("new_seq", type_=audit_head.c.seq.type),
        hash=bindparam("new_hash", type_=audit_head.c.hash.type),
    )
)
_LIMITS = {name: _limit(name) for name in ("user_name", "user_role", "channel", "action", "patient_id", "purpose")}


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
    key_id: str | None = None


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class AuditLog:
    """Appends to and verifies the audit chain, inside the caller's transaction."""

    def __init__(
        self,
        session: Session,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        keyring: AuditKeyring,
        checkpoints: CheckpointLog | None = None,
    ) -> None:
        self.session = session
        self.clock = clock
        self.keyring = keyring
        self.checkpoints = checkpoints
        #: (log id, row number, hash) of the newest row appended in this transaction, for the checkpoint
        self.appended: tuple[str, int, str] | None = None

    def append(
        self, actor: Actor, action: str, *, patient_id: str | None, purpose: str, detail: str = ""
    ) -> AuditEvent:
        """Add one event; the head row is locked so concurrent writers queue (PostgreSQL).

        Any text is accepted: what a column cannot store (NUL, a lone surrogate) is escaped and an
        over-long value is cut, so recording an event never fails on its content.
        """
        head = self.session.execute(_HEAD_FOR_UPDATE).one()
        seq, prev = head.seq + 1, head.hash
        at = self.clock().astimezone(UTC)
        key_id = self.keyring.current
        user = storable(actor.user, _LIMITS["user_name"])
        role = storable(actor.role.value, _LIMITS["user_role"])
        channel = storable(actor.channel.value, _LIMITS["channel"])
        action = storable(action, _LIMITS["action"])
        patient = None if patient_id is None else storable(patient_id, _LIMITS["patient_id"])
        purpose = storable(purpose, _LIMITS["purpose"])
        detail = storable(detail)
        message = keyed_message(key_id, seq, at, user, role, channel, action, patient, purpose, detail, prev)
        digest = self.keyring.sign(key_id, message)
        self.session.execute(
            _INSERT_EVENT,
            {
                "seq": seq,
                "at": at,
                "user_name": user,
                "user_role": role,
                "channel": channel,
                "action": action,
                "patient_id": patient,
                "purpose": purpose,
                "detail": detail,
                "prev_hash": prev,
                "hash": digest,
                "key_id": key_id,
            },
        )
        self.session.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": digest})
        self.appended = (head.chain_id, seq, digest)
        return AuditEvent(seq, at, user, role, channel, action, patient, purpose, detail, prev, digest, key_id)

    def committed(self) -> None:
        """The transaction committed: checkpoint the head it wrote (if any) outside the database."""
        if self.appended is not None and self.checkpoints is not None:
            self.checkpoints.note(*self.appended)
        self.appended = None

    def events(self, *, patient_id: str | None = None, limit: int = 100) -> list[AuditEvent]:
        """The newest events, optionally for one patient."""
        query = select(audit_events).order_by(audit_events.c.seq.desc()).limit(limit)
        if patient_id is not None:
            query = query.where(audit_events.c.patient_id == patient_id)
        return [event_from(row) for row in self.session.execute(query)]

    def verify(self) -> AuditReport:
        """Check the guards, the whole chain and the checkpoints; report every problem by row number."""
        return verify_log(self.session, self.keyring, self.checkpoints)


def event_from(row: object) -> AuditEvent:
    """An AuditEvent from an ``audit_events`` row."""
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
        r["key_id"],
    )


def audit_is_keyed(engine: Engine) -> bool:
    """True when the audit log holds rows signed with an audit key (its key file must then exist)."""
    with engine.connect() as connection:
        head = connection.execute(
            select(audit_head.c.seq, audit_head.c.unkeyed_until).where(audit_head.c.id == 1)
        ).one_or_none()
    return head is not None and head.seq > head.unkeyed_until
