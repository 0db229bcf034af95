"""The composition root: builds the real store, knowledge base and clock, and wires them together."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from cnopad.domain.access import Actor, Channel, Role
from cnopad.knowledge import KnowledgeBase, knowledge
from cnopad.settings import Settings, load_settings
from cnopad.store import Store, UnitOfWork, make_engine, migrate


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
    return Container(settings=settings, store=Store(engine, clock), knowledge=kb, clock=clock)
