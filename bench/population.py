# ruff: noqa: S608 - the hand-written SQL baseline is the one place cnopad builds SQL by hand (conventions.md, rule 7)
"""Benchmark population case-finding: generate N persons, screen them on DuckDB, compare with hand-written SQL.

    .venv/bin/python bench/population.py                      # 1,000,000 persons (the issue's size)
    .venv/bin/python bench/population.py --persons 20000 --spark-persons 5000

Steps, each in its own child process so that its peak RSS is its own:
1. generate N synthetic persons (row counts per table, seconds, peak RSS);
2. screen them with cnopad (Ibis on DuckDB): wall time of ``screen()`` and its stages, peak RSS;
3. the baseline: one hand-written DuckDB SQL query computing the same score over the same Parquet files
   (concept resolution included; the note mentions and the body sites written in condition text come from
   the same clinlp step, since SQL cannot read Dutch context); the two score tables must be equal, row for row;
4. Spark local[2] on ``--spark-persons`` persons must give the identical scores and ranking as DuckDB.
It prints every figure and the ratio screen / baseline. Targets (issue 7): screen <= 30 s, <= 1.3x the
hand-written SQL, peak RSS <= 4 GB at 1,000,000 persons; (issue 14) at ``--persons 10000000``: screen <= 150 s,
<= 1.3x, peak RSS <= 8 GB per step, and Spark local[2] identical on ``--spark-persons 1000000``.

A long run prints each step with its start time and the child's stages on stderr as it goes. With
``--workdir`` the generated data stay and a second run reuses them (``pNNN/omop`` and ``sparkNNN/omop``).
DuckDB spills what exceeds its memory limit to ``.tmp`` in the current folder (several GB at 10 million
persons), so start a large run from a folder with room.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from cnopad.knowledge.casefinding import CaseFinding, Feature, casefinding, normalise

HERE = Path(__file__).resolve()
#: DuckDB's memory limit for the screen and the baseline alike (--memory-limit; children read it from the environment)
MEMORY_LIMIT = os.environ.get("CNOPAD_BENCH_DUCKDB_MEMORY", "2GB")


# ----------------------------------------------------------------------------------------------- children
def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Lines:
    """Progress for a child: one line on stderr per stage and per tenth of it (the parent passes stderr through),
    so a run of many minutes shows where it is; stdout stays the child's one JSON line of figures."""

    def __init__(self) -> None:
        self._started = time.perf_counter()
        self._total: int | None = None
        self._done = 0
        self._next = 0.1

    def _say(self, text: str) -> None:
        print(f"    [{time.perf_counter() - self._started:7.1f} s] {text}", file=sys.stderr, flush=True)

    def stage(self, name: str, total: int | None = None) -> None:
        self._total, self._done, self._next = total, 0, 0.1
        self._say(name + (f" ({total:,})" if total else ""))

    def advance(self, done: int = 1) -> None:
        self._done += done
        if self._total and self._done >= self._next * self._total:
            self._say(f"  {self._done:,} of {self._total:,}")
            while self._next * self._total <= self._done:
                self._next += 0.1


def child_generate(persons: int, seed: int, out: Path) -> dict[str, Any]:
    from cnopad.population.synthetic import generate

    result = generate(persons, seed, out, _Lines())
    return {"seconds": result.seconds, "rows": result.rows, "kinds": result.kinds, "rss_mb": _rss_mb()}


def child_screen(omop: Path, backend: str, result_file: Path) -> dict[str, Any]:
    from cnopad.population import SourceSpec, screen

    started = time.perf_counter()
    result = screen(SourceSpec(str(omop), backend=backend, duckdb_memory_limit=MEMORY_LIMIT), progress=_Lines())
    seconds = time.perf_counter() - started
    pq.write_table(result.scores, result_file)
    return {
        "seconds": seconds,
        "stages": {k: round(v, 3) for k, v in result.timings.items()},
        "listed": result.ranked.num_rows,
        "rss_mb": _rss_mb(),
    }


