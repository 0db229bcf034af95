"""Where the OMOP tables are and which engine reads them: DuckDB (default), PySpark or PostgreSQL.

A SOURCE is a folder of Parquet or CSV files (one file or sub-folder per table, any name case), a
DuckDB database file, or a PostgreSQL URL (``postgresql://user@host:5432/db?schema=cdm``; ``schema``
is optional and stripped before connecting). Each backend yields Ibis tables; nothing else in the
screen knows which engine runs it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import ibis

from cnopad.errors import InputError

BACKENDS = ("duckdb", "spark", "postgres")
_PG_SCHEMES = ("postgres", "postgresql", "postgresql+psycopg")


@dataclass(frozen=True)
class SourceSpec:
    """What to open: a location, the backend (None: inferred), and engine settings."""

    location: str
    backend: str | None = None
    spark_master: str = "local[2]"
    duckdb_memory_limit: str = "2GB"
    duckdb_threads: int | None = None


@dataclass
class Opened:
    """An open backend connection and its raw tables by lower-case name (loaded lazily)."""

    backend: str
    con: Any
    kind: str
    description: str
    tables: dict[str, Callable[[], Any]] = field(default_factory=dict)
    close: Callable[[], None] = lambda: None


def is_postgres_url(location: str) -> bool:
    """True for a PostgreSQL URL."""
    return urlsplit(location).scheme in _PG_SCHEMES


def public_location(location: str) -> str:
    """The location without a password, safe for messages and reports."""
    if not is_postgres_url(location):
        return location
    parts = urlsplit(location)
    host = parts.hostname or ""
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, f"{user}{host}{port}", parts.path, parts.query, ""))


def resolve_backend(spec: SourceSpec) -> str:
    """The backend to use for a source, or InputError when the pair cannot work."""
    backend = spec.backend or ("postgres" if is_postgres_url(spec.location) else "duckdb")
    if backend not in BACKENDS:
        msg = "--backend"
        raise InputError(msg, f"unknown backend {backend!r}; use one of {', '.join(BACKENDS)}")
    pg = is_postgres_url(spec.location)
    if backend == "postgres" and not pg:
        msg = "--omop"
        raise InputError(msg, "the postgres backend needs a PostgreSQL URL (postgresql://user@host:5432/db)")
    if pg and backend != "postgres":
        msg = "--backend"
        raise InputError(msg, f"a PostgreSQL URL is read by the postgres backend, not {backend}")
    if backend == "spark" and Path(spec.location).suffix.lower() in {".duckdb", ".db"}:
        msg = "--backend"
        raise InputError(msg, "a DuckDB file is read by the duckdb backend, not spark")
    return backend


def open_backend(spec: SourceSpec) -> Opened:
    """Connect to the source with its backend and list its tables (nothing is read yet)."""
    backend = resolve_backend(spec)
    if backend == "postgres":
        return _open_postgres(spec.location)
    path = Path(spec.location)
    if not path.exists():
        raise InputError(spec.location, "no such file or folder")
    if path.is_file():
        return _open_duckdb_file(path, spec)
    if backend == "spark":
        return _open_folder_spark(path, spec)
    return _open_folder_duckdb(path, spec)


def open_arrow(tables: Mapping[str, Any], description: str = "in-memory tables") -> Opened:
    """Tables given as Arrow, read by an in-memory DuckDB (tests and library use without files)."""
    con, close = _duckdb(SourceSpec(":memory:"))
    names = {name.lower(): f"omop_{name.lower()}" for name in tables}
    for name, table in tables.items():
        # a DuckDB view over the Arrow table (Ibis 12's create_table fails on DuckDB 2.0 here)
        con.con.register(names[name.lower()], table)
    readers = {name: _lazy(con.table, view) for name, view in names.items()}
    return Opened("duckdb", con, "arrow", description, readers, close)


def _duckdb(spec: SourceSpec, database: str = ":memory:", *, read_only: bool = False) -> tuple[Any, Callable[[], None]]:
    """A DuckDB connection and how to close it.

    DuckDB spills what exceeds its memory limit to ``.tmp`` in the current folder (or next to a database file)
    under fixed file names, so two screens started from one folder would overwrite each other's spill files and
    a read-only folder could not spill at all. Each connection therefore spills to a folder of its own in the
    system's temporary folder (``TMPDIR``; several GB at 10 million persons), removed when it closes.
    """
    spill = Path(tempfile.mkdtemp(prefix="cnopad-duckdb-"))
    config: dict[str, Any] = {"memory_limit": spec.duckdb_memory_limit, "temp_directory": str(spill)}
    if spec.duckdb_threads:
        config["threads"] = spec.duckdb_threads
    try:
        con = ibis.duckdb.connect(database, read_only=read_only, **config)
        # no DuckDB progress bar: the CLI draws its own, and library use stays quiet
        con.raw_sql("SET enable_progress_bar = false")
    except BaseException:
        shutil.rmtree(spill, ignore_errors=True)
        raise

    def close() -> None:
        try:
            con.disconnect()
        finally:
            shutil.rmtree(spill, ignore_errors=True)

    return con, close


def _open_duckdb_file(path: Path, spec: SourceSpec) -> Opened:
    try:
        con, close = _duckdb(spec, str(path), read_only=True)
    except Exception as exc:  # any failure to open is bad input, reported in one line
        raise InputError(str(path), f"cannot open as a DuckDB database: {_first_line(exc)}") from exc
    try:
        names = con.list_tables()
    except Exception as exc:  # any failure to open is bad input, reported in one line
        close()
        raise InputError(str(path), f"cannot open as a DuckDB database: {_first_line(exc)}") from exc
    tables = {n.lower(): _lazy(con.table, n) for n in names}
    return Opened("duckdb", con, "duckdb-file", f"DuckDB file {path.name}", tables, close)


def _table_files(folder: Path) -> dict[str, tuple[str, Path]]:
    """Lower-case table name -> (format, path) for `<table>.parquet`, `<table>.csv` or a `<table>/` folder."""
    found: dict[str, tuple[str, Path]] = {}
    for item in sorted(folder.iterdir()):
        name = item.name.lower()
        if item.is_file() and name.endswith((".parquet", ".csv", ".csv.gz")):
            fmt = "parquet" if name.endswith(".parquet") else "csv"
            stem = name.split(".", 1)[0]
        elif item.is_dir() and any(item.glob("*.parquet")):
            fmt, stem = "parquet", name
        else:
            continue
        if stem in found:
            raise InputError(str(item), f"table {stem} is given twice ({found[stem][1].name} and {item.name})")
        found[stem] = (fmt, item)
    return found


def _open_folder_duckdb(folder: Path, spec: SourceSpec) -> Opened:
    con, close = _duckdb(spec)
    tables: dict[str, Callable[[], Any]] = {}
    for name, (fmt, path) in _table_files(folder).items():
        target = str(path / "*.parquet") if path.is_dir() else str(path)
        reader = con.read_parquet if fmt == "parquet" else con.read_csv
        tables[name] = _reader(reader, target, name, path)
    return Opened("duckdb", con, "folder", f"folder {folder.name} (DuckDB)", tables, close)


def _open_folder_spark(folder: Path, spec: SourceSpec) -> Opened:
    session = spark_session(spec.spark_master)
    con = ibis.pyspark.connect(session)
    tables: dict[str, Callable[[], Any]] = {}
    for name, (fmt, path) in _table_files(folder).items():
        if fmt == "parquet":
            tables[name] = _reader(con.read_parquet, str(path), name, path)
        else:
            tables[name] = _reader(con.read_csv, str(path), name, path, header=True, inferSchema=True)
    return Opened("spark", con, "folder", f"folder {folder.name} (Spark {spec.spark_master})", tables, session.stop)


def spark_session(master: str) -> Any:
    """A Spark session for the screen: local[2] by default, UI off, bound to 127.0.0.1, few shuffle partitions."""
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master)
        .appName("cnopad-population")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        # the score refers to the cached events and statistics a few dozen times, and Spark writes the cached
        # plan out in full at each reference when it describes a query: unbounded, that text filled the
        # driver's default 1 GB at 1 million persons
        .config("spark.sql.maxPlanStringLength", "1000000")
    )
    if master.startswith("local"):
        builder = builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _open_postgres(location: str) -> Opened:
    parts = urlsplit(location)
    query = dict(parse_qsl(parts.query))
    schema = query.pop("schema", None)
    url = urlunsplit((parts.scheme.split("+")[0], parts.netloc, parts.path, urlencode(query), ""))
    shown = public_location(location)
    try:
        con = ibis.connect(url)
        names = con.list_tables(database=schema) if schema else con.list_tables()
    except Exception as exc:  # unreachable server, wrong database, unknown schema
        raise InputError(shown, f"cannot read the database: {_first_line(exc)}") from exc
    if schema:
        tables = {n.lower(): _lazy(con.table, n, database=schema) for n in names}
    else:
        tables = {n.lower(): _lazy(con.table, n) for n in names}
    return Opened("postgres", con, "postgres", f"PostgreSQL {shown}", tables, con.disconnect)


def _lazy(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[[], Any]:
    return lambda: fn(*args, **kwargs)


def _reader(fn: Callable[..., Any], target: str, name: str, path: Path, **kwargs: Any) -> Callable[[], Any]:
    def read() -> Any:
        try:
            return fn(target, table_name=f"omop_{name}", **kwargs)
        except Exception as exc:  # unreadable or corrupt file
            raise InputError(str(path), f"cannot read table {name}: {_first_line(exc)}") from exc

    return read


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
