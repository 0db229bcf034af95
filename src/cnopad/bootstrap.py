"""The composition root: builds the real store, knowledge base and clock, and wires them together."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Engine

from cnopad.domain.access import Actor, Channel, Role
from cnopad.knowledge import KnowledgeBase, knowledge
from cnopad.settings import Settings, load_settings
from cnopad.store import CheckpointLog, Store, UnitOfWork, audit_is_keyed, make_engine, migrate, open_keyring


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


@dataclass
class Container:
    """Everything a surface (CLI, API, web) needs, built once per process."""

    settings: Settings
    store: Store
    knowledge: KnowledgeBase
    clock: Callable[[], datetime] = field(default=utc_now)

    def today(self) -> date:
        """Today's date (UTC)."""
        return self.clock().date()

    def unit(self, actor: Actor) -> UnitOfWork:
        """A unit of work acting as ``actor``."""
        return self.store.unit(actor)

    def operator(self) -> Actor:
        """The command-line operator: the configured or OS user, in the operator role.

        Whoever runs ``cnopad`` on the server holds the database itself, so the command line is the
        installation's administrative channel: it imports, exports and loads demo data for every record
        (each audited with role ``operator``, channel ``cli``). It is not the ``admin`` user role, which
        reads no clinical data (docs/security.md).
        """
        return Actor(self.settings.user or _os_user(), Role.OPERATOR, Channel.CLI)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


def build(
    settings: Settings | None = None, *, clock: Callable[[], datetime] = utc_now, migrate_schema: bool = True
) -> Container:
    """Build the container: validate the knowledge base, connect and migrate the database."""
    settings = settings or load_settings()
    kb = knowledge()
    engine = make_engine(settings.database)
    if migrate_schema:
        migrate(engine)
    return Container(settings=settings, store=open_store(settings, engine, clock), knowledge=kb, clock=clock)


def open_store(settings: Settings, engine: Engine, clock: Callable[[], datetime] = utc_now) -> Store:
    """The store with the configured audit key file and checkpoint file (refused with a ConfigError if unusable).

    A missing key file is created, unless the audit log already holds keyed rows: a new key could
    not verify them, so the operator must restore the file.
    """
    keyring = open_keyring(settings.audit_key_path, may_create=not audit_is_keyed(engine))
    checkpoints = CheckpointLog(
        settings.audit_checkpoint_path,
        keyring,
        interval=settings.audit_checkpoint_interval,
        syslog=settings.audit_syslog,
    )
    return Store(engine, clock, keyring=keyring, checkpoints=checkpoints)