def child_baseline(omop: Path, result_file: Path) -> dict[str, Any]:
    from cnopad.population.text import findings, hit_rows, stems_pattern

    kb = casefinding()
    started = time.perf_counter()
    # its own spill folder, as the screen's (backends._duckdb): DuckDB's default `.tmp` has fixed file names
    spill = tempfile.mkdtemp(prefix="cnopad-sql-")
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": spill})
    con.execute("SET enable_progress_bar = false")
    groups = [g.id for g in kb.notes.groups] + ([kb.notes.sites.id] if kb.notes.sites else [])
    notes: Any = con.execute(
        f"SELECT note_id, person_id, note_date, note_text FROM read_parquet('{omop}/note.parquet') "
        "WHERE regexp_matches(lower(note_text), ?)",
        [stems_pattern(kb, groups)],
    ).to_arrow_table()
    hits: dict[str, list[Any]] = {"note_id": [], "person_id": [], "note_date": [], "term_group": [], "site": []}
    columns = [notes.column(c).to_pylist() for c in ("note_id", "person_id", "note_date")]
    for i, found in enumerate(findings(notes.column("note_text").to_pylist())):
        for group, site in hit_rows(found, kb, groups):
            for key, col in zip(("note_id", "person_id", "note_date"), columns, strict=True):
                hits[key].append(col[i])
            hits["term_group"].append(group)
            hits["site"].append(site)
    schema = pa.schema(
        [("note_id", pa.int64()), ("person_id", pa.int64()), ("note_date", pa.date32()), ("term_group", pa.string()),
         ("site", pa.string())]
    )  # fmt: skip
    con.register("note_hits", pa.table(hits, schema=schema))
    con.register("row_sites", _row_sites(con, kb, omop))
    text_seconds = time.perf_counter() - started
    sql_started = time.perf_counter()
    scores = con.execute(baseline_sql(kb, omop)).to_arrow_table()
    sql_seconds = time.perf_counter() - sql_started
    pq.write_table(scores, result_file)
    con.close()
    shutil.rmtree(spill, ignore_errors=True)
    return {
        "seconds": time.perf_counter() - started,
        "text_seconds": text_seconds,
        "sql_seconds": sql_seconds,
        "rss_mb": _rss_mb(),
    }


# --------------------------------------------------------- body sites in the text of coded rows (issue 14)
#: the tables whose rows carry their own text, and its column
_TEXT_COLUMNS = {"condition_occurrence": "condition_source_value", "observation": "observation_source_value"}


def _row_sites(con: Any, kb: CaseFinding, omop: Path) -> pa.Table:
    """(omop_table, row_id, site) for every coded row whose text names a body site (the same clinlp step as the
    screen; here for every row with a site stem, the screen reads only rows of the signals counted by site:
    other signals never count sites, so the scores agree)."""
    from cnopad.population.text import findings, stems_pattern

    out: dict[str, list[Any]] = {"omop_table": [], "row_id": [], "site": []}
    if kb.notes.sites is not None:
        pattern = stems_pattern(kb, [kb.notes.sites.id])
        for table, column in _TEXT_COLUMNS.items():
            path = omop / f"{table}.parquet"
            if column not in pq.read_schema(path).names:
                continue
            rows: Any = con.execute(
                f"SELECT {_DOMAINS[table][0]} AS row_id, {column} AS text FROM read_parquet('{path}') "
                f"WHERE regexp_matches(lower({column}), ?)",
                [pattern],
            ).to_arrow_table()
            ids = rows.column("row_id").to_pylist()
            for rid, found in zip(ids, findings(rows.column("text").to_pylist(), complaint_needed=False), strict=True):
                for site in sorted(found.sites):
                    out["omop_table"].append(table)
                    out["row_id"].append(rid)
                    out["site"].append(site)
    schema = pa.schema([("omop_table", pa.string()), ("row_id", pa.int64()), ("site", pa.string())])
    return pa.table(out, schema=schema)


# ------------------------------------------------------------------------------------- the baseline SQL
def _b(value: bool) -> str:
    return "TRUE" if value else "FALSE"


