"""The screen use case: open an OMOP source, resolve the score in its vocabulary, read notes, score everyone.

It returns data (Arrow tables and the resolution report); writing files is ``outputs.py``'s job.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

from cnopad.knowledge.casefinding import CaseFinding, casefinding
from cnopad.population import ranking
from cnopad.population.backends import SourceSpec, public_location
from cnopad.population.events import TEXT_HIT_SCHEMA, events
from cnopad.population.progress import Progress, Silent
from cnopad.population.resolve import Resolution, resolve
from cnopad.population.scoring import person_scores, signal_stats
from cnopad.population.source import Omop, open_omop
from cnopad.population.text import note_hits, row_sites
from cnopad.population.timeline import born_by, events_until


@dataclass
class ScreenResult:
    """Everything one screen produced (person ids and aggregates only)."""

    source: str
    backend: str
    cdm_version: str
    version_basis: str
    knowledge_version: str
    threshold: int
    persons: int
    scores: pa.Table
    ranked: pa.Table
    diagnosed: pa.Table
    resolution: Resolution
    unusable_tables: dict[str, str]
    notes_with_mentions: int
    timings: dict[str, float] = field(default_factory=dict)
    as_of: date | None = None


def screen(
    spec: SourceSpec,
    *,
    threshold: int | None = None,
    progress: Progress | None = None,
    kb: CaseFinding | None = None,
    as_of: date | None = None,
) -> ScreenResult:
    """Screen an OMOP CDM source for records that look like undiagnosed CNO (a screening aid, not a diagnosis).

    With ``as_of``, only what was recorded on or before that date is read (see ``timeline.events_until``).
    """
    progress = progress or Silent()
    progress.stage("Opening and checking the OMOP tables")
    started = time.perf_counter()
    with open_omop(spec) as omop:
        opened = time.perf_counter() - started
        result = screen_omop(
            omop, threshold=threshold, progress=progress, kb=kb, source=public_location(spec.location), as_of=as_of
        )
    result.timings = {"open": opened, **result.timings}
    return result


def screen_omop(
    omop: Omop,
    *,
    threshold: int | None = None,
    progress: Progress | None = None,
    kb: CaseFinding | None = None,
    source: str | None = None,
    as_of: date | None = None,
) -> ScreenResult:
    """Screen an opened, checked OMOP source (the caller closes it), optionally as known on ``as_of``."""
    kb = kb or casefinding()
    progress = progress or Silent()
    threshold = kb.score.threshold.points if threshold is None else threshold
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    persons = count_persons(omop, as_of)
    progress.stage("Resolving concepts in the data's vocabulary")
    resolution = resolve(omop, kb)
    lap("resolve")
    groups = list(resolution.note_groups)
    hits = note_hits(omop, kb, groups, progress) if groups else TEXT_HIT_SCHEMA.empty_table()
    sites = row_sites(omop, kb, resolution.concept_rows, progress)
    lap("text")
    progress.stage("Scoring (Ibis on " + omop.backend + ")")
    ev = events(omop, resolution, hits, adult_age=kb.score.adult_age, row_sites=sites)
    if ev is not None and as_of is not None:
        ev = events_until(ev, as_of)
    scores = _empty_scores(kb) if ev is None else _scores(ev, kb, resolution, backend=omop.backend)
    lap("score")
    ranked = ranking.ranked(scores, kb, threshold)
    lap("rank")
    return ScreenResult(
        source=source or omop.description,
        backend=omop.backend,
        cdm_version=omop.cdm_version,
        version_basis=omop.version_basis,
        knowledge_version=kb.version,
        threshold=threshold,
        persons=persons,
        scores=scores,
        ranked=ranked,
        diagnosed=ranking.diagnosed(scores),
        resolution=resolution,
        unusable_tables=dict(omop.unusable),
        notes_with_mentions=_notes_until(hits, as_of),
        timings=timings,
        as_of=as_of,
    )


def count_persons(omop: Omop, as_of: date | None) -> int:
    """The persons in the population (on ``as_of``: those born by then; without a birth year: counted)."""
    person = omop.tables["person"]
    if as_of is not None:
        person = person.filter(born_by(person, as_of).fill_null(True))
    return int(person.count().to_pyarrow().as_py())


def _notes_until(hits: pa.Table, as_of: date | None) -> int:
    ids = hits.column("note_id").to_pylist()
    if as_of is not None:
        ids = [
            i for i, d in zip(ids, hits.column("note_date").to_pylist(), strict=True) if d is not None and d <= as_of
        ]
    return len(set(ids))


def _scores(ev: Any, kb: CaseFinding, resolution: Resolution, *, backend: str) -> pa.Table:
    """Run the score; on Spark the events and the per-signal statistics are cached first because the windowed
    rules read the events and every feature reads the statistics (DuckDB and PostgreSQL plan the shared
    subqueries well; Ibis 12's cache cannot drop its temp table with the installed sqlglot there)."""
    if backend != "spark":
        return person_scores(ev, kb, resolution, backend=backend).to_pyarrow().sort_by([("person_id", "ascending")])
    # Ibis 12's PySpark cache compiles the query without registering its in-memory tables (the concept
    # map, the note mentions); a zero-row run registers them first
    ev.limit(0).to_pyarrow()
    with ev.cache() as cached, signal_stats(cached, kb).cache() as stats:
        return (
            person_scores(cached, kb, resolution, stats, backend=backend)
            .to_pyarrow()
            .sort_by([("person_id", "ascending")])
        )


def _empty_scores(kb: CaseFinding) -> pa.Table:
    fields = [
        pa.field("person_id", pa.int64()),
        pa.field("score", pa.int64()),
        pa.field("diagnosed", pa.bool_()),
        pa.field("diagnosed_first", pa.date32()),
    ]
    for f in kb.features:
        fields += [
            pa.field(f.id, pa.bool_()),
            pa.field(f"{f.id}__first", pa.date32()),
            pa.field(f"{f.id}__last", pa.date32()),
        ]
    return pa.schema(fields).empty_table()
