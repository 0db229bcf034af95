"""Database engines (SQLite embedded default, PostgreSQL for multi-user) and Alembic migrations."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from cnopad.errors import ConfigError


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL, a busy timeout and BEGIN IMMEDIATE."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        msg = f"CNOPAD_DATABASE_URL is not a database URL: {exc}"
        raise ConfigError(msg) from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30}, **options)
        _sqlite_pragmas(engine)
        return engine
    return create_engine(parsed, pool_pre_ping=True, **options)


def _sqlite_pragmas(engine: Engine) -> None:
    # pysqlite's own transaction handling is switched off so that every transaction starts with
    # BEGIN IMMEDIATE: each request writes an audit row, and an immediate lock avoids upgrade deadlocks.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # WAL with synchronous=NORMAL: a commit survives a crash of cnopad, and the database never
        # corrupts; only an OS crash or power loss can lose the last commits. The SQLite default
        # (FULL) fsyncs every commit, which made each request wait on the disk. Multi-user
        # installations use PostgreSQL, which keeps its own durable commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config(engine: Engine) -> Config:
    """Alembic configuration pointing at the migrations shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("cnopad.store").joinpath("alembic")))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    command.upgrade(alembic_config(engine), "head")
