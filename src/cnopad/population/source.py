"""Open an OMOP CDM source and check it: tables, columns (any case), types, emptiness and CDM version.

Bad input is one InputError naming the table or column. A required table (person, concept,
condition_occurrence) must exist, have its columns and hold rows. Other tables may be absent or empty:
the features that need them are then reported as unresolved, never scored as absent. A table that has
none of the CDM columns (e.g. Eunomia's column00..column13 placeholders) is treated as absent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir

from cnopad.errors import InputError
from cnopad.population.backends import Opened, SourceSpec, open_backend
from cnopad.population.cdm import (
    STR,
    SUPPORTED,
    TABLES,
    TableSpec,
    version_from_columns,
    version_from_text,
)

#: tables read only for their columns, to tell the CDM version
_VERSION_MARKERS = ("visit_occurrence", "episode")


@dataclass
class Omop:
    """An opened, checked OMOP source: normalised Ibis tables (lower-case columns, fixed types)."""

    backend: str
    con: Any
    description: str
    cdm_version: str
    version_basis: str
    tables: dict[str, ir.Table]
    unusable: dict[str, str] = field(default_factory=dict)
    close: Callable[[], None] = lambda: None

    def has(self, table: str) -> bool:
        """True when the table can be read (present, with its columns, not empty)."""
        return table in self.tables

    def __enter__(self) -> Omop:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_omop(spec: SourceSpec) -> Omop:
    """Open and check a source; raises InputError with the table or column at fault."""
    return check_opened(open_backend(spec))


def check_opened(opened: Opened) -> Omop:
    """Check an opened backend's tables (closing it when they fail)."""
    try:
        return _check(opened)
    except BaseException:
        opened.close()
        raise


def _check(opened: Opened) -> Omop:
    raw = {
        name: _lower_columns(name, opened.tables[name]())
        for name in (*TABLES, *_VERSION_MARKERS)
        if name in opened.tables
    }
    unusable: dict[str, str] = {}
    for name, spec in TABLES.items():
        if name not in raw:
            if spec.required:
                raise InputError(name, "table is missing: the screen needs it")
            unusable[name] = "table absent"
    version, basis = _version(raw, {name: set(t.columns) for name, t in raw.items()})
    tables: dict[str, ir.Table] = {}
    for name, spec in TABLES.items():
        if name in raw and name != "cdm_source":
            usable, why = _usable(name, spec, raw[name])
            if usable is not None:
                tables[name] = usable
            else:
                unusable[name] = why
    return Omop(opened.backend, opened.con, opened.description, version, basis, tables, unusable, opened.close)


def _usable(name: str, spec: TableSpec, table: ir.Table) -> tuple[ir.Table | None, str]:
    """The typed table, or None and why it cannot be used; InputError when a required table fails."""
    if not any(c.name in table.columns for c in spec.columns):
        if spec.required:
            raise InputError(name, f"has none of the CDM columns ({', '.join(c.name for c in spec.columns)})")
        return None, "table has none of the CDM columns (a placeholder)"
    for c in spec.columns:
        if c.required and c.name not in table.columns:
            msg = f"{name}.{c.name}"
            raise InputError(msg, "column is missing")
    if _is_empty(table, name):
        if spec.must_have_rows:
            raise InputError(name, "table is empty: nothing to screen")
        return None, "table is empty"
    return _typed(name, spec, table), ""


def _lower_columns(name: str, table: ir.Table) -> ir.Table:
    lowered: dict[str, str] = {}
    for col in table.columns:
        key = col.lower()
        if key in lowered:
            msg = f"{name}.{key}"
            raise InputError(msg, f"column given twice ({lowered[key]} and {col})")
        lowered[key] = col
    if all(k == v for k, v in lowered.items()):
        return table
    return table.select(**{k: table[v] for k, v in lowered.items()})


def _version(raw: dict[str, ir.Table], columns: dict[str, set[str]]) -> tuple[str, str]:
    text = None
    source = raw.get("cdm_source")
    if source is not None and "cdm_version" in source.columns:
        try:
            values = source.select(v=source.cdm_version.cast(STR)).limit(5).to_pyarrow().column("v").to_pylist()
        except Exception as exc:  # a broken cdm_source is bad input
            msg = "cdm_source.cdm_version"
            raise InputError(msg, f"cannot read: {str(exc).splitlines()[0][:200]}") from exc
        text = next((v for v in values if v), None)
    if text:
        version = version_from_text(text)
        if version is None:
            msg = "cdm_source.cdm_version"
            raise InputError(msg, f"{text!r} is not a CDM version")
        if version not in SUPPORTED:
            msg = "cdm_source.cdm_version"
            raise InputError(msg, f"is {text!r}; cnopad reads OMOP CDM v5.3 and v5.4")
        return version, f"cdm_source.cdm_version = {text!r}"
    told = version_from_columns(columns)
    if told is not None and told not in SUPPORTED:
        msg = "person.death_datetime"
        raise InputError(msg, f"looks like OMOP CDM v{told}; cnopad reads v5.3 and v5.4")
    if told is None:
        return "5.3/5.4", "not told by cdm_source or columns; the columns read are the same in v5.3 and v5.4"
    return told, "version-specific columns"


def _is_empty(table: ir.Table, name: str) -> bool:
    try:
        return int(table.limit(1).count().to_pyarrow().as_py()) == 0
    except Exception as exc:  # unreadable file or relation
        raise InputError(name, f"cannot read the table: {str(exc).strip().splitlines()[0][:300]}") from exc


def _typed(name: str, spec: TableSpec, table: ir.Table) -> ir.Table:
    """Only the spec's columns, cast to their types; string values that do not convert are refused."""
    out: dict[str, ir.Value] = {}
    for c in spec.columns:
        if c.name not in table.columns:
            out[c.name] = ibis.null().cast(c.kind)
            continue
        col = table[c.name]
        target = ibis.dtype(c.kind)
        if col.type().copy(nullable=True) == target:
            out[c.name] = col
        elif col.type().is_string():
            _check_convertible(name, c.name, c.kind, table)
            out[c.name] = col.try_cast(target)
        else:
            out[c.name] = col.cast(target)
    return table.select(**out)


def _check_convertible(table_name: str, column: str, kind: str, table: ir.Table) -> None:
    col = table[column]
    bad = table.filter(col.notnull() & (col.strip() != "") & col.try_cast(kind).isnull()).select(v=col).limit(1)
    rows = bad.to_pyarrow().column("v").to_pylist()
    if rows:
        msg = f"{table_name}.{column}"
        raise InputError(msg, f"value {rows[0]!r} is not a valid {kind}")
