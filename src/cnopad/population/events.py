"""Events: every CDM row (and note mention) that belongs to a signal, as one Ibis table.

A row counts when its standard concept or its source concept is in the signal's resolved concept set;
a row matching on both columns counts once. Each event carries what the rules need: its date, the
exposure days and end of a drug, a measurement value in the rule's unit, whether a result is negative,
and the body site of the code, else the site written in the row's text (``row_sites``: one event per site
when the text names several). The age scope is taken at the event date.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from cnopad.population.cdm import DOMAINS, Domain
from cnopad.population.resolve import Resolution
from cnopad.population.source import Omop

#: the schema every branch of the event union has
EVENT_SCHEMA = ibis.schema(
    {
        "omop_table": "string",
        "row_id": "int64",
        "person_id": "int64",
        "signal": "string",
        "event_date": "date",
        "end_date": "date",
        "days": "int64",
        "value": "float64",
        "has_result": "boolean",
        "negative": "boolean",
        "site": "string",
    }
)

#: note mentions that count, as (note_id, person_id, note_date, term group, body site or null)
TEXT_HIT_SCHEMA = pa.schema(
    [
        ("note_id", pa.int64()),
        ("person_id", pa.int64()),
        ("note_date", pa.date32()),
        ("term_group", pa.string()),
        ("site", pa.string()),
    ]
)

#: body sites written in the text of coded rows (condition_source_value ...), as (table, row id, site)
ROW_SITE_SCHEMA = pa.schema([("omop_table", pa.string()), ("row_id", pa.int64()), ("site", pa.string())])


def events(
    omop: Omop,
    resolution: Resolution,
    text_hits: pa.Table,
    *,
    adult_age: int,
    row_sites: pa.Table | None = None,
) -> ir.Table | None:
    """All events of all signals with their age scope ('adult', 'child'; null without a birth year)."""
    cmap = ibis.memtable(resolution.concept_rows)
    parts: list[ir.Table] = []
    for table in sorted(set(resolution.concept_rows.column("omop_table").to_pylist())):
        texts = None
        if row_sites is not None and table in set(row_sites.column("omop_table").to_pylist()):
            texts = ibis.memtable(row_sites.filter(pc.equal(row_sites["omop_table"], table)))
        parts.append(_domain_events(omop, DOMAINS[table], cmap, resolution, texts))
    text = _text_events(text_hits, resolution)
    if text is not None:
        parts.append(text)
    if not parts:
        return None
    union = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    return _with_scope(union, omop.tables["person"], adult_age)


def _domain_events(
    omop: Omop, domain: Domain, cmap: ir.Table, resolution: Resolution, texts: ir.Table | None = None
) -> ir.Table:
    t = omop.tables[domain.table]
    cm = cmap.filter(cmap.omop_table == domain.table).select("signal", "concept_id", "site").distinct()
    start = t[domain.date]
    extra: dict[str, ir.Value] = {}
    if domain.table == "drug_exposure":
        end = t.drug_exposure_end_date
        valid_end = end.notnull() & (end >= start)
        extra["days"] = ibis.ifelse(
            valid_end,
            end.delta(start, unit="day") + 1,
            ibis.ifelse(t.days_supply > 0, t.days_supply, 1),
        ).cast("int64")
        extra["end_date"] = ibis.ifelse(valid_end, end, start)
    if domain.table == "measurement":
        extra["number"] = t.value_as_number
        extra["unit"] = t.unit_concept_id
        extra["result"] = t.value_as_concept_id
    base = t.select(
        row_id=t[domain.row_id],
        person_id=t.person_id,
        event_date=start,
        std=t[domain.concept],
        src=t[domain.source_concept],
        **extra,
    )
    # A row counts once for each (signal, site) its standard or its source concept maps to. Only rows whose
    # two concepts are both in the map can give the same event twice, so only those are de-duplicated: a
    # DISTINCT over every event took a sixth of a 10-million-person screen (in the synthetic data most rows
    # map by one of their concepts only; where both map, the cost is what it was)
    ids = _concept_ids(resolution, domain.table)
    in_std = base.std.isin(ids).fill_null(False)
    in_src = base.src.isin(ids).fill_null(False)
    ts = None if texts is None else texts.select(text_row=texts.row_id, text_site=texts.site).distinct()

    def mapped(rows: ir.Table, concept: str) -> ir.Table:
        joined = rows.join(cm, rows[concept] == cm.concept_id)
        # the site the code spells wins; else each site the row's text names (one event per site)
        return _shape(joined if ts is None else _with_text_site(joined, ts), domain.table, resolution)

    both = base.filter(in_std & in_src)
    return mapped(base.filter(in_std & ~in_src), "std").union(
        mapped(base.filter(~in_std & in_src), "src"),
        mapped(both, "std").union(mapped(both, "src"), distinct=True),
        distinct=False,
    )


def _concept_ids(resolution: Resolution, table: str) -> list[int]:
    rows = resolution.concept_rows
    mine = rows.filter(pc.equal(rows["omop_table"], table)).column("concept_id").to_pylist()
    return sorted({int(i) for i in mine})


def _with_text_site(joined: ir.Table, texts: ir.Table) -> ir.Table:
    j = joined.left_join(texts, joined.row_id == texts.text_row)
    return j.mutate(site=j.site.fill_null(j.text_site)).drop("text_row", "text_site")


def _shape(joined: ir.Table, table: str, resolution: Resolution) -> ir.Table:
    null_int = ibis.null().cast("int64")
    null_date = ibis.null().cast("date")
    null_float = ibis.null().cast("float64")
    null_bool = ibis.null().cast("boolean")
    cols: dict[str, ir.Value] = {
        "omop_table": ibis.literal(table, "string"),
        "row_id": joined.row_id,
        "person_id": joined.person_id,
        "signal": joined.signal,
        "event_date": joined.event_date,
        "end_date": joined.end_date if table == "drug_exposure" else null_date,
        "days": joined.days if table == "drug_exposure" else null_int,
        "value": _value(joined, resolution) if table == "measurement" else null_float,
        "has_result": (joined.result.notnull() & (joined.result != 0)) if table == "measurement" else null_bool,
        "negative": _negative(joined, resolution) if table == "measurement" else null_bool,
        "site": joined.site,
    }
    return joined.select(**cols)


def _value(joined: ir.Table, resolution: Resolution) -> ir.Value:
    """The measurement value in the rule's unit, or null when its unit is not one the signal reads."""
    branches = [
        ((joined.signal == signal) & (joined.unit == unit_id), joined.number * factor)
        for signal, units in sorted(resolution.units.items())
        for unit_id, factor in sorted(units.items())
    ]
    if not branches:
        return ibis.null().cast("float64")
    return ibis.cases(*branches, else_=ibis.null().cast("float64")).cast("float64")


