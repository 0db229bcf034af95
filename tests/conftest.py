"""Shared fixtures: the knowledge base, a fixed clock, and real databases (SQLite file, local PostgreSQL).

Tests that need PostgreSQL or Chromium skip with a loud reason where these cannot be had, and fail
under CI=true.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from cnopad.bootstrap import Container, open_store
from cnopad.domain.access import Actor, Channel, Role
from cnopad.knowledge import KnowledgeBase, knowledge
from cnopad.knowledge.valuesets import ValueSetIndex
from cnopad.settings import Settings
from cnopad.store import CheckpointLog, Store, make_engine, migrate, open_keyring

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
POSTGRES_URL = os.environ.get("CNOPAD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

_loud: list[str] = []


def loud_skip(reason: str) -> None:
    """Skip a test that needs something absent; under CI=true that is a failure instead."""
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    if reason not in _loud:
        _loud.append(reason)
    pytest.skip(reason)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for reason in _loud:
        terminalreporter.write_line(f"!!! SKIPPED TESTS: {reason}", red=True, bold=True)


def fixed_clock() -> datetime:
    return NOW


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run in a test keep their audit key and checkpoints in a folder of that test, not the user's."""
    monkeypatch.setenv("CNOPAD_DATA_DIR", str(tmp_path_factory.mktemp("data")))


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return knowledge()


@pytest.fixture(scope="session")
def valuesets(kb: KnowledgeBase) -> ValueSetIndex:
    return kb.valuesets


@pytest.fixture
def admin() -> Actor:
    """The command-line operator, the actor of every ``cnopad`` command (the ``admin`` user role reads no
    clinical data since role separation; the fixture kept its name)."""
    return Actor("test-operator", Role.OPERATOR, Channel.CLI)


def _postgres_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except Exception as exc:  # any failure means: not available here
        return f"PostgreSQL at {POSTGRES_URL} is unreachable ({type(exc).__name__}: {str(exc).strip()[:120]})"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database: a SQLite file, or a private schema on the local PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cnopad.db'}"
        migrate(make_engine(url))
        yield url
        return
    problem = _postgres_available()
    if problem:
        loud_skip(problem)
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> Iterator[Store]:
    """A store on each real database, with an audit key file and a checkpoint after every commit."""
    engine = make_engine(database_url)
    keyring = open_keyring(tmp_path / "audit.key", may_create=True)
    checkpoints = CheckpointLog(tmp_path / "audit-checkpoints.log", keyring, interval=0)
    yield Store(engine, fixed_clock, keyring=keyring, checkpoints=checkpoints)
    engine.dispose()


@pytest.fixture
def sqlite_container(tmp_path: Path, kb: KnowledgeBase) -> Container:
    """A container on a fresh SQLite file with a fixed clock."""
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'cnopad.db'}")
    engine = make_engine(settings.database)
    migrate(engine)
    return Container(
        settings=settings, store=open_store(settings, engine, fixed_clock), knowledge=kb, clock=fixed_clock
    )


@pytest.fixture
def make_container(database_url: str, tmp_path: Path, kb: KnowledgeBase) -> Iterator[Callable[..., Container]]:
    """Build containers on each real database (SQLite and PostgreSQL) with a fixed clock and these settings."""
    engines: list[Engine] = []

    def build(**overrides: Any) -> Container:
        overrides.setdefault("data_dir", tmp_path)
        settings = Settings(database_url=database_url, **overrides)
        engine = make_engine(database_url)
        engines.append(engine)
        return Container(
            settings=settings, store=open_store(settings, engine, fixed_clock), knowledge=kb, clock=fixed_clock
        )

    yield build
    for engine in engines:
        engine.dispose()


@pytest.fixture
def container(make_container: Callable[..., Container]) -> Container:
    """A container on each real database (SQLite and PostgreSQL) with a fixed clock."""
    return make_container()
