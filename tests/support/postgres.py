"""The local PostgreSQL for population tests: a private schema per test, skipped loudly when unreachable.

Same rule as tests/conftest.py (which cannot be imported under --import-mode=importlib): without a
server the test is skipped with a loud reason, and under CI=true it fails instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import pyarrow as pa
import pytest

POSTGRES_URL = os.environ.get("CNOPAD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def loud_skip(reason: str) -> None:
    """Skip a test that needs something absent; under CI=true that is a failure instead."""
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(f"!!! {reason}")


def _problem() -> str | None:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except Exception as exc:  # any failure means: not available here
        return f"PostgreSQL at {POSTGRES_URL} is unreachable ({type(exc).__name__}: {str(exc).strip()[:120]})"


@contextmanager
def omop_schema(tables: Mapping[str, pa.Table]) -> Iterator[str]:
    """Load tables into a fresh schema; yield the screen's URL for it (…?schema=name); drop it afterwards."""
    problem = _problem()
    if problem:
        loud_skip(problem)
    import psycopg

    schema = f"omop_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            for name, table in tables.items():
                _load(conn, schema, name, table)
            yield f"{POSTGRES_URL}?schema={schema}"
        finally:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


_TYPES = {pa.int64(): "bigint", pa.int32(): "integer", pa.float64(): "double precision", pa.date32(): "date"}


def _load(conn: object, schema: str, name: str, table: pa.Table) -> None:
    columns = ", ".join(f'"{f.name}" {_TYPES.get(f.type, "text")}' for f in table.schema)
    conn.execute(f'CREATE TABLE "{schema}"."{name}" ({columns})')  # type: ignore[attr-defined]
    names = ", ".join(f'"{f.name}"' for f in table.schema)
    with conn.cursor() as cur, cur.copy(f'COPY "{schema}"."{name}" ({names}) FROM STDIN') as copy:  # type: ignore[attr-defined]
        for row in table.to_pylist():
            copy.write_row([row[f.name] for f in table.schema])
