"""Time in the population screen: what was known on a date (as-of), and the dates a replay screens on.

A screen "as of" a date reads only records dated on or before it: events after it are dropped, a drug
exposure still running on that date counts only its days up to it, and persons born after it are not in
the population yet. The date and step options are parsed here, so every command refuses bad values with
the option's name.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date

import ibis
import ibis.expr.types as ir

from cnopad.domain.input_rules import check_date
from cnopad.errors import InputError

_STEP = re.compile(r"^(\d{1,3})([dwmy])$")


def parse_date(option: str, text: str) -> date:
    """An ISO date (YYYY-MM-DD) given to ``option``; InputError naming the option when it is not one."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(option, f"{text!r} is not a date (use YYYY-MM-DD)") from None
    # the same plausible range as every other date cnopad is given (docs/security.md, Input rules)
    return check_date(option, day, today=date.today())


def parse_step(option: str, text: str) -> tuple[int, str]:
    """A step such as ``6m``, ``1y``, ``2w`` or ``30d``: (count, unit); InputError naming the option otherwise."""
    m = _STEP.match(text.strip().lower())
    if m is None or int(m.group(1)) == 0:
        raise InputError(option, f"{text!r} is not a step; use a number and d, w, m or y (e.g. 6m, 1y)")
    return int(m.group(1)), m.group(2)


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def shift(day: date, count: int, unit: str) -> date:
    """``day`` moved by ``count`` steps of ``unit`` (d, w, m, y); negative counts move back."""
    if unit == "d":
        return date.fromordinal(day.toordinal() + count)
    if unit == "w":
        return date.fromordinal(day.toordinal() + 7 * count)
    return add_months(day, count * (12 if unit == "y" else 1))


def screen_dates(start: date, end: date, step: tuple[int, str]) -> list[date]:
    """The dates from ``start`` to ``end`` (both included when the step lands on it), ``step`` apart."""
    count, unit = step
    out: list[date] = []
    k = 0
    while (d := shift(start, k * count, unit)) <= end:
        out.append(d)
        k += 1
    return out


def events_until(ev: ir.Table, as_of: date) -> ir.Table:
    """The events known on ``as_of``: dated on or before it, with drug courses cut off at it."""
    cut = ibis.literal(as_of, "date")
    known = ev.filter(ev.event_date <= cut)
    running = known.end_date.notnull() & (known.end_date > cut)
    return known.mutate(
        end_date=ibis.ifelse(running, cut, known.end_date),
        days=ibis.ifelse(running, cut.delta(known.event_date, unit="day") + 1, known.days).cast("int64"),
    )


def born_by(person: ir.Table, as_of: date) -> ir.BooleanValue:
    """True for persons born on or before ``as_of`` (a missing birth month or day counts as the first)."""
    born = person.year_of_birth * 10000 + person.month_of_birth.fill_null(1) * 100 + person.day_of_birth.fill_null(1)
    return born <= as_of.year * 10000 + as_of.month * 100 + as_of.day