def _q(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _norm_sql(col: str) -> str:
    return (
        f"CASE WHEN vocabulary_id IN ('ICD10','ICD10CM') THEN upper(replace(trim({col}), '.', '')) "
        f"WHEN vocabulary_id IN ('ATC','ICPC2') THEN upper(trim({col})) ELSE trim({col}) END"
    )


def _code_rows(kb: CaseFinding) -> tuple[list[str], list[str], list[str], list[str]]:
    """VALUES rows of codes, source tables, units and negative results, from the knowledge files."""
    codes, tables, units, negatives = [], [], [], []
    for signal in kb.score.signals:
        for i, source in enumerate(kb.sources(signal.id)):
            key = f"{signal.id}#{i}"
            include, exclude, _ = kb.codes(source)
            specs = [(s, False) for s in include] + [(s, True) for s in exclude]
            for spec, excluded in specs:
                site = _q(spec.site) if spec.site else "NULL"
                codes.append(
                    f"({_q(signal.id)}, {_q(key)}, {_q(spec.vocabulary_id)}, {_q(spec.normalised)}, "
                    f"{_b(spec.match == 'prefix')}, {site}, {_b(excluded)}, {_b(source.descendants)})"
                )
            tables += [f"({_q(signal.id)}, {_q(key)}, {_q(t)})" for t in source.tables]
            units += [
                f"({_q(signal.id)}, {_q(u.vocabulary)}, {_q(normalise(u.vocabulary, u.code))}, {u.factor})"
                for u in kb.units(source)
            ]
            negatives += [
                f"({_q(signal.id)}, {_q(n.vocabulary)}, {_q(normalise(n.vocabulary, n.code))})"
                for n in source.negative_values
            ]
    return codes, tables, units, negatives


_DOMAINS = {
    "condition_occurrence": (
        "condition_occurrence_id",
        "condition_concept_id",
        "condition_source_concept_id",
        "condition_start_date",
    ),
    "drug_exposure": ("drug_exposure_id", "drug_concept_id", "drug_source_concept_id", "drug_exposure_start_date"),
    "procedure_occurrence": (
        "procedure_occurrence_id",
        "procedure_concept_id",
        "procedure_source_concept_id",
        "procedure_date",
    ),
    "measurement": ("measurement_id", "measurement_concept_id", "measurement_source_concept_id", "measurement_date"),
    "observation": ("observation_id", "observation_concept_id", "observation_source_concept_id", "observation_date"),
}  # fmt: skip


def _domain_sql(table: str, omop: Path) -> str:
    row_id, std, src, day = _DOMAINS[table]
    extra = (
        "NULL::DATE AS end_date, NULL::BIGINT AS days, NULL::DOUBLE AS value, "
        "NULL::BOOLEAN AS has_result, NULL::BOOLEAN AS negative"
    )
    join = ""
    if table == "drug_exposure":
        valid = "(t.drug_exposure_end_date IS NOT NULL AND t.drug_exposure_end_date >= t.drug_exposure_start_date)"
        extra = (
            f"CASE WHEN {valid} THEN t.drug_exposure_end_date ELSE t.drug_exposure_start_date END AS end_date, "
            f"CASE WHEN {valid} THEN date_diff('day', t.drug_exposure_start_date, t.drug_exposure_end_date) + 1 "
            "WHEN t.days_supply > 0 THEN t.days_supply ELSE 1 END::BIGINT AS days, "
            "NULL::DOUBLE AS value, NULL::BOOLEAN AS has_result, NULL::BOOLEAN AS negative"
        )
    if table == "measurement":
        join = (
            "LEFT JOIN units u ON u.signal = m.signal AND u.concept_id = t.unit_concept_id "
            "LEFT JOIN negatives n ON n.signal = m.signal AND n.concept_id = t.value_as_concept_id"
        )
        extra = (
            "NULL::DATE AS end_date, NULL::BIGINT AS days, (t.value_as_number * u.factor)::DOUBLE AS value, "
            "(t.value_as_concept_id IS NOT NULL AND t.value_as_concept_id <> 0) AS has_result, "
            "(n.concept_id IS NOT NULL) AS negative"
        )
    site = "m.site"
    if table in _TEXT_COLUMNS:
        # the site the code spells, else each site the row's text names (issue 14)
        join += f" LEFT JOIN row_sites rs ON rs.omop_table = '{table}' AND rs.row_id = t.{row_id}"
        site = "coalesce(m.site, rs.site)"
    parts = []
    for column in (std, src):
        parts.append(
            f"SELECT '{table}' AS omop_table, t.{row_id} AS row_id, t.person_id, m.signal, t.{day} AS event_date, "
            f"{extra}, {site} AS site FROM read_parquet('{omop}/{table}.parquet') t "
            f"JOIN concept_map m ON m.omop_table = '{table}' AND m.concept_id = t.{column} {join}"
        )
    return " UNION ".join(parts)


def _scope(scope: str) -> str:
    return "" if scope == "any" else f" AND scope = '{scope}'"


def _window_sql(f: Feature) -> str:
    r = f.rule
    mine = f"SELECT * FROM events WHERE signal = '{f.signal}'{_scope(f.scope)}"
    if r.course_days is not None:
        courses = (
            f"SELECT x.person_id, x.row_id, sum(y.days) AS days, max(y.end_date) AS end_date FROM ({mine}) x "
            f"JOIN ({mine}) y ON x.person_id = y.person_id "
            f"AND date_diff('day', x.event_date, y.event_date) BETWEEN 0 AND {r.course_days} "
            "GROUP BY x.person_id, x.row_id"
        )
        long = f"SELECT * FROM ({courses}) WHERE days >= {r.min_days}"
        if not r.after:
            return f"SELECT DISTINCT person_id FROM ({long})"
        followed = []
        for a in r.after:
            later = f"SELECT person_id, event_date FROM events WHERE signal = '{a.signal}'{_scope(f.scope)}"
            followed.append(
                f"SELECT c.person_id FROM ({long}) c JOIN ({later}) l ON c.person_id = l.person_id "
                f"AND date_diff('day', c.end_date, l.event_date) BETWEEN {a.min_days_after_end} "
                f"AND {a.max_days_after_end}"
            )
        return f"SELECT DISTINCT person_id FROM ({' UNION ALL '.join(followed)})"
    pairs = f"SELECT DISTINCT person_id, event_date, site FROM ({mine})"
    cond = f"date_diff('day', a.event_date, b.event_date) <= {r.within_days}"
    if r.min_span_days is not None:
        cond += f" AND date_diff('day', a.event_date, b.event_date) >= {r.min_span_days}"
    if r.min_sites is not None:
        # sites spelled in ICD-10-CM characters (score.yaml site_axes) are not derived here: the synthetic
        # population holds no such codes, so both sides agree on it; sites written in text come from
        # row_sites and note_hits (the same clinlp step as the screen)
        cond += (
            " AND date_diff('day', a.event_date, b.event_date) >= 0"
            " AND a.site IS NOT NULL AND b.site IS NOT NULL AND a.site <> b.site"
            " AND NOT starts_with(a.site, b.site) AND NOT starts_with(b.site, a.site)"
        )
        return (
            f"SELECT DISTINCT a.person_id FROM ({pairs}) a JOIN ({pairs}) b ON a.person_id = b.person_id AND {cond} "
            f"UNION SELECT person_id FROM ({pairs}) WHERE site = 'multiple'"
        )
    return f"SELECT DISTINCT a.person_id FROM ({pairs}) a JOIN ({pairs}) b ON a.person_id = b.person_id AND {cond}"


def baseline_sql(kb: CaseFinding, omop: Path) -> str:
    """The whole screening score as one hand-written DuckDB query over the Parquet files."""
    codes, tables, units, negatives = _code_rows(kb)
    vocabularies = ", ".join(sorted({_q(c.split(", ")[2].strip("'")) for c in codes} | {"'UCUM'", "'SNOMED'"}))
    ctes = [
        f"codes(signal, src, vocabulary_id, code, is_prefix, site, is_exclude, descend) AS (VALUES {', '.join(codes)})",
        f"source_tables(signal, src, omop_table) AS (VALUES {', '.join(tables)})",
        f"unit_codes(signal, vocabulary_id, code, factor) AS (VALUES {', '.join(units)})",
        f"negative_codes(signal, vocabulary_id, code) AS (VALUES {', '.join(negatives)})",
        f"concept AS (SELECT concept_id, vocabulary_id, {_norm_sql('concept_code')} AS code "
        f"FROM read_parquet('{omop}/concept.parquet') WHERE vocabulary_id IN ({vocabularies}))",
        "matched AS (SELECT c.signal, c.src, c.site, c.is_exclude, c.descend, k.concept_id FROM codes c JOIN concept k "
        "ON k.vocabulary_id = c.vocabulary_id AND (k.code = c.code OR (c.is_prefix AND starts_with(k.code, c.code))))",
        "expanded AS (SELECT signal, src, site, is_exclude, concept_id FROM matched UNION "
        "SELECT m.signal, m.src, m.site, m.is_exclude, a.descendant_concept_id FROM matched m "
        f"JOIN read_parquet('{omop}/concept_ancestor.parquet') a ON a.ancestor_concept_id = m.concept_id "
        "WHERE m.descend)",
        "source_ids AS (SELECT signal, src, concept_id, max(site) AS site FROM expanded e "
        "WHERE NOT is_exclude AND NOT EXISTS "
        "(SELECT 1 FROM expanded x WHERE x.is_exclude AND x.src = e.src AND x.concept_id = e.concept_id) GROUP BY ALL)",
        "concept_map AS (SELECT DISTINCT t.omop_table, s.signal, s.concept_id, s.site FROM source_ids s "
        "JOIN source_tables t ON t.src = s.src)",
        "units AS (SELECT DISTINCT u.signal, k.concept_id, u.factor FROM unit_codes u JOIN concept k "
        "ON k.vocabulary_id = u.vocabulary_id AND k.code = u.code)",
        "negatives AS (SELECT DISTINCT n.signal, k.concept_id FROM negative_codes n JOIN concept k "
        "ON k.vocabulary_id = n.vocabulary_id AND k.code = n.code)",
    ]
    note_signals = {
        (g, s.id, src.note_result == "negative")
        for s in kb.score.signals
        for src in kb.sources(s.id)
        for g in src.note_terms
    }
    note_map = ", ".join(f"({_q(g)}, {_q(s)}, {str(neg).upper()})" for g, s, neg in sorted(note_signals))
    ctes.append(f"note_map(term_group, signal, result) AS (VALUES {note_map})")
    # a note reporting a negative result is a (negative) result, like a coded culture
    text = (
        "SELECT DISTINCT 'note' AS omop_table, h.note_id AS row_id, h.person_id, m.signal, h.note_date AS event_date, "
        "NULL::DATE, NULL::BIGINT, NULL::DOUBLE, CASE WHEN m.result THEN TRUE END, CASE WHEN m.result THEN TRUE END, "
        "h.site FROM note_hits h JOIN note_map m USING (term_group)"
    )
    domains = sorted(
        {t for src_tables in (s.tables for sig in kb.score.signals for s in kb.sources(sig.id)) for t in src_tables}
    )
    union = " UNION ALL ".join([f"({_domain_sql(t, omop)})" for t in domains] + [f"({text})"])
    ctes.append(
        f"raw_events AS ({union}), person AS (SELECT person_id, year_of_birth, month_of_birth, day_of_birth "
        f"FROM read_parquet('{omop}/person.parquet'))"
    )
    ctes.append(
        "events AS (SELECT e.*, CASE WHEN p.year_of_birth IS NULL THEN NULL "
        "WHEN year(e.event_date) - p.year_of_birth - "
        "CASE WHEN month(e.event_date) * 100 + day(e.event_date) < coalesce(p.month_of_birth, 1) * 100 + "
        f"coalesce(p.day_of_birth, 1) THEN 1 ELSE 0 END >= {kb.score.adult_age} THEN 'adult' ELSE 'child' END AS scope "
        "FROM raw_events e JOIN person p USING (person_id))"
    )
    return _final_sql(kb, ctes)


def _stat(signal: str, scope: str) -> str:
    return f"signal = '{signal}'{_scope(scope)}"


def _final_sql(kb: CaseFinding, ctes: list[str]) -> str:
    aggregates: dict[str, str] = {}

    def agg(signal: str, scope: str, stat: str, expr: str, extra: str = "") -> str:
        name = f"{signal}__{scope}__{stat}"
        aggregates[name] = f"{expr} FILTER (WHERE {_stat(signal, scope)}{extra}) AS {name}"
        return name

    diag = kb.score.diagnosed_signal
    fired: dict[str, str] = {}
    windows = []
    for f in kb.in_dependency_order():
        r = f.rule
        n = agg(f.signal, f.scope, "n", "count(row_id)")
        cond = f"coalesce({n} > 0, FALSE)"
        if r.windowed:
            windows.append(f"w_{f.id} AS ({_window_sql(f)})")
            cond += f" AND w_{f.id}.person_id IS NOT NULL"
        first, last = (
            agg(f.signal, f.scope, "first", "min(event_date)"),
            agg(f.signal, f.scope, "last", "max(event_date)"),
        )
        if r.min_span_days is not None and r.within_days is None:
            cond += f" AND coalesce(date_diff('day', {first}, {last}) >= {r.min_span_days}, FALSE)"
        if r.min_days is not None and r.course_days is None:
            cond += f" AND coalesce({agg(f.signal, f.scope, 'days', 'sum(days)')} >= {r.min_days}, FALSE)"
        if r.max_value is not None:
            count = agg(f.signal, f.scope, "n_values", "count(value)")
            top = agg(f.signal, f.scope, "max_value", "max(value)")
            cond += f" AND coalesce({count} > 0 AND {top} <= {r.max_value}, FALSE)"
        if r.all_negative:
            results = agg(f.signal, f.scope, "n_results", "count(row_id)", " AND has_result")
            negative = agg(f.signal, f.scope, "n_negative", "count(row_id)", " AND has_result AND negative")
            cond += f" AND coalesce({results} > 0 AND {negative} = {results}, FALSE)"
        if r.after and r.course_days is None:
            end = agg(f.signal, f.scope, "last_end", "max(end_date)")
            options = []
            for a in r.after:
                waited = f"date_diff('day', {end}, {agg(a.signal, f.scope, 'last', 'max(event_date)')})"
                options.append(
                    f"coalesce({waited} >= {a.min_days_after_end} AND {waited} <= {a.max_days_after_end}, FALSE)"
                )
            cond += f" AND ({' OR '.join(options)})"
        if f.requires:
            cond = f"({cond}) AND ({' OR '.join(f'({fired[q]})' for q in f.requires)})"
        fired[f.id] = f"({cond})"
    diag_n = agg(diag, "any", "n", "count(row_id)")
    diag_first = agg(diag, "any", "first", "min(event_date)")
    ctes += windows
    ctes.append(f"wide AS (SELECT person_id, {', '.join(aggregates.values())} FROM events GROUP BY person_id)")
    joins = " ".join(f"LEFT JOIN w_{f.id} USING (person_id)" for f in kb.features if f.rule.windowed)
    score = " + ".join(f"CASE WHEN {fired[f.id]} THEN {f.points} ELSE 0 END" for f in kb.features)
    columns = [
        "person_id::BIGINT AS person_id",
        f"({score})::BIGINT AS score",
        f"coalesce({diag_n} > 0, FALSE) AS diagnosed",
        f"{diag_first} AS diagnosed_first",
    ]
    for f in kb.features:
        first, last = f"{f.signal}__{f.scope}__first", f"{f.signal}__{f.scope}__last"
        columns += [
            f"{fired[f.id]} AS {f.id}",
            f"CASE WHEN {fired[f.id]} THEN {first} END AS {f.id}__first",
            f"CASE WHEN {fired[f.id]} THEN {last} END AS {f.id}__last",
        ]
    ctes.append(f"scored AS (SELECT {', '.join(columns)} FROM wide {joins})")
    return f"WITH {', '.join(ctes)} SELECT * FROM scored WHERE score > 0 OR diagnosed ORDER BY person_id"


# ------------------------------------------------------------------------------------------- the driver
def _child(args: list[str]) -> dict[str, Any]:
    print(f"-- {args[0]} {' '.join(args[1:])} (started {time.strftime('%H:%M:%S')})", flush=True)
    # stderr (the child's progress lines) goes straight through; stdout ends with the figures as JSON
    proc = subprocess.run([sys.executable, str(HERE), "--child", *args], check=True, stdout=subprocess.PIPE, text=True)
    figures: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return figures


def _same(a: Path, b: Path) -> bool:
    left, right = pq.read_table(a), pq.read_table(b)
    right = right.select(left.column_names).cast(left.schema)
    return bool(left.equals(right))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--spark-persons", type=int, default=100_000, help="0 skips the Spark comparison")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the data here (default: a temporary folder)")
    parser.add_argument(
        "--memory-limit",
        default=None,
        help="DuckDB memory limit of the screen and the baseline (default 2GB; at 10 M persons the target allows "
        "a peak RSS of 8 GB, and a larger limit spills less to disk)",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_limit:
        global MEMORY_LIMIT  # one setting for this process and (through the environment) its children
        MEMORY_LIMIT = os.environ["CNOPAD_BENCH_DUCKDB_MEMORY"] = args.memory_limit
    if args.child:
        kind, *rest = args.child
        out = {
            "generate": lambda: child_generate(int(rest[0]), int(rest[1]), Path(rest[2])),
            "screen": lambda: child_screen(Path(rest[0]), rest[1], Path(rest[2])),
            "baseline": lambda: child_baseline(Path(rest[0]), Path(rest[1])),
        }[kind]()
        print(json.dumps(out))
        return
    work = args.workdir or Path(tempfile.mkdtemp(prefix="cnopad-bench-"))
    try:
        run(args.persons, args.seed, args.spark_persons, work)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


def run(persons: int, seed: int, spark_persons: int, work: Path) -> None:
    """Run the benchmark and print its figures."""
    print(f"== cnopad population benchmark: {persons:,} persons, seed {seed}, DuckDB memory limit {MEMORY_LIMIT}")
    data = work / f"p{persons}"
    if not (data / "omop").is_dir():
        gen = _child(["generate", str(persons), str(seed), str(data)])
        print(f"generated in {gen['seconds']:.1f} s, peak RSS {gen['rss_mb']:.0f} MB; rows per table:")
        for name, rows in sorted(gen["rows"].items()):
            print(f"  {name:22s} {rows:>12,}")
        print("  persons per kind: " + ", ".join(f"{k} {v:,}" for k, v in sorted(gen["kinds"].items())))
    omop = data / "omop"
    screen = _child(["screen", str(omop), "duckdb", str(work / "screen.parquet")])
    base = _child(["baseline", str(omop), str(work / "baseline.parquet")])
    same = _same(work / "screen.parquet", work / "baseline.parquet")
    print(f"screen (cnopad, Ibis on DuckDB): {screen['seconds']:.2f} s, peak RSS {screen['rss_mb']:.0f} MB, "
          f"listed {screen['listed']:,}; stages {screen['stages']}")  # fmt: skip
    print(f"baseline (hand-written DuckDB SQL + the same clinlp step): {base['seconds']:.2f} s "
          f"(text {base['text_seconds']:.2f} s, SQL {base['sql_seconds']:.2f} s), "
          f"peak RSS {base['rss_mb']:.0f} MB")  # fmt: skip
    structured = screen["stages"]["resolve"] + screen["stages"]["score"]
    print(f"ratio screen / baseline: {screen['seconds'] / base['seconds']:.2f}x (whole run); "
          f"structured part (resolve + score) / SQL: {structured / base['sql_seconds']:.2f}x")  # fmt: skip
    print(f"results identical: {same}")
    assert same, "the screen and the hand-written SQL disagree"
    if spark_persons:
        _spark(spark_persons, seed, work)


def _spark(persons: int, seed: int, work: Path) -> None:
    data = work / f"spark{persons}"
    if not (data / "omop").is_dir():
        _child(["generate", str(persons), str(seed), str(data)])
    duck = _child(["screen", str(data / "omop"), "duckdb", str(work / "spark_duck.parquet")])
    spark = _child(["screen", str(data / "omop"), "spark", str(work / "spark.parquet")])
    same = _same(work / "spark_duck.parquet", work / "spark.parquet")
    print(f"spark local[2] on {persons:,} persons: {spark['seconds']:.1f} s (DuckDB {duck['seconds']:.1f} s), "
          f"listed {spark['listed']:,} vs {duck['listed']:,}; identical scores and ranking: {same}")  # fmt: skip
    assert same, "Spark and DuckDB disagree"


if __name__ == "__main__":
    main()
