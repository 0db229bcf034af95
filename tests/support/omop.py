"""A small OMOP CDM builder for tests: persons, coded records and their own concept table, as Arrow tables.

Codes are given as "VOCABULARY CODE" (e.g. "ICPC2 L04"); the builder gives every code a concept id in
the local range (above 2,000,000,000) and writes the concept and concept_ancestor rows, so screens
resolve codes the way they do in a real CDM. Writers put the tables in a Parquet or CSV folder, a DuckDB
file, or a PostgreSQL schema, optionally with upper-case column names.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

FILLER = "SNOMED 195662009"


class OmopBuilder:
    """Collects records and writes the CDM tables the screen reads (v5.4 unless told otherwise)."""

    def __init__(self) -> None:
        self._ids = itertools.count(2_100_000_001)
        self._row = itertools.count(1)
        self.concepts: dict[tuple[str, str], int] = {}
        self.standard: set[int] = set()
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.ancestry: set[tuple[int, int]] = set()

    def concept(self, code: str, *, standard: bool = False) -> int:
        """The concept id of "VOCAB CODE", created on first use."""
        vocabulary, value = code.split(" ", 1)
        key = (vocabulary, value)
        if key not in self.concepts:
            self.concepts[key] = next(self._ids)
        if standard:
            self.standard.add(self.concepts[key])
        return self.concepts[key]

    def person(self, person_id: int, born: date) -> OmopBuilder:
        """A person born on ``born``."""
        self.rows["person"].append(
            {"person_id": person_id, "year_of_birth": born.year, "month_of_birth": born.month, "day_of_birth": born.day}
        )
        return self

    def _ids_for(self, code: str, column: str) -> tuple[int, int]:
        cid = self.concept(code, standard=column == "standard")
        return (cid, 0) if column == "standard" else (0, cid)

    def condition(
        self, person_id: int, day: date, code: str, *, column: str = "source", text: str | None = None
    ) -> OmopBuilder:
        """A condition coded in the source (default) or standard concept column, with its text when given."""
        std, src = self._ids_for(code, column)
        row: dict[str, Any] = {
            "condition_occurrence_id": next(self._row),
            "person_id": person_id,
            "condition_concept_id": std,
            "condition_source_concept_id": src,
            "condition_start_date": day,
        }
        if text is not None:
            row["condition_source_value"] = text
        self.rows["condition_occurrence"].append(row)
        return self

    def observation(self, person_id: int, day: date, code: str, *, column: str = "source") -> OmopBuilder:
        """An observation coded in the source (default) or standard concept column."""
        std, src = self._ids_for(code, column)
        self.rows["observation"].append(
            {
                "observation_id": next(self._row),
                "person_id": person_id,
                "observation_concept_id": std,
                "observation_source_concept_id": src,
                "observation_date": day,
            }
        )
        return self

    def drug(
        self,
        person_id: int,
        start: date,
        code: str,
        days: int,
        *,
        ancestors: Iterable[str] = (),
        source: str | None = None,
    ) -> OmopBuilder:
        """A drug exposure of ``days`` days; ``ancestors`` are written to concept_ancestor above it."""
        cid = self.concept(code, standard=True)
        self.ancestry.add((cid, cid))
        for a in ancestors:
            self.ancestry.add((self.concept(a, standard=not a.startswith("ATC")), cid))
        self.rows["drug_exposure"].append(
            {
                "drug_exposure_id": next(self._row),
                "person_id": person_id,
                "drug_concept_id": cid,
                "drug_source_concept_id": self.concept(source) if source else 0,
                "drug_exposure_start_date": start,
                "drug_exposure_end_date": date.fromordinal(start.toordinal() + days - 1),
                "days_supply": days,
            }
        )
        return self

    def measurement(
        self,
        person_id: int,
        day: date,
        code: str,
        *,
        value: float | None = None,
        unit: str | None = None,
        result: str | None = None,
    ) -> OmopBuilder:
        """A measurement with a value and unit ("UCUM mg/L") or a coded result ("SNOMED 264868006")."""
        self.rows["measurement"].append(
            {
                "measurement_id": next(self._row),
                "person_id": person_id,
                "measurement_concept_id": self.concept(code, standard=True),
                "measurement_source_concept_id": 0,
                "measurement_date": day,
                "value_as_number": value,
                "value_as_concept_id": self.concept(result) if result else None,
                "unit_concept_id": self.concept(unit) if unit else 0,
            }
        )
        return self

    def procedure(self, person_id: int, day: date, code: str) -> OmopBuilder:
        """A procedure in the standard concept column."""
        self.rows["procedure_occurrence"].append(
            {
                "procedure_occurrence_id": next(self._row),
                "person_id": person_id,
                "procedure_concept_id": self.concept(code, standard=True),
                "procedure_source_concept_id": 0,
                "procedure_date": day,
            }
        )
        return self

    def note(self, person_id: int, day: date, text: str) -> OmopBuilder:
        """A clinical note."""
        self.rows["note"].append(
            {"note_id": next(self._row), "person_id": person_id, "note_date": day, "note_text": text}
        )
        return self

    def tables(self, *, cdm_version: str | None = "v5.4") -> dict[str, pa.Table]:
        """The CDM tables; a bystander with one unrelated condition keeps required tables non-empty."""
        if not self.rows["condition_occurrence"]:
            if not any(p["person_id"] == 999_999 for p in self.rows["person"]):
                self.person(999_999, date(1970, 1, 1))
            self.condition(999_999, date(2015, 1, 1), FILLER, column="standard")
        out = {name: pa.Table.from_pylist(rows, schema=_schema(name, rows)) for name, rows in self.rows.items() if rows}
        for name in ("drug_exposure", "procedure_occurrence", "measurement", "observation", "note"):
            out.setdefault(name, SCHEMAS[name].empty_table())
        pairs = sorted(self.concepts.items(), key=lambda kv: kv[1])
        out["concept"] = pa.table(
            {
                "concept_id": pa.array([cid for _, cid in pairs], pa.int64()),
                "vocabulary_id": [v for (v, _), _ in pairs],
                "concept_code": [c for (_, c), _ in pairs],
                "standard_concept": ["S" if cid in self.standard else None for _, cid in pairs],
            }
        )
        anc = sorted(self.ancestry)
        out["concept_ancestor"] = pa.table(
            {
                "ancestor_concept_id": pa.array([a for a, _ in anc], pa.int64()),
                "descendant_concept_id": pa.array([d for _, d in anc], pa.int64()),
            }
        )
        if cdm_version is not None:
            out["cdm_source"] = pa.table({"cdm_source_name": ["test"], "cdm_version": [cdm_version]})
        return out


#: free-text columns written only when a record has text (most tests' tables stay as before)
TEXT_COLUMNS = {"condition_occurrence": "condition_source_value"}


def _schema(name: str, rows: list[dict[str, Any]]) -> pa.Schema:
    schema = SCHEMAS[name]
    column = TEXT_COLUMNS.get(name)
    if column and any(column in r for r in rows):
        schema = schema.append(pa.field(column, pa.string()))
    return schema


SCHEMAS: dict[str, pa.Schema] = {
    "person": pa.schema(
        [
            ("person_id", pa.int64()),
            ("year_of_birth", pa.int32()),
            ("month_of_birth", pa.int32()),
            ("day_of_birth", pa.int32()),
        ]
    ),
    "condition_occurrence": pa.schema(
        [
            ("condition_occurrence_id", pa.int64()),
            ("person_id", pa.int64()),
            ("condition_concept_id", pa.int64()),
            ("condition_source_concept_id", pa.int64()),
            ("condition_start_date", pa.date32()),
        ]
    ),
    "observation": pa.schema(
        [
            ("observation_id", pa.int64()),
            ("person_id", pa.int64()),
            ("observation_concept_id", pa.int64()),
            ("observation_source_concept_id", pa.int64()),
            ("observation_date", pa.date32()),
        ]
    ),
    "drug_exposure": pa.schema(
        [
            ("drug_exposure_id", pa.int64()),
            ("person_id", pa.int64()),
            ("drug_concept_id", pa.int64()),
            ("drug_source_concept_id", pa.int64()),
            ("drug_exposure_start_date", pa.date32()),
            ("drug_exposure_end_date", pa.date32()),
            ("days_supply", pa.int32()),
        ]
    ),
    "measurement": pa.schema(
        [
            ("measurement_id", pa.int64()),
            ("person_id", pa.int64()),
            ("measurement_concept_id", pa.int64()),
            ("measurement_source_concept_id", pa.int64()),
            ("measurement_date", pa.date32()),
            ("value_as_number", pa.float64()),
            ("value_as_concept_id", pa.int64()),
            ("unit_concept_id", pa.int64()),
        ]
    ),
    "procedure_occurrence": pa.schema(
        [
            ("procedure_occurrence_id", pa.int64()),
            ("person_id", pa.int64()),
            ("procedure_concept_id", pa.int64()),
            ("procedure_source_concept_id", pa.int64()),
            ("procedure_date", pa.date32()),
        ]
    ),
    "note": pa.schema(
        [("note_id", pa.int64()), ("person_id", pa.int64()), ("note_date", pa.date32()), ("note_text", pa.string())]
    ),
}


def upper(tables: Mapping[str, pa.Table]) -> dict[str, pa.Table]:
    """The same tables with upper-case column names (as Eunomia has them)."""
    return {name: t.rename_columns([c.upper() for c in t.column_names]) for name, t in tables.items()}


def write_parquet(tables: Mapping[str, pa.Table], folder: Path) -> Path:
    """One Parquet file per table."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, t in tables.items():
        pq.write_table(t, folder / f"{name}.parquet")
    return folder


def write_csv(tables: Mapping[str, pa.Table], folder: Path) -> Path:
    """One CSV file per table (upper-case file names, to check that names are read in any case)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, t in tables.items():
        pacsv.write_csv(t, folder / f"{name.upper()}.csv")
    return folder


def write_duckdb(tables: Mapping[str, pa.Table], path: Path) -> Path:
    """A DuckDB database file with one table per CDM table."""
    con = duckdb.connect(str(path))
    try:
        for name, t in tables.items():
            con.register("incoming", t)
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM incoming')  # noqa: S608 - test data, fixed names
            con.unregister("incoming")
    finally:
        con.close()
    return path


def read_folder(folder: Path) -> dict[str, pa.Table]:
    """Every Parquet table of a folder."""
    return {p.stem: pq.read_table(p) for p in sorted(folder.glob("*.parquet"))}
