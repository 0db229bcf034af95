"""Write a synthetic OMOP population: Parquet tables in ``DIR/omop``, the truth apart in ``DIR/truth.parquet``.

Persons are made in chunks of 50,000 with a random generator seeded by (seed, chunk number), so the
output is the same for the same seed and size, and memory stays bounded: each chunk becomes one Parquet
row group per table and is then dropped. Everything is written to a temporary folder next to DIR and moved
into place at the end, so a failed run leaves nothing behind.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from cnopad.errors import InputError
from cnopad.knowledge.casefinding import casefinding
from cnopad.population.progress import Progress, Silent
from cnopad.population.synthetic import cases
from cnopad.population.synthetic.background import add_background
from cnopad.population.synthetic.dates import END, START, birth_parts, day
from cnopad.population.synthetic.tables import SCHEMAS, Batch
from cnopad.population.synthetic.vocabulary import Vocabulary, build

CHUNK = 50_000
#: diagnosis_date: when a planted case gets (or got) its diagnosis, also when that is after the data window
TRUTH_SCHEMA = pa.schema([("person_id", pa.int64()), ("kind", pa.string()), ("diagnosis_date", pa.date32())])
_OLDEST, _YOUNGEST = day(date(1935, 1, 1)), day(date(2022, 12, 31))


@dataclass
class GenerateResult:
    """What was written: row counts per table, persons per kind, and the time it took."""

    out: Path
    rows: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def generate(persons: int, seed: int, out: Path, progress: Progress | None = None) -> GenerateResult:
    """Generate ``persons`` synthetic persons with ``seed`` into the new or empty folder ``out``."""
    progress = progress or Silent()
    if persons < 1:
        msg = "--persons"
        raise InputError(msg, "must be at least 1")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(str(out), "exists and is not an empty folder; choose a new one")
    started = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        result = _write(persons, seed, tmp, progress)
        if out.exists():
            out.rmdir()
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    result.out = out
    result.seconds = time.perf_counter() - started
    return result


def _write(persons: int, seed: int, folder: Path, progress: Progress) -> GenerateResult:
    kb = casefinding()
    vocab = build(kb.synthetic)
    omop = folder / "omop"
    omop.mkdir()
    writers = {name: pq.ParquetWriter(omop / f"{name}.parquet", schema) for name, schema in SCHEMAS.items()}
    truth_writer = pq.ParquetWriter(folder / "truth.parquet", TRUTH_SCHEMA)
    result = GenerateResult(folder)
    next_id = dict.fromkeys(SCHEMAS, 1)
    chunks = (persons + CHUNK - 1) // CHUNK
    progress.stage("Generating synthetic persons", persons)
    try:
        for c in range(chunks):
            first = c * CHUNK + 1
            n = min(CHUNK, persons - c * CHUNK)
            batch, truth = _chunk(vocab, seed, c, first, n)
            tables = {name: batch.to_arrow(name, next_id[name]) for name in SCHEMAS if name != "visit_occurrence"}
            tables["visit_occurrence"] = _visits(tables["condition_occurrence"], vocab, next_id["visit_occurrence"])
            tables["condition_occurrence"] = _link_visits(tables["condition_occurrence"], tables["visit_occurrence"])
            for name in SCHEMAS:
                table = tables[name]
                next_id[name] += table.num_rows
                writers[name].write_table(table, row_group_size=max(table.num_rows, 1))
                result.rows[name] = result.rows.get(name, 0) + table.num_rows
            truth_writer.write_table(truth)
            for kind in truth.column("kind").to_pylist():
                result.kinds[kind] = result.kinds.get(kind, 0) + 1
            progress.advance(n)
    finally:
        for w in (*writers.values(), truth_writer):
            w.close()
    for name, table in (
        ("concept", vocab.concept),
        ("concept_ancestor", vocab.concept_ancestor),
        ("cdm_source", _cdm_source(kb.synthetic.version)),
    ):
        assert table is not None  # noqa: S101 - built above
        pq.write_table(table, omop / f"{name}.parquet")
        result.rows[name] = table.num_rows
    return result


def _chunk(vocab: Vocabulary, seed: int, index: int, first: int, n: int) -> tuple[Batch, pa.Table]:
    rng = np.random.default_rng(np.random.SeedSequence([seed, index]))
    pid = np.arange(first, first + n, dtype=np.int64)
    birth = rng.integers(_OLDEST, _YOUNGEST, n)
    kind = np.full(n, "background", dtype=object)
    onset = np.zeros(n, dtype=np.int64)
    u = rng.random(n)
    edge = 0.0
    for k in cases.KINDS:
        chosen = (u >= edge) & (u < edge + k.share)
        edge += k.share
        m = int(chosen.sum())
        kind[chosen] = k.label
        onset[chosen] = rng.integers(day(date(2010, 1, 1)), day(date(2021, 12, 31)), m)
        age_days = rng.integers(k.onset_age[0] * 365, k.onset_age[1] * 365, m)
        birth[chosen] = onset[chosen] - age_days
    batch = Batch()
    year, month, dom = birth_parts(birth)
    female = rng.random(n) < np.where(np.isin(kind, ["cno_adult", "diagnosed"]), 0.67, 0.5)
    batch.add(
        "person",
        person_id=pid,
        gender_concept_id=np.where(female, vocab.id("gender_female"), vocab.id("gender_male")),
        year_of_birth=year,
        month_of_birth=month,
        day_of_birth=dom,
    )
    batch.add(
        "observation_period",
        person_id=pid,
        observation_period_start_date=np.maximum(birth, START),
        observation_period_end_date=np.full(n, END),
    )
    add_background(batch, rng, vocab, pid, birth)
    rows = cases.Rows(vocab, rng)
    draw = {k.label: k.draw for k in cases.KINDS}
    diagnosis: list[int | None] = [None] * n
    for i in np.flatnonzero(kind != "background"):
        diagnosis[i] = draw[str(kind[i])](rows, int(pid[i]), int(onset[i]))
    rows.flush(batch)
    truth = pa.table(
        {
            "person_id": pid,
            "kind": pa.array(kind.tolist(), pa.string()),
            "diagnosis_date": pa.array(diagnosis, pa.int32()).cast(pa.date32()),
        },
        schema=TRUTH_SCHEMA,
    )
    return batch, truth


def _visits(conditions: pa.Table, vocab: Vocabulary, first_id: int) -> pa.Table:
    """One outpatient visit per condition record, on its date."""
    n = conditions.num_rows
    zeros = pa.array(np.zeros(n, dtype=np.int64))
    return pa.Table.from_arrays(
        [
            pa.array(np.arange(first_id, first_id + n, dtype=np.int64)),
            conditions.column("person_id"),
            pa.array(np.full(n, vocab.id("visit_outpatient"), dtype=np.int64)),
            conditions.column("condition_start_date"),
            conditions.column("condition_start_date"),
            zeros,
            zeros,
            zeros,
        ],
        schema=SCHEMAS["visit_occurrence"],
    )


def _link_visits(conditions: pa.Table, visits: pa.Table) -> pa.Table:
    index = conditions.schema.get_field_index("visit_occurrence_id")
    return conditions.set_column(index, "visit_occurrence_id", visits.column("visit_occurrence_id"))


def _cdm_source(version: str) -> pa.Table:
    return pa.table(
        {
            "cdm_source_name": ["cnopad synthetic population"],
            "cdm_source_abbreviation": ["cnopad-synthetic"],
            "cdm_holder": ["cnopad (synthetic data, no real persons)"],
            "source_description": ["Synthetic OMOP CDM data generated by `cnopad population generate`."],
            "cdm_release_date": pa.array([date(2026, 11, 23)], pa.date32()),
            "cdm_version": ["v5.4"],
            "vocabulary_version": [f"cnopad synthetic vocabulary {version}"],
        }
    )
