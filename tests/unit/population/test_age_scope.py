"""The age scope of a screen's events: adult from the 18th birthday, by the same rule for every birth date.

The scope is computed with per-person brackets of the year of the 18th birthday (``events._with_scope``);
these tests hold it to the plain rule (whole years between birth and event, month and day 1 when unknown)
for ordinary, leap-day, unknown and broken birth dates.
"""

from __future__ import annotations

from datetime import date

import ibis
import pyarrow as pa  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st

from cnopad.population.events import EVENT_SCHEMA, _with_scope

ADULT_AGE = 18


def expected(event: date, year: int | None, month: int | None, day: int | None) -> str | None:
    if year is None:
        return None
    later = event.month * 100 + event.day < (month or 1) * 100 + (day or 1)
    return "adult" if event.year - year - (1 if later else 0) >= ADULT_AGE else "child"


def scopes(cases: list[tuple[date, int | None, int | None, int | None]]) -> list[str | None]:
    persons = pa.table(
        {
            "person_id": pa.array(range(len(cases)), pa.int64()),
            "year_of_birth": pa.array([c[1] for c in cases], pa.int64()),
            "month_of_birth": pa.array([c[2] for c in cases], pa.int64()),
            "day_of_birth": pa.array([c[3] for c in cases], pa.int64()),
        }
    )
    columns: dict[str, pa.Array] = {
        name: pa.nulls(len(cases), EVENT_SCHEMA[name].to_pyarrow()) for name in EVENT_SCHEMA
    }
    columns["person_id"] = pa.array(range(len(cases)), pa.int64())
    columns["row_id"] = pa.array(range(len(cases)), pa.int64())
    columns["event_date"] = pa.array([c[0] for c in cases], pa.date32())
    events = pa.table(columns, schema=EVENT_SCHEMA.to_pyarrow())
    scoped = _with_scope(ibis.memtable(events), ibis.memtable(persons), ADULT_AGE)
    rows = ibis.duckdb.connect().to_pyarrow(scoped.select("row_id", "scope")).sort_by("row_id")
    return rows.column("scope").to_pylist()


def test_the_18th_birthday_is_the_first_adult_day() -> None:
    cases = [
        (date(2020, 6, 14), 2002, 6, 15),  # the day before
        (date(2020, 6, 15), 2002, 6, 15),  # the birthday
        (date(2020, 12, 31), 2002, 12, 31),
        (date(2021, 1, 1), 2002, 12, 31),  # the year after the birthday year
        (date(2019, 12, 31), 2002, 1, 1),  # the year before
        (date(2022, 2, 28), 2004, 2, 29),  # born on a leap day, not a leap year: adult from 1 March
        (date(2022, 3, 1), 2004, 2, 29),
        (date(2020, 1, 1), 2002, None, None),  # month and day unknown: 1 January
        (date(2020, 5, 1), None, 5, 1),  # no birth year: no scope
    ]
    assert scopes(cases) == ["child", "adult", "adult", "adult", "child", "child", "adult", "adult", None]


def test_a_birth_year_no_date_can_hold_still_gets_the_plain_rule() -> None:
    cases = [(date(2020, 1, 1), -5000, 1, 1), (date(2020, 1, 1), 99_999, 1, 1), (date(2020, 1, 1), -18, 3, 40)]
    assert scopes(cases) == [expected(*c) for c in cases] == ["adult", "child", "adult"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)),
            st.one_of(st.none(), st.integers(1880, 2030), st.integers(-20_000, 20_000)),
            st.one_of(st.none(), st.integers(1, 12), st.integers(-99, 99)),
            st.one_of(st.none(), st.integers(1, 31), st.integers(-99, 99)),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_the_scope_follows_the_plain_rule_for_any_birth_date(
    cases: list[tuple[date, int | None, int | None, int | None]],
) -> None:
    assert scopes(cases) == [expected(*c) for c in cases]
