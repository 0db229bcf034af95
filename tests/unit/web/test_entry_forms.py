"""Form values are coerced to types or refused with a rule per field, never half-accepted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cnopad.services.entries import FORMS
from cnopad.services.entry_forms import FormErrors

TODAY = date(2026, 11, 23)


def _errors(form: str, raw: dict[str, object]) -> dict[str, str]:
    with pytest.raises(FormErrors) as caught:
        from cnopad.services.entry_forms import coerce

        coerce(FORMS[form], raw, today=TODAY, birth_date=date(1970, 1, 1))
    return {name: e.rule for name, e in caught.value.by_field().items()}


def test_good_strings_become_typed_values() -> None:
    from cnopad.services.entry_forms import coerce

    values = coerce(FORMS["pain"], {"score": " 7 ", "date": "2026-11-23"}, today=TODAY)
    assert values == {"score": 7, "date": TODAY}
    lab = coerce(
        FORMS["lab"],
        {"test": "x", "value": "12,5", "unit": "", "date": "2026-11-01"},
        today=TODAY,
        dynamic={"test": ("x",)},
    )
    assert lab["value"] == Decimal("12.5")
    assert lab["unit"] is None


def test_every_bad_field_of_a_form_is_reported_at_once() -> None:
    assert _errors("pain", {"score": "11", "date": "2026-13-01"}) == {"score": "out-of-range", "date": "not-a-date"}


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ({"score": "", "date": "2026-11-01"}, "required"),
        ({"score": "seven", "date": "2026-11-01"}, "not-a-number"),
        ({"score": "7.5", "date": "2026-11-01"}, "not-a-whole-number"),
        ({"score": "NaN", "date": "2026-11-01"}, "not-a-number"),
        ({"score": "1e400", "date": "2026-11-01"}, "out-of-range"),
        ({"score": True, "date": "2026-11-01"}, "not-a-number"),
    ],
)
def test_a_pain_score_must_be_a_whole_number_from_0_to_10(raw: dict[str, object], rule: str) -> None:
    assert _errors("pain", raw)["score"] == rule


@pytest.mark.parametrize(
    ("value", "rule"),
    [("2026-11-24", "in-future"), ("1969-12-31", "before-birth"), ("1899-01-01", "date-out-of-range")],
)
def test_impossible_dates_are_refused(value: str, rule: str) -> None:
    assert _errors("pain", {"score": "3", "date": value})["date"] == rule


def test_a_planned_referral_date_may_lie_in_the_future() -> None:
    from cnopad.services.entry_forms import coerce

    values = coerce(
        FORMS["referral"],
        {"target": "referral_physiotherapy", "date": "2026-11-01", "planned": "2027-01-10"},
        today=TODAY,
    )
    assert values["planned"] == date(2027, 1, 10)


def test_a_planned_referral_date_more_than_ten_years_ahead_is_refused() -> None:
    raw = {"target": "referral_physiotherapy", "date": "2026-11-01", "planned": "2036-11-24"}
    assert _errors("referral", raw)["planned"] == "date-out-of-range"
