"""The unit of work: one transaction around a use case; it rolls back unless told to commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cnopad.domain.access import Actor
from cnopad.store.audit import AuditLog
from cnopad.store.audit_checkpoints import CheckpointLog
from cnopad.store.audit_keys import AuditKeyring
from cnopad.store.cds import CdsRepository
from cnopad.store.emergency_access import EmergencyAccessRepository
from cnopad.store.records import RecordRepository
from cnopad.store.users import UserRepository


class UnitOfWork:
    """Opens a session; repositories share it; ``commit`` makes the work (and its audit events) durable.

    Leaving the block without ``commit`` (an exception, a bad request) rolls everything back, so
    nothing is half-written.
    """

    records: RecordRepository
    users: UserRepository
    audit: AuditLog
    cds: CdsRepository
    emergency: EmergencyAccessRepository

    def __init__(
        self,
        factory: Callable[[], Session],
        actor: Actor,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        keyring: AuditKeyring,
        checkpoints: CheckpointLog | None = None,
    ) -> None:
        self._factory = factory
        self.actor = actor
        self.clock = clock
        self._keyring = keyring
        self._checkpoints = checkpoints

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        self.audit = AuditLog(self.session, self.clock, keyring=self._keyring, checkpoints=self._checkpoints)
        self.records = RecordRepository(self.session, self.audit, self.actor, self.clock)
        self.users = UserRepository(self.session, self.clock)
        self.cds = CdsRepository(self.session, self.clock)
        self.emergency = EmergencyAccessRepository(self.session)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        """Make everything done in this unit durable, then checkpoint the audit head outside the database."""
        self.session.commit()
        self.audit.committed()

    def rollback(self) -> None:
        """Undo everything not yet committed (a refused write); the unit can go on, e.g. to audit the refusal."""
        self.session.rollback()


class Store:
    """The store for one database: hands out units of work for an actor.

    ``keyring`` signs the audit chain and ``checkpoints`` records its head outside the database; the
    composition root passes the configured ones. Without a keyring the store signs with a random key
    held only in memory (tests and benchmarks that build a store by hand).
    """

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        keyring: AuditKeyring | None = None,
        checkpoints: CheckpointLog | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.keyring = keyring or AuditKeyring.ephemeral()
        self.checkpoints = checkpoints
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def unit(self, actor: Actor) -> UnitOfWork:
        """A new unit of work acting as ``actor``."""
        return UnitOfWork(self._sessions, actor, self.clock, keyring=self.keyring, checkpoints=self.checkpoints)
