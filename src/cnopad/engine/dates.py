"""Calendar arithmetic the rules and schedules need (months that clamp to the month's last day)."""

from __future__ import annotations

from datetime import date, timedelta

from cnopad.domain.values import PeriodUnit

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months; the 31st of a shorter month becomes its last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if day.day <= 28:
        return date(year, month + 1, day.day)
    leap = month == 1 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return date(year, month + 1, min(day.day, _MONTH_DAYS[month] + leap))


def add_period(day: date, every: int, unit: PeriodUnit) -> date:
    """``day`` moved by a FHIR Timing period (days, weeks, months or years)."""
    if unit is PeriodUnit.DAY:
        return day + timedelta(days=every)
    if unit is PeriodUnit.WEEK:
        return day + timedelta(weeks=every)
    if unit is PeriodUnit.MONTH:
        return add_months(day, every)
    return add_months(day, 12 * every)


_SPANS: dict[int, timedelta] = {}


def days(n: int) -> timedelta:
    """A span of ``n`` days (cached: the rules ask for the same few windows on every assessment)."""
    span = _SPANS.get(n)
    if span is None:
        span = _SPANS[n] = timedelta(days=n)
    return span
