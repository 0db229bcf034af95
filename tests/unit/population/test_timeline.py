"""Screen dates and steps: what a user types is read exactly, and what cannot be read is refused by name."""

from __future__ import annotations

from datetime import date

import pytest

from cnopad.errors import InputError
from cnopad.population.timeline import add_months, parse_date, parse_step, screen_dates


def test_a_six_month_step_from_new_year_lands_on_january_and_july_and_includes_the_last_date() -> None:
    dates = screen_dates(date(2020, 1, 1), date(2021, 7, 1), parse_step("--step", "6m"))
    assert dates == [date(2020, 1, 1), date(2020, 7, 1), date(2021, 1, 1), date(2021, 7, 1)]


def test_a_yearly_step_from_a_leap_day_falls_back_to_the_last_day_of_february() -> None:
    assert screen_dates(date(2020, 2, 29), date(2022, 3, 1), parse_step("--step", "1y")) == [
        date(2020, 2, 29),
        date(2021, 2, 28),
        date(2022, 2, 28),
    ]


def test_going_back_five_years_from_a_month_end_keeps_the_month_end() -> None:
    assert add_months(date(2024, 3, 31), -60) == date(2019, 3, 31)
    assert add_months(date(2024, 5, 31), -3) == date(2024, 2, 29)


@pytest.mark.parametrize("text", ["6x", "m6", "0m", "", "6 months", "-1y"])
def test_a_step_that_is_not_a_number_and_unit_is_refused_naming_the_option(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_step("--step", text)
    assert caught.value.location == "--step"


@pytest.mark.parametrize("text", ["2020-13-01", "01-01-2020", "yesterday"])
def test_a_date_that_is_not_iso_is_refused_naming_the_option(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_date("--from", text)
    assert caught.value.location == "--from"