def _negative(joined: ir.Table, resolution: Resolution) -> ir.Value:
    branches = [
        (joined.signal == signal, joined.result.isin(list(ids)))
        for signal, ids in sorted(resolution.negatives.items())
        if ids
    ]
    if not branches:
        return ibis.literal(False)
    return ibis.cases(*branches, else_=ibis.literal(False))


def _text_events(hits: pa.Table, resolution: Resolution) -> ir.Table | None:
    """Note mentions as events of every signal their term group feeds."""
    rows: dict[str, list[object]] = {name: [] for name in EVENT_SCHEMA.names}
    groups = hits.column("term_group").to_pylist()
    for i, group in enumerate(groups):
        for signal in resolution.note_groups.get(group, ()):
            rows["omop_table"].append("note")
            rows["row_id"].append(hits.column("note_id")[i].as_py())
            rows["person_id"].append(hits.column("person_id")[i].as_py())
            rows["signal"].append(signal)
            rows["event_date"].append(hits.column("note_date")[i].as_py())
            # a note that reports a negative result ("kweek negatief") is a result, like a coded culture
            result = True if (group, signal) in resolution.note_negative else None
            rows["has_result"].append(result)
            rows["negative"].append(result)
            rows["site"].append(hits.column("site")[i].as_py())
            for name in ("end_date", "days", "value"):
                rows[name].append(None)
    if not rows["signal"]:
        return None
    table = pa.table(rows, schema=EVENT_SCHEMA.to_pyarrow())
    return ibis.memtable(table)


def _with_scope(ev: ir.Table, person: ir.Table, adult_age: int) -> ir.Table:
    """The age scope at each event: adult from the birthday on which the person turns ``adult_age``.

    The age is the whole years between birth (month and day 1 when unknown) and the event. Per person, the
    year in which that birthday falls is bracketed by two dates, so the parts of an event's date are read
    only for events in that year: reading them for every event was the costliest expression of a large
    screen. A birth year no date type can hold (a broken record) gets no brackets and the full rule.
    """
    year = person.year_of_birth + adult_age
    # every backend's make_date takes these years; 2000 only stands in where the brackets are not used
    usable = year.between(1, 9998)
    usable_year = ibis.ifelse(usable, year, 2000)
    no_date = ibis.null().cast("date")
    p = person.select(
        "person_id",
        "year_of_birth",
        turns=(person.month_of_birth.fill_null(1) * 100 + person.day_of_birth.fill_null(1)),
        year_starts=ibis.ifelse(usable, ibis.date(usable_year, 1, 1), no_date),
        year_ends=ibis.ifelse(usable, ibis.date(usable_year + 1, 1, 1), no_date),
    )
    j = ev.join(p, "person_id")
    d = j.event_date
    birthday_later = (d.month() * 100 + d.day()) < j.turns
    age = d.year() - j.year_of_birth - ibis.ifelse(birthday_later, 1, 0)
    # a comparison with a missing bracket is null and falls through to the full rule
    adult = ibis.cases((d < j.year_starts, False), (d >= j.year_ends, True), else_=age >= adult_age)
    scope = ibis.ifelse(adult, "adult", "child")
    return j.select(*EVENT_SCHEMA.names, scope=ibis.ifelse(j.year_of_birth.isnull(), ibis.null().cast("string"), scope))
