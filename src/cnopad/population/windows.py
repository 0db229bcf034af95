"""Rules that look at records within a time window, as Ibis self-joins per person.

Two kinds: pairs of records of a signal no more than ``within_days`` apart (recurring at least
``min_span_days`` later, or at two different body sites), and courses of drug exposures starting within
``course_days`` of each other whose days add up to ``min_days`` (optionally followed, ``after``, by
another signal recorded within a window of days after the course ended). Each yields the persons for whom it holds.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cnopad.knowledge.casefinding import Feature

#: the site name of a code for several sites at once
MULTIPLE = "multiple"


def windowed_persons(ev: ir.Table, f: Feature) -> ir.Table:
    """The persons (one column, person_id) for whom the feature's windowed rule holds."""
    mine = ev.filter((ev.signal == f.signal) & _in_scope(ev, f.scope))
    if f.rule.course_days is not None:
        return _courses(ev, mine, f)
    return _pairs(mine, f)


def _in_scope(ev: ir.Table, scope: str) -> ir.BooleanValue:
    return ibis.literal(True) if scope == "any" else ev.scope == scope


def _pairs(mine: ir.Table, f: Feature) -> ir.Table:
    r = f.rule
    assert r.within_days is not None  # noqa: S101 - guaranteed by Rule's validator
    a = mine.select("person_id", day=mine.event_date, site=mine.site).distinct()
    b = a.view()
    gap = b.day.delta(a.day, unit="day")
    predicates = [a.person_id == b.person_id, gap <= r.within_days]
    if r.min_span_days is not None:
        predicates.append(gap >= r.min_span_days)
    if r.min_sites is not None:
        # two different sites within the window (min_sites is 2: the validator allows no other pair rule); a
        # site and the same site with a side ("lower_leg", "lower_leg_right") may be one place, so neither
        # may begin with the other, while the two sides of one region ("..._left", "..._right") are two
        predicates += [gap >= 0, a.site.notnull(), b.site.notnull(), a.site != b.site]
        predicates += [_not_prefix(a.site, b.site), _not_prefix(b.site, a.site)]
        pairs = a.join(b, predicates).select(person_id=a.person_id)
        # a code for multiple sites (ICD-10-CM M86.x9) is several sites on its own
        several = a.filter(a.site == MULTIPLE).select("person_id")
        return pairs.union(several, distinct=True)
    return a.join(b, predicates).select(person_id=a.person_id).distinct()


def _not_prefix(longer: ir.StringValue, prefix: ir.StringValue) -> ir.BooleanValue:
    """True when ``longer`` does not begin with ``prefix`` (plain SUBSTRING: every backend has it)."""
    return longer.substr(0, prefix.length()) != prefix


def _courses(ev: ir.Table, mine: ir.Table, f: Feature) -> ir.Table:
    r = f.rule
    assert r.course_days is not None and r.min_days is not None  # noqa: S101 - guaranteed by Rule's validator
    x = mine.select("person_id", "row_id", start=mine.event_date, end=mine.end_date, days=mine.days)
    y = x.view()
    gap = y.start.delta(x.start, unit="day")
    pairs = x.join(y, [x.person_id == y.person_id, gap >= 0, gap <= r.course_days]).select(
        person_id=x.person_id, course=x.row_id, days=y.days, end=y.end
    )
    courses = pairs.group_by("person_id", "course").aggregate(days=pairs.days.sum(), end=pairs.end.max())
    long = courses.filter(courses.days >= r.min_days)
    if not r.after:
        return long.select("person_id").distinct()
    found: list[ir.Table] = []
    for after in r.after:
        later = ev.filter((ev.signal == after.signal) & _in_scope(ev, f.scope)).select("person_id", day=ev.event_date)
        waited = later.day.delta(long.end, unit="day")
        window = [waited >= after.min_days_after_end, waited <= after.max_days_after_end]
        found.append(long.join(later, [long.person_id == later.person_id, *window]).select(person_id=long.person_id))
    return found[0].union(*found[1:], distinct=True) if len(found) > 1 else found[0].distinct()
