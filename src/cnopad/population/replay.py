"""Replay the screen over time: the same score as known on each of a series of dates (as-of screens).

The concepts are resolved and the notes read once (both do not depend on the date); the events are then
materialised once and each date's score reads the events known on it (``timeline.events_until``). A
snapshot keeps, per date, how many persons were screened and the scores of those not yet diagnosed: what
``leadtime.py`` and ``before_diagnosis.py`` turn into recall, flag rates and lead times.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from cnopad.knowledge.casefinding import CaseFinding, casefinding
from cnopad.population.backends import SourceSpec, public_location
from cnopad.population.events import TEXT_HIT_SCHEMA, events
from cnopad.population.progress import Progress, Silent
from cnopad.population.resolve import Resolution, resolve
from cnopad.population.scoring import DIAGNOSED, person_scores
from cnopad.population.screening import count_persons
from cnopad.population.source import Omop, open_omop
from cnopad.population.text import note_hits, row_sites
from cnopad.population.timeline import events_until

SCORE_SCHEMA = pa.schema([("person_id", pa.int64()), ("score", pa.int64())])
FIRST_SCHEMA = pa.schema([("person_id", pa.int64()), ("first_date", pa.date32())])


@dataclass(frozen=True)
class Snapshot:
    """One as-of screen: the date, persons screened, and scores of the not yet diagnosed (score > 0)."""

    as_of: date
    persons: int
    scores: pa.Table


@dataclass
class Replay:
    """An opened source prepared for as-of screens: resolved concepts, note mentions and events, read once."""

    omop: Omop
    kb: CaseFinding
    resolution: Resolution
    events: ir.Table | None
    source: str
    diagnosed_first: pa.Table
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def diagnosis_resolved(self) -> bool:
        """True when the data's vocabulary holds the diagnosis codes (else nobody can be known as diagnosed)."""
        return self.resolution.signals[self.kb.score.diagnosed_signal].resolved

    def snapshot(self, as_of: date) -> Snapshot:
        """The screen as known on ``as_of``: persons born by then, scores of those not diagnosed by then."""
        persons = count_persons(self.omop, as_of)
        if self.events is None:
            return Snapshot(as_of, persons, SCORE_SCHEMA.empty_table())
        scores = person_scores(events_until(self.events, as_of), self.kb, self.resolution, backend=self.omop.backend)
        kept = scores.filter(~scores[DIAGNOSED]).select("person_id", "score")
        return Snapshot(as_of, persons, kept.to_pyarrow().cast(SCORE_SCHEMA))

    def scores_at(self, slots: pa.Table) -> pa.Table:
        """Scores of given persons each on their own date: ``slots`` has slot (int64), person_id and as_of.

        One query for all: each slot's events are the person's events known on the slot's date, scored as
        if the slot were a person (so one person can be screened on several dates at once). Returns slot and
        score (0 for slots with nothing recorded yet) and whether the person was already diagnosed then.
        """
        out_schema = pa.schema([("slot", pa.int64()), ("score", pa.int64()), ("diagnosed", pa.bool_())])
        if self.events is None or slots.num_rows == 0:
            empty = pa.table(
                {
                    "slot": slots.column("slot"),
                    "score": pa.array([0] * slots.num_rows, pa.int64()),
                    "diagnosed": pa.array([False] * slots.num_rows, pa.bool_()),
                },
                schema=out_schema,
            )
            return empty
        s = ibis.memtable(slots.select(["slot", "person_id", "as_of"]))
        ev = self.events
        joined = ev.join(s, ev.person_id == s.person_id).filter(ev.event_date <= s.as_of)
        cut = joined.as_of
        running = joined.end_date.notnull() & (joined.end_date > cut)
        slotted = joined.select(
            *[c for c in ev.columns if c not in {"person_id", "end_date", "days"}],
            person_id=joined.slot,
            end_date=ibis.ifelse(running, cut, joined.end_date),
            days=ibis.ifelse(running, cut.delta(joined.event_date, unit="day") + 1, joined.days).cast("int64"),
        )
        scored = person_scores(slotted, self.kb, self.resolution, backend=self.omop.backend).select(
            "person_id", "score", DIAGNOSED
        )
        got = scored.to_pyarrow()
        by_slot = {
            int(p): (int(sc), bool(dg))
            for p, sc, dg in zip(*(got.column(i).to_pylist() for i in range(3)), strict=True)
        }
        ids = slots.column("slot").to_pylist()
        return pa.table(
            {
                "slot": pa.array(ids, pa.int64()),
                "score": pa.array([by_slot.get(i, (0, False))[0] for i in ids], pa.int64()),
                "diagnosed": pa.array([by_slot.get(i, (0, False))[1] for i in ids], pa.bool_()),
            },
            schema=out_schema,
        )


