"""The screening score as Ibis expressions: per person, which features fired, when, and the points.

Three steps, each a set operation that runs the same on DuckDB, PySpark and PostgreSQL:

1. **Statistics per person, signal and age scope** (``signal_stats``): record count, first and last date,
   distinct sites, exposure days, last exposure end, largest value, results and negative results. Only the
   (signal, scope) pairs some feature reads are kept: adult limb complaints and antibiotics are common and
   count for nothing, and dropping them first keeps the aggregation small.
2. **Per feature, the persons for whom it fires** (one row each, with the first and last date of its
   signal): the rule over its own statistics, the windowed rules from ``windows.py``, the signal that must
   follow it, and the features it requires. A feature that cannot be resolved in the data fires for nobody
   (and is reported apart).
3. **One row per person** that fired anything or is diagnosed, from those sparse rows: the score is the sum
   of the points of the features that fired.

Why not one wide aggregation of all events with a filtered aggregate per statistic (as before 2026-11-30):
its state is some seventy aggregates for every person with any event: on 10 million persons that aggregation
took 139 of the query's 341 CPU-seconds, and the query spilled 9.4 GB to disk.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from cnopad.knowledge.casefinding import CaseFinding, Feature
from cnopad.population.resolve import Resolution
from cnopad.population.windows import windowed_persons

DIAGNOSED = "diagnosed"
#: the scope of a statistic over all of a person's records (adult, child and unknown age alike)
ANY = "any"


@dataclass(frozen=True)
class _Need:
    signal: str
    scope: str


def _stats(kb: CaseFinding) -> dict[_Need, set[str]]:
    """Which statistics of which (signal, scope) the features use."""
    needs: dict[_Need, set[str]] = {}

    def need(signal: str, scope: str, *stats: str) -> None:
        needs.setdefault(_Need(signal, scope), {"n", "first", "last"}).update(stats)

    need(kb.score.diagnosed_signal, ANY)
    for f in kb.features:
        r = f.rule
        stats = set()
        if r.min_sites is not None and r.within_days is None:
            stats.add("sites")
        if r.min_days is not None and r.course_days is None:
            stats |= {"days", "last_end"}
        if r.max_value is not None:
            stats |= {"max_value", "n_values"}
        if r.all_negative:
            stats |= {"n_results", "n_negative"}
        need(f.signal, f.scope, *stats)
        if r.course_days is None:
            for after in r.after:
                need(after.signal, f.scope)
    return needs


def signal_stats(ev: ir.Table, kb: CaseFinding) -> ir.Table:
    """One row per person, signal and scope the features read, with the statistics their rules use.

    A statistic over all scopes (``any``) is a row of its own with scope ``any``, so a signal read both in
    one scope and in all of them is counted in both rows.
    """
    needs = _stats(kb)
    wanted = set().union(*needs.values())
    anywhere = sorted({n.signal for n in needs if n.scope == ANY})
    keep: ir.BooleanValue = ibis.literal(False)
    for scope in sorted({n.scope for n in needs if n.scope != ANY}):
        keep = keep | ((ev.scope == scope) & ev.signal.isin(sorted({n.signal for n in needs if n.scope == scope})))
    scoped = ev.filter(keep)
    parts = [scoped]
    if anywhere:
        parts.append(ev.filter(ev.signal.isin(anywhere)).mutate(scope=ibis.literal(ANY, "string")))
    rows = _union(parts)
    aggregates: dict[str, ir.Scalar] = {
        "n": rows.row_id.count(),
        "first": rows.event_date.min(),
        "last": rows.event_date.max(),
    }
    if "sites" in wanted:
        aggregates["sites"] = rows.site.nunique()
    if "days" in wanted:
        aggregates["days"] = rows.days.sum()
        aggregates["last_end"] = rows.end_date.max()
    if "max_value" in wanted:
        aggregates["max_value"] = rows.value.max()
        aggregates["n_values"] = rows.value.count()
    if "n_results" in wanted:
        aggregates["n_results"] = rows.row_id.count(where=rows.has_result)
        aggregates["n_negative"] = rows.row_id.count(where=rows.has_result & rows.negative)
    return rows.group_by("person_id", "signal", "scope").aggregate(**aggregates)


def _union(tables: list[ir.Table], *, distinct: bool = False) -> ir.Table:
    """The rows of all ``tables`` (one or more), without duplicates when ``distinct``."""
    if len(tables) == 1:
        return tables[0].distinct() if distinct else tables[0]
    return tables[0].union(*tables[1:], distinct=distinct)


def _of(stats: ir.Table, signal: str, scope: str) -> ir.Table:
    return stats.filter((stats.signal == signal) & (stats.scope == scope))


def _own_rule(f: Feature, stats: ir.Table, ev: ir.Table) -> ir.Table:
    """The persons whose records meet the feature's own rule (person_id, first, last); requirements apart."""
    r = f.rule
    s = _of(stats, f.signal, f.scope)
    cond: ir.BooleanValue = s.n > 0
    if r.min_span_days is not None and r.within_days is None:
        cond = cond & (s["last"].delta(s["first"], unit="day") >= r.min_span_days)
    if r.min_sites is not None and r.within_days is None:
        cond = cond & (s.sites >= r.min_sites)
    if r.min_days is not None and r.course_days is None:
        cond = cond & (s.days >= r.min_days)
    if r.max_value is not None:
        cond = cond & (s.n_values > 0) & (s.max_value <= r.max_value)
    if r.all_negative:
        cond = cond & (s.n_results > 0) & (s.n_negative == s.n_results)
    own = s.filter(cond.fill_null(False))
    if r.windowed:
        own = own.semi_join(windowed_persons(ev, f), "person_id")
    if r.after and r.course_days is None:
        own = _followed(f, own, stats)
    return own.select("person_id", "first", "last")


