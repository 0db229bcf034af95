"""A database from before the keyed chain (revision 0004, rows with unkeyed SHA-256 hashes) upgrades:
its rows keep their hashes up to a recorded boundary, the first keyed row links to them, verify checks both."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, insert, text

from cnopad.domain.access import Actor
from cnopad.store import CheckpointLog, Store, make_engine, migrate, open_keyring
from cnopad.store.database import alembic_config
from cnopad.store.tables import audit_events
from support.audit import append_events, drop_guards, rechain
from support.postgres import POSTGRES_URL, loud_skip

GENESIS = "0" * 64
START = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def engine_at_0004(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database migrated to revision 0004 only: SQLite file or a private PostgreSQL schema."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        command.upgrade(alembic_config(engine), "0004")
        yield engine
        engine.dispose()
        return
    import psycopg

    try:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3) as conn:
            schema = f"t_{uuid.uuid4().hex[:12]}"
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.OperationalError as exc:
        loud_skip(f"PostgreSQL at {POSTGRES_URL} is unreachable ({exc})")
    engine = make_engine(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
    command.upgrade(alembic_config(engine), "0004")
    try:
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _old_hash(*parts: str) -> str:
    """The chain hash of revisions 0001-0004, written out here so the test does not trust cnopad's copy."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _write_old_rows(engine: Engine, count: int) -> None:
    """Rows as cnopad wrote them before this change (no key id, unkeyed SHA-256), and the head."""
    prev = GENESIS
    with engine.begin() as conn:
        for seq in range(1, count + 1):
            at = START + timedelta(minutes=seq)
            fields = ("dr-jansen", "gp", "web", "read", f"p{seq}", "care", f"n={seq}")
            digest = _old_hash(str(seq), at.isoformat(), *fields[:5], *fields[5:], prev)
            columns = ("user_name", "user_role", "channel", "action", "patient_id", "purpose", "detail")
            values = dict(zip(columns, fields, strict=True))
            # the columns of revision 0004 only (no key_id)
            conn.execute(insert(audit_events).values(seq=seq, at=at, prev_hash=prev, hash=digest, **values))
            prev = digest
        conn.execute(text("UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1"), {"s": count, "h": prev})


def _store(engine: Engine, folder: Path) -> Store:
    keyring = open_keyring(folder / "audit.key", may_create=True)
    return Store(engine, keyring=keyring, checkpoints=CheckpointLog(folder / "c.log", keyring, interval=0))


def _problems(store: Store, admin: Actor) -> list[str]:
    with store.unit(admin) as uow:
        return uow.audit.verify().problems


def test_an_old_log_upgrades_and_verifies_with_old_and_keyed_rows(
    engine_at_0004: Engine, tmp_path: Path, admin: Actor
) -> None:
    _write_old_rows(engine_at_0004, 4)
    migrate(engine_at_0004)
    store = _store(engine_at_0004, tmp_path)
    append_events(store, admin, 2)
    with store.unit(admin) as uow:
        report = uow.audit.verify()
        events = list(reversed(uow.audit.events()))
    assert (report.problems, report.rows, report.last_checkpoint) == ([], 6, 6)
    assert [e.key_id for e in events] == [None, None, None, None, "k1", "k1"]
    assert events[4].prev_hash == events[3].hash  # the first keyed row links to the last old one
    with engine_at_0004.connect() as conn:
        assert conn.execute(text("SELECT unkeyed_until FROM audit_head")).scalar_one() == 4


def test_a_changed_old_row_is_still_found_after_the_upgrade(
    engine_at_0004: Engine, tmp_path: Path, admin: Actor
) -> None:
    _write_old_rows(engine_at_0004, 4)
    migrate(engine_at_0004)
    store = _store(engine_at_0004, tmp_path)
    append_events(store, admin, 1)
    with engine_at_0004.begin() as conn:
        drop_guards(conn)
        conn.execute(text("UPDATE audit_events SET user_name = 'someone' WHERE seq = 2"))
    assert "row 2: contents changed after it was written" in _problems(store, admin)


def test_a_keyed_row_passed_off_as_an_old_unkeyed_one_is_found(
    engine_at_0004: Engine, tmp_path: Path, admin: Actor
) -> None:
    _write_old_rows(engine_at_0004, 4)
    migrate(engine_at_0004)
    store = _store(engine_at_0004, tmp_path)
    append_events(store, admin, 2)
    with engine_at_0004.begin() as conn:
        drop_guards(conn)
        conn.execute(text("UPDATE audit_events SET detail = 'edited' WHERE seq = 5"))
        rechain(conn, 5, None)
    problems = _problems(store, admin)
    assert (
        "row 5: carries no key id, although every row after row 4 is keyed (written or re-hashed without the audit "
        "key) (and 1 more such rows)"
    ) in problems


def test_a_downgrade_that_would_strand_keyed_rows_is_refused(
    engine_at_0004: Engine, tmp_path: Path, admin: Actor
) -> None:
    migrate(engine_at_0004)
    command.downgrade(alembic_config(engine_at_0004), "0004")  # nothing keyed yet: allowed
    migrate(engine_at_0004)
    store = _store(engine_at_0004, tmp_path)
    append_events(store, admin, 1)
    assert _problems(store, admin) == []  # the guards survived the way down and up again
    with pytest.raises(RuntimeError, match="holds keyed rows"):
        command.downgrade(alembic_config(engine_at_0004), "0004")