@contextmanager
def prepared(spec: SourceSpec, *, kb: CaseFinding | None = None, progress: Progress | None = None) -> Iterator[Replay]:
    """Open a source and prepare it for as-of screens (closed on leaving)."""
    progress = progress or Silent()
    progress.stage("Opening and checking the OMOP tables")
    started = time.perf_counter()
    with open_omop(spec) as omop:
        opened = time.perf_counter() - started
        with prepared_omop(omop, kb=kb, progress=progress, source=public_location(spec.location)) as replay:
            replay.timings = {"open": opened, **replay.timings}
            yield replay


@contextmanager
def prepared_omop(
    omop: Omop, *, kb: CaseFinding | None = None, progress: Progress | None = None, source: str | None = None
) -> Iterator[Replay]:
    """Prepare an opened, checked source for as-of screens (the caller closes the source)."""
    kb = kb or casefinding()
    progress = progress or Silent()
    clock = time.perf_counter()
    timings: dict[str, float] = {}
    progress.stage("Resolving concepts in the data's vocabulary")
    resolution = resolve(omop, kb)
    groups = list(resolution.note_groups)
    hits = note_hits(omop, kb, groups, progress) if groups else TEXT_HIT_SCHEMA.empty_table()
    sites = row_sites(omop, kb, resolution.concept_rows, progress)
    timings["resolve_and_notes"] = time.perf_counter() - clock
    clock = time.perf_counter()
    progress.stage("Collecting the events once (Ibis on " + omop.backend + ")")
    ev = events(omop, resolution, hits, adult_age=kb.score.adult_age, row_sites=sites)
    with _materialised(omop, ev) as kept:
        first = _diagnosed_first(kept, kb, resolution)
        timings["events"] = time.perf_counter() - clock
        yield Replay(omop, kb, resolution, kept, source or omop.description, first, timings)


def snapshots(replay: Replay, dates: Sequence[date], progress: Progress | None = None) -> list[Snapshot]:
    """One as-of screen per date, in order."""
    progress = progress or Silent()
    progress.stage(f"Screening as of {len(dates)} dates", len(dates))
    clock = time.perf_counter()
    out: list[Snapshot] = []
    for d in dates:
        out.append(replay.snapshot(d))
        progress.advance(1)
    replay.timings["screens"] = time.perf_counter() - clock
    return out


@contextmanager
def _materialised(omop: Omop, ev: ir.Table | None) -> Iterator[ir.Table | None]:
    """The events computed once: a DuckDB view over Arrow, a Spark cache; PostgreSQL re-plans them per date."""
    if ev is None:
        yield None
        return
    if omop.backend == "spark":
        ev.limit(0).to_pyarrow()  # registers the in-memory tables first (see screening._scores)
        with ev.cache() as cached:
            yield cached
        return
    if omop.backend != "duckdb":
        yield ev
        return
    name = f"cnopad_events_{uuid.uuid4().hex}"
    raw: Any = omop.con.con
    # a view over an Arrow table: Ibis 12's create_table fails on DuckDB 2.0 (see backends.open_arrow)
    raw.register(name, ev.to_pyarrow())
    try:
        yield omop.con.table(name)
    finally:
        raw.unregister(name)


def _diagnosed_first(ev: ir.Table | None, kb: CaseFinding, resolution: Resolution) -> pa.Table:
    """Each person's first recorded diagnosis code (the whole data, not as of a date)."""
    signal = kb.score.diagnosed_signal
    if ev is None or not resolution.signals[signal].resolved:
        return FIRST_SCHEMA.empty_table()
    diag = ev.filter(ev.signal == signal)
    table = diag.group_by("person_id").aggregate(first_date=diag.event_date.min()).to_pyarrow()
    return table.cast(FIRST_SCHEMA).sort_by([("person_id", "ascending")])


def flagged(snapshot: Snapshot, threshold: int) -> pa.Array:
    """The person ids a snapshot lists at a threshold."""
    return snapshot.scores.filter(pc.greater_equal(snapshot.scores.column("score"), threshold)).column("person_id")
