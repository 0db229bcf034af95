"""The screening score as one Ibis expression: per person, which features fired, when, and the points.

Events are aggregated once per person into the statistics the rules need (per signal and age scope:
record count, first and last date, distinct sites, exposure days, last exposure end, largest value,
results and negative results); rules over time windows come from ``windows.py`` as per-person flags.
Each feature is then a boolean column over those statistics; a feature
that cannot be resolved in the data is the constant False (and is reported apart). The score is the sum
of the points of the features that fired. The same expression runs on DuckDB, PySpark and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import ibis
import ibis.expr.types as ir

from cnopad.knowledge.casefinding import CaseFinding, Feature
from cnopad.population.resolve import Resolution
from cnopad.population.windows import flag_column, windowed_persons

DIAGNOSED = "diagnosed"


@dataclass(frozen=True)
class _Need:
    signal: str
    scope: str


def _col(signal: str, scope: str, stat: str) -> str:
    return f"s__{signal}__{scope}__{stat}"


def _stats(kb: CaseFinding) -> dict[_Need, set[str]]:
    """Which statistics of which (signal, scope) the features use."""
    needs: dict[_Need, set[str]] = {}

    def need(signal: str, scope: str, *stats: str) -> None:
        needs.setdefault(_Need(signal, scope), {"n", "first", "last"}).update(stats)

    need(kb.score.diagnosed_signal, "any")
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


def _aggregates(ev: ir.Table, kb: CaseFinding) -> dict[str, ir.Scalar]:
    out: dict[str, ir.Scalar] = {}
    for need, stats in sorted(_stats(kb).items(), key=lambda kv: (kv[0].signal, kv[0].scope)):
        where = ev.signal == need.signal
        if need.scope != "any":
            where = where & (ev.scope == need.scope)
        name = partial(_col, need.signal, need.scope)
        out[name("n")] = ev.row_id.count(where=where)
        out[name("first")] = ev.event_date.min(where=where)
        out[name("last")] = ev.event_date.max(where=where)
        if "sites" in stats:
            out[name("sites")] = ev.site.nunique(where=where)
        if "days" in stats:
            out[name("days")] = ev.days.sum(where=where)
            out[name("last_end")] = ev.end_date.max(where=where)
        if "max_value" in stats:
            out[name("max_value")] = ev.value.max(where=where)
            out[name("n_values")] = ev.value.count(where=where)
        if "n_results" in stats:
            out[name("n_results")] = ev.row_id.count(where=where & ev.has_result)
            out[name("n_negative")] = ev.row_id.count(where=where & ev.has_result & ev.negative)
    return out


def _fires(f: Feature, t: ir.Table) -> ir.BooleanValue:
    """The feature's own rule over its signal's statistics (requirements are added by the caller)."""

    def s(stat: str, signal: str = f.signal) -> ir.Value:
        return t[_col(signal, f.scope, stat)]

    r = f.rule
    cond = s("n") > 0
    if r.windowed:
        cond = cond & t[flag_column(f.id)].fill_null(False)
    if r.min_span_days is not None and r.within_days is None:
        cond = cond & (s("last").delta(s("first"), unit="day") >= r.min_span_days)
    if r.min_sites is not None and r.within_days is None:
        cond = cond & (s("sites") >= r.min_sites)
    if r.min_days is not None and r.course_days is None:
        cond = cond & (s("days") >= r.min_days)
    if r.max_value is not None:
        cond = cond & (s("n_values") > 0) & (s("max_value") <= r.max_value)
    if r.all_negative:
        cond = cond & (s("n_results") > 0) & (s("n_negative") == s("n_results"))
    if r.after and r.course_days is None:
        followed: ir.BooleanValue = ibis.literal(False)
        for after in r.after:
            waited = s("last", after.signal).delta(s("last_end"), unit="day")
            in_window = (waited >= after.min_days_after_end) & (waited <= after.max_days_after_end)
            followed = followed | in_window.fill_null(False)
        cond = cond & followed
    return cond.fill_null(False)


def person_scores(ev: ir.Table, kb: CaseFinding, resolution: Resolution) -> ir.Table:
    """One row per person with any event: score, diagnosed flag and date, and per feature fired/first/last."""
    wide = ev.group_by("person_id").aggregate(**_aggregates(ev, kb))
    for f in kb.features:
        if f.rule.windowed and resolution.fired_possible(f.id):
            flags = windowed_persons(ev, f).mutate(**{flag_column(f.id): ibis.literal(True)})
            wide = wide.left_join(flags, "person_id").drop("person_id_right")
    fired: dict[str, ir.BooleanValue] = {}
    for f in kb.in_dependency_order():
        if not resolution.fired_possible(f.id):
            fired[f.id] = ibis.literal(False)
            continue
        cond = _fires(f, wide)
        if f.requires:
            anchor = fired[f.requires[0]]
            for r in f.requires[1:]:
                anchor = anchor | fired[r]
            cond = cond & anchor
        fired[f.id] = cond
    score = ibis.literal(0)
    for f in kb.features:
        score = score + ibis.ifelse(fired[f.id], f.points, 0)
    diag_signal = kb.score.diagnosed_signal
    diagnosed = wide[_col(diag_signal, "any", "n")] > 0
    if not resolution.signals[diag_signal].resolved:
        diagnosed = ibis.literal(False)
    cols: dict[str, ir.Value] = {
        "person_id": wide.person_id,
        "score": score.cast("int64"),
        DIAGNOSED: diagnosed.fill_null(False),
        "diagnosed_first": wide[_col(diag_signal, "any", "first")],
    }
    for f in kb.features:
        cols[f.id] = fired[f.id]
        cols[f"{f.id}__first"] = ibis.ifelse(
            fired[f.id], wide[_col(f.signal, f.scope, "first")], ibis.null().cast("date")
        )
        cols[f"{f.id}__last"] = ibis.ifelse(
            fired[f.id], wide[_col(f.signal, f.scope, "last")], ibis.null().cast("date")
        )
    result = wide.select(**cols)
    return result.filter((result.score > 0) | result[DIAGNOSED])
