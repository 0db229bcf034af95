"""The OMOP CDM tables and columns the screen reads, their types, and how the CDM version is told.

Only the columns below are read. None of them differs between CDM v5.3 and v5.4 (v5.4 adds
``episode``/``episode_event``, ``procedure_end_date``, ``*_event_id`` and renames the visit
admission/discharge columns; none of those is used), so both versions run the same expressions. The
version is still detected, reported and checked: anything else (v5.2 and older, v6.0) is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

#: the type every read column is cast to (Ibis type names)
Kind = str


@dataclass(frozen=True)
class Column:
    """A column the screen reads, with the type it is cast to."""

    name: str
    kind: Kind
    required: bool = True


@dataclass(frozen=True)
class TableSpec:
    """A CDM table the screen reads."""

    name: str
    columns: tuple[Column, ...]
    required: bool = False
    must_have_rows: bool = False

    def column(self, name: str) -> Column:
        """The column spec called ``name``."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


@dataclass(frozen=True)
class Domain:
    """A clinical event table: where its person, date and standard/source concept columns are."""

    table: str
    row_id: str
    concept: str
    source_concept: str
    date: str
    #: the column holding the row's own free text (``*_source_value``), when it has one the screen reads
    text: str | None = None


ID, DATE, INT, FLOAT, STR = "int64", "date", "int64", "float64", "string"

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec(
            "person",
            (
                Column("person_id", ID),
                Column("year_of_birth", INT),
                Column("month_of_birth", INT, required=False),
                Column("day_of_birth", INT, required=False),
            ),
            required=True,
            must_have_rows=True,
        ),
        TableSpec(
            "concept",
            (Column("concept_id", ID), Column("vocabulary_id", STR), Column("concept_code", STR)),
            required=True,
            must_have_rows=True,
        ),
        TableSpec("concept_ancestor", (Column("ancestor_concept_id", ID), Column("descendant_concept_id", ID))),
        TableSpec(
            "condition_occurrence",
            (
                Column("condition_occurrence_id", ID),
                Column("person_id", ID),
                Column("condition_concept_id", ID),
                Column("condition_source_concept_id", ID),
                Column("condition_start_date", DATE),
                # free text of the coded condition: the body site when the code names none
                Column("condition_source_value", STR, required=False),
            ),
            required=True,
            must_have_rows=True,
        ),
        TableSpec(
            "drug_exposure",
            (
                Column("drug_exposure_id", ID),
                Column("person_id", ID),
                Column("drug_concept_id", ID),
                Column("drug_source_concept_id", ID),
                Column("drug_exposure_start_date", DATE),
                Column("drug_exposure_end_date", DATE),
                Column("days_supply", INT),
            ),
        ),
        TableSpec(
            "procedure_occurrence",
            (
                Column("procedure_occurrence_id", ID),
                Column("person_id", ID),
                Column("procedure_concept_id", ID),
                Column("procedure_source_concept_id", ID),
                Column("procedure_date", DATE),
            ),
        ),
        TableSpec(
            "measurement",
            (
                Column("measurement_id", ID),
                Column("person_id", ID),
                Column("measurement_concept_id", ID),
                Column("measurement_source_concept_id", ID),
                Column("measurement_date", DATE),
                Column("value_as_number", FLOAT),
                Column("value_as_concept_id", ID),
                Column("unit_concept_id", ID),
            ),
        ),
        TableSpec(
            "observation",
            (
                Column("observation_id", ID),
                Column("person_id", ID),
                Column("observation_concept_id", ID),
                Column("observation_source_concept_id", ID),
                Column("observation_date", DATE),
                Column("observation_source_value", STR, required=False),
            ),
        ),
        TableSpec(
            "note",
            (Column("note_id", ID), Column("person_id", ID), Column("note_date", DATE), Column("note_text", STR)),
        ),
        TableSpec("cdm_source", (Column("cdm_version", STR, required=False),)),
    )
}

DOMAINS: dict[str, Domain] = {
    d.table: d
    for d in (
        Domain(
            "condition_occurrence",
            "condition_occurrence_id",
            "condition_concept_id",
            "condition_source_concept_id",
            "condition_start_date",
            "condition_source_value",
        ),
        Domain(
            "drug_exposure", "drug_exposure_id", "drug_concept_id", "drug_source_concept_id", "drug_exposure_start_date"
        ),
        Domain(
            "procedure_occurrence",
            "procedure_occurrence_id",
            "procedure_concept_id",
            "procedure_source_concept_id",
            "procedure_date",
        ),
        Domain(
            "measurement",
            "measurement_id",
            "measurement_concept_id",
            "measurement_source_concept_id",
            "measurement_date",
        ),
        Domain(
            "observation",
            "observation_id",
            "observation_concept_id",
            "observation_source_concept_id",
            "observation_date",
            "observation_source_value",
        ),
    )
}

#: columns that exist only in v5.4 (CommonDataModel v5.4 DDL) and only in v5.3, per table
V54_ONLY = {
    "visit_occurrence": ("admitted_from_concept_id", "discharged_to_concept_id"),
    "procedure_occurrence": ("procedure_end_date",),
    "measurement": ("measurement_event_id", "unit_source_concept_id"),
    "observation": ("observation_event_id", "value_source_value"),
    "note": ("note_event_id",),
    "episode": ("episode_id",),
}
V53_ONLY = {"visit_occurrence": ("admitting_source_concept_id", "discharge_to_concept_id")}
#: v6.0 moved death into person and dropped the death table
V60_ONLY = {"person": ("death_datetime",)}

SUPPORTED = ("5.3", "5.4")


def version_from_text(text: str) -> str | None:
    """The major.minor CDM version in a cdm_source.cdm_version text ('v5.3.1' -> '5.3'), if any."""
    m = re.search(r"(\d+)\.(\d+)", text)
    return f"{m.group(1)}.{m.group(2)}" if m else None


def version_from_columns(columns: dict[str, set[str]]) -> str | None:
    """The CDM version told by version-specific columns (lower-case names per table), if they tell."""

    def has(marks: Mapping[str, tuple[str, ...]]) -> bool:
        return any(col in columns.get(table, set()) for table, cols in marks.items() for col in cols)

    if has(V60_ONLY):
        return "6.0"
    if has(V54_ONLY):
        return "5.4"
    if has(V53_ONLY):
        return "5.3"
    return None