def _followed(f: Feature, own: ir.Table, stats: ir.Table) -> ir.Table:
    """Those of ``own`` whose last record of a following signal lies in its window after the exposure ended."""
    found: list[ir.Table] = []
    for after in f.rule.after:
        later = _of(stats, after.signal, f.scope).select(later_id="person_id", later_last="last")
        waited = later.later_last.delta(own.last_end, unit="day")
        window = [
            own.person_id == later.later_id,
            waited >= after.min_days_after_end,
            waited <= after.max_days_after_end,
        ]
        found.append(own.join(later, window).select(*own.columns))
    return _union(found, distinct=True)


def fired_persons(ev: ir.Table, kb: CaseFinding, resolution: Resolution, stats: ir.Table) -> dict[str, ir.Table]:
    """Per feature that can fire in this data: the persons it fires for (person_id, first, last)."""
    fired: dict[str, ir.Table] = {}
    for f in kb.in_dependency_order():
        if not resolution.fired_possible(f.id):
            continue
        own = _own_rule(f, stats, ev)
        if f.requires:
            anchors = [fired[r].select("person_id") for r in f.requires if r in fired]
            if not anchors:
                continue
            anchor = _union(anchors, distinct=True)
            own = own.semi_join(anchor, "person_id")
        fired[f.id] = own
    return fired


def person_scores(
    ev: ir.Table, kb: CaseFinding, resolution: Resolution, stats: ir.Table | None = None, *, backend: str = "duckdb"
) -> ir.Table:
    """One row per person who scores or is diagnosed: score, diagnosed flag and date, and per feature
    fired/first/last. ``stats`` is ``signal_stats(ev, kb)`` when the caller has it cached."""
    stats = signal_stats(ev, kb) if stats is None else stats
    found: dict[str, ir.Table] = fired_persons(ev, kb, resolution, stats)
    diag_signal = kb.score.diagnosed_signal
    if resolution.signals[diag_signal].resolved:
        found[DIAGNOSED] = _of(stats, diag_signal, ANY).select("person_id", "first", "last")
    if not found:
        # nothing can fire and nobody can be known as diagnosed: nobody is listed
        found[DIAGNOSED] = stats.filter(ibis.literal(False)).select("person_id", "first", "last")
    wide = _pivot_by_aggregation(found) if backend == "spark" else _pivot_by_joins(found)
    null_date = ibis.null().cast("date")

    def hit(name: str) -> ir.BooleanValue:
        return wide[f"{name}__hit"].fill_null(False) if name in found else ibis.literal(False)

    def date_of(name: str, end: str) -> ir.Value:
        return wide[f"{name}__{end}"] if name in found else null_date

    score: ir.IntegerValue = ibis.literal(0, "int64")
    for f in kb.features:
        score = score + ibis.ifelse(hit(f.id), f.points, 0)
    cols: dict[str, ir.Value] = {
        "person_id": wide.person_id,
        "score": score.cast("int64"),
        DIAGNOSED: hit(DIAGNOSED),
        "diagnosed_first": date_of(DIAGNOSED, "first"),
    }
    for f in kb.features:
        cols[f.id] = hit(f.id)
        cols[f"{f.id}__first"] = date_of(f.id, "first")
        cols[f"{f.id}__last"] = date_of(f.id, "last")
    result = wide.select(**cols)
    return result.filter((result.score > 0) | result[DIAGNOSED])


def _pivot_by_joins(found: dict[str, ir.Table]) -> ir.Table:
    """Per person listed, ``<name>__hit``, ``__first`` and ``__last`` of each table in ``found`` (one row per
    person each): a left join per table. On DuckDB this is far cheaper than an aggregation, which holds three
    aggregates per feature for every person."""
    ids = [t.select("person_id") for t in found.values()]
    wide = _union(ids, distinct=True)
    for i, (name, t) in enumerate(found.items()):
        right = t.select(**{f"k{i}": t.person_id, f"{name}__hit": ibis.literal(True),
                            f"{name}__first": t["first"], f"{name}__last": t["last"]})  # fmt: skip
        wide = wide.left_join(right, wide.person_id == right[f"k{i}"]).drop(f"k{i}")
    return wide


def _pivot_by_aggregation(found: dict[str, ir.Table]) -> ir.Table:
    """The same as ``_pivot_by_joins`` by one aggregation over the rows of all tables: Spark plans two dozen
    chained joins as as many shuffles, and ran out of its default 1 GB of memory on them at 1 million persons."""
    # the rows name their table by number: every row is tested once per output column
    parts = [
        t.select("person_id", "first", "last", which=ibis.literal(i, "int16")) for i, t in enumerate(found.values())
    ]
    rows = _union(parts)
    columns: dict[str, ir.Scalar] = {}
    for i, name in enumerate(found):
        mine = rows.which == i
        columns[f"{name}__hit"] = rows.person_id.count(where=mine) > 0
        columns[f"{name}__first"] = rows["first"].min(where=mine)
        columns[f"{name}__last"] = rows["last"].max(where=mine)
    return rows.group_by("person_id").aggregate(**columns)
