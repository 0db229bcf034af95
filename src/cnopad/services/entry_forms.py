"""What each record-entry form asks for, and the checks on every value: one declaration for every surface.

A form is a tuple of :class:`Field`; :func:`coerce` turns raw values (strings from a web form, or
already-typed values from the API) into typed ones and reports every bad value as a :class:`FieldError`
naming the field and a rule (``required``, ``too-long``, ``not-a-number``, ...). Surfaces translate the
rule into their own words; the English ``reason`` serves the API and the logs of no one (values are
never put in a reason).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from cnopad.domain import input_rules
from cnopad.errors import InputError

_REASONS = {
    "required": "a value is required",
    "too-long": "too long (at most {max} characters)",
    "too-short": "too short (at least {min} characters)",
    "not-a-number": "not a number",
    "not-a-whole-number": "not a whole number",
    "out-of-range": "must be between {min} and {max}",
    "not-a-date": "not a date (use YYYY-MM-DD)",
    "in-future": "may not be after today",
    "before-birth": "may not be before the patient's birth date",
    "before-start": "may not be before {start}",
    "unknown-choice": "not one of the choices",
    "contradiction": "choices contradict each other",
    "not-agb": "an AGB code has 8 digits",
    "not-applicable": "does not apply to this choice",
    "control-characters": "contains control characters",
    "invalid-unicode": "not valid Unicode",
    "date-out-of-range": "must lie between {earliest} and {latest}",
}


class FieldError(InputError):
    """One bad value: the field, a rule slug for translation, and its parameters."""

    def __init__(self, field: str, rule: str, **params: Any) -> None:
        super().__init__(field, _REASONS[rule].format(**params))
        self.field = field
        self.rule = rule
        self.params = params


class FormErrors(InputError):
    """Every bad value of one submitted form (nothing is saved)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(errors[0].field, "; ".join(f"{e.field}: {e.reason}" for e in errors))
        self.errors = errors

    def by_field(self) -> dict[str, FieldError]:
        """The first error of each field."""
        out: dict[str, FieldError] = {}
        for e in self.errors:
            out.setdefault(e.field, e)
        return out


class Kind(StrEnum):
    """Value types of form fields."""

    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    DATE = "date"
    CHOICE = "choice"
    MULTI = "multi"


@dataclass(frozen=True, slots=True)
class Field:
    """One form field and its rules; ``choices`` empty for a CHOICE means: given by the record."""

    name: str
    kind: Kind
    required: bool = False
    max_length: int = 200
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    choices: tuple[str, ...] = ()
    past: bool = True  # dates: not after today


def _text(field: Field, raw: Any) -> str | None:
    value = str(raw).strip()
    if not value:
        return None
    if len(value) > field.max_length:
        raise FieldError(field.name, "too-long", max=field.max_length)
    reason = input_rules.text_reason(value, typed=True)
    if reason is not None:
        raise FieldError(field.name, "control-characters" if "control" in reason else "invalid-unicode")
    return value


def _number(field: Field, raw: Any) -> Decimal | int | None:
    if isinstance(raw, bool):
        raise FieldError(field.name, "not-a-number")
    if isinstance(raw, (int, Decimal)):
        number: Decimal = Decimal(raw)
    else:
        text = str(raw).strip().replace(",", ".")
        if not text:
            return None
        if len(text) > 20:
            raise FieldError(field.name, "too-long", max=20)
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise FieldError(field.name, "not-a-number") from exc
    if not number.is_finite():
        raise FieldError(field.name, "not-a-number")
    if field.kind is Kind.INT and number != number.to_integral_value():
        raise FieldError(field.name, "not-a-whole-number")
    low, high = field.minimum, field.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        raise FieldError(field.name, "out-of-range", min=low, max=high)
    return int(number) if field.kind is Kind.INT else number


def _date(field: Field, raw: Any, *, today: date, birth_date: date | None) -> date | None:
    value: date | None
    if isinstance(raw, date):
        value = raw
    else:
        text = str(raw).strip()
        if not text:
            return None
        value = _iso_date(text)
    if value is None:
        raise FieldError(field.name, "not-a-date")
    if field.past and value > today:
        raise FieldError(field.name, "in-future")
    if input_rules.date_reason(value, today=today, past=field.past) is not None:
        latest = today if field.past else input_rules.latest_date(today)
        earliest = input_rules.EARLIEST_DATE.isoformat()
        raise FieldError(field.name, "date-out-of-range", earliest=earliest, latest=latest.isoformat())
    if birth_date is not None and value < birth_date:
        raise FieldError(field.name, "before-birth")
    return value


def _iso_date(text: str) -> date | None:
    """YYYY-MM-DD (what a date input sends), or None."""
    if len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _one(field: Field, raw: Any, *, today: date, birth_date: date | None, choices: tuple[str, ...]) -> Any:
    if field.kind is Kind.TEXT:
        return _text(field, raw)
    if field.kind in (Kind.INT, Kind.DECIMAL):
        return _number(field, raw)
    if field.kind is Kind.DATE:
        return _date(field, raw, today=today, birth_date=birth_date)
    if field.kind is Kind.CHOICE:
        value = str(raw).strip()
        if not value:
            return None
        if value not in choices:
            raise FieldError(field.name, "unknown-choice")
        return value
    values = raw if isinstance(raw, (list, tuple, set, frozenset)) else [raw]
    picked = tuple(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))
    if any(v not in choices for v in picked):
        raise FieldError(field.name, "unknown-choice")
    return picked or None


def coerce(
    fields: tuple[Field, ...],
    raw: Mapping[str, Any],
    *,
    today: date,
    birth_date: date | None = None,
    dynamic: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, Any]:
    """Typed values of a form, or FormErrors naming every bad field; unknown keys are ignored."""
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for field in fields:
        choices = field.choices or (dynamic or {}).get(field.name, ())
        try:
            value = _one(field, raw.get(field.name, ""), today=today, birth_date=birth_date, choices=choices)
        except FieldError as exc:
            errors.append(exc)
            continue
        if value is None and field.required:
            errors.append(FieldError(field.name, "required"))
        values[field.name] = value
    if errors:
        raise FormErrors(errors)
    return values
