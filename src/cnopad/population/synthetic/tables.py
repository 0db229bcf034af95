"""The OMOP CDM v5.4 tables the synthetic population writes (the DDL's required columns and those the screen reads).

Events are collected per chunk as column arrays, then the chunk's rows get their ids and become one
Parquet row group per table.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]

I64, I32, DATE, F64, STR = pa.int64(), pa.int32(), pa.date32(), pa.float64(), pa.string()

SCHEMAS: dict[str, pa.Schema] = {
    "person": pa.schema(
        [
            ("person_id", I64),
            ("gender_concept_id", I64),
            ("year_of_birth", I32),
            ("month_of_birth", I32),
            ("day_of_birth", I32),
            ("race_concept_id", I64),
            ("ethnicity_concept_id", I64),
        ]
    ),
    "observation_period": pa.schema(
        [
            ("observation_period_id", I64),
            ("person_id", I64),
            ("observation_period_start_date", DATE),
            ("observation_period_end_date", DATE),
            ("period_type_concept_id", I64),
        ]
    ),
    "visit_occurrence": pa.schema(
        [
            ("visit_occurrence_id", I64),
            ("person_id", I64),
            ("visit_concept_id", I64),
            ("visit_start_date", DATE),
            ("visit_end_date", DATE),
            ("visit_type_concept_id", I64),
            ("admitted_from_concept_id", I64),
            ("discharged_to_concept_id", I64),
        ]
    ),
    "condition_occurrence": pa.schema(
        [
            ("condition_occurrence_id", I64),
            ("person_id", I64),
            ("condition_concept_id", I64),
            ("condition_start_date", DATE),
            ("condition_type_concept_id", I64),
            ("visit_occurrence_id", I64),
            ("condition_source_concept_id", I64),
            ("condition_source_value", STR),
        ]
    ),
    "drug_exposure": pa.schema(
        [
            ("drug_exposure_id", I64),
            ("person_id", I64),
            ("drug_concept_id", I64),
            ("drug_exposure_start_date", DATE),
            ("drug_exposure_end_date", DATE),
            ("drug_type_concept_id", I64),
            ("days_supply", I32),
            ("drug_source_concept_id", I64),
        ]
    ),
    "procedure_occurrence": pa.schema(
        [
            ("procedure_occurrence_id", I64),
            ("person_id", I64),
            ("procedure_concept_id", I64),
            ("procedure_date", DATE),
            ("procedure_end_date", DATE),
            ("procedure_type_concept_id", I64),
            ("procedure_source_concept_id", I64),
        ]
    ),
    "measurement": pa.schema(
        [
            ("measurement_id", I64),
            ("person_id", I64),
            ("measurement_concept_id", I64),
            ("measurement_date", DATE),
            ("measurement_type_concept_id", I64),
            ("value_as_number", F64),
            ("value_as_concept_id", I64),
            ("unit_concept_id", I64),
            ("measurement_source_concept_id", I64),
        ]
    ),
    "observation": pa.schema(
        [
            ("observation_id", I64),
            ("person_id", I64),
            ("observation_concept_id", I64),
            ("observation_date", DATE),
            ("observation_type_concept_id", I64),
            ("observation_source_concept_id", I64),
        ]
    ),
    "note": pa.schema(
        [
            ("note_id", I64),
            ("person_id", I64),
            ("note_date", DATE),
            ("note_type_concept_id", I64),
            ("note_class_concept_id", I64),
            ("note_title", STR),
            ("note_text", STR),
            ("encoding_concept_id", I64),
            ("language_concept_id", I64),
        ]
    ),
}

#: the column holding each table's row id, filled from a running counter
ROW_ID = {
    "observation_period": "observation_period_id",
    "visit_occurrence": "visit_occurrence_id",
    "condition_occurrence": "condition_occurrence_id",
    "drug_exposure": "drug_exposure_id",
    "procedure_occurrence": "procedure_occurrence_id",
    "measurement": "measurement_id",
    "observation": "observation_id",
    "note": "note_id",
}


class Batch:
    """Column arrays collected for one chunk, per table; missing columns are written as 0 or null."""

    def __init__(self) -> None:
        self._parts: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def add(self, table: str, **columns: Any) -> None:
        """Add rows: every value is an array of the same length or a scalar to repeat."""
        lengths = {len(v) for v in columns.values() if isinstance(v, np.ndarray | list)}
        if not lengths:
            return
        (n,) = lengths
        if n == 0:
            return
        self._parts[table].append({k: (v if isinstance(v, np.ndarray | list) else [v] * n) for k, v in columns.items()})

    def to_arrow(self, table: str, first_id: int) -> pa.Table:
        """The chunk's rows of a table as Arrow, row ids from ``first_id``."""
        schema = SCHEMAS[table]
        parts = self._parts.get(table, [])
        n = sum(len(next(iter(p.values()))) for p in parts)
        arrays: list[pa.Array] = []
        for fld in schema:
            if table in ROW_ID and fld.name == ROW_ID[table]:
                arrays.append(pa.array(np.arange(first_id, first_id + n, dtype=np.int64), I64))
                continue
            chunks = [_column(p, fld, len(next(iter(p.values())))) for p in parts]
            arrays.append(pa.concat_arrays(chunks) if chunks else pa.array([], fld.type))
        return pa.Table.from_arrays(arrays, schema=schema)


def _column(part: dict[str, Any], fld: pa.Field, n: int) -> pa.Array:
    if fld.name in part:
        value = part[fld.name]
        if isinstance(value, np.ndarray) and fld.type == DATE:
            return pa.array(value.astype(np.int32), pa.int32()).cast(DATE)
        return pa.array(value, fld.type)
    if fld.type == STR or fld.type == DATE or fld.name in {"value_as_number", "value_as_concept_id"}:
        return pa.nulls(n, fld.type)
    return pa.array(np.zeros(n, dtype=np.int64), I64).cast(fld.type)
