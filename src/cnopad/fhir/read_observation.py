"""Read Observation resources: labs, pain scores, status observations, symptoms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cnopad.domain import PAIN_SCALE, CodedValue, Coding, Concept, Observation, ObservationValue, Quantity
from cnopad.domain.codes import UCUM
from cnopad.errors import InputError
from cnopad.fhir.read_context import JsonObject, ReadContext, Reason, Unrecognized

_VALUE_KEYS = ("valueQuantity", "valueInteger", "valueBoolean", "valueString", "valueCodeableConcept")


def read_observation(resource: JsonObject, location: str, ctx: ReadContext) -> Observation:
    """An Observation with its date and value; a pain score must lie on the 0-10 scale."""
    ctx.check_subject(resource, "subject", location)
    codings = ctx.codings(resource.get("code"), f"{location}.code")
    concepts = ctx.concepts(codings)
    when = (
        resource.get("effectiveDateTime")
        or (resource.get("effectivePeriod") or {}).get("start")
        or resource.get("issued")
    )
    value, value_key = _value(resource, location, ctx, codings)
    if Concept.PAIN_SCORE in concepts:
        _check_pain(value, f"{location}.{value_key}")
    return Observation(
        id=str(resource["id"]),
        codings=codings,
        concepts=concepts,
        effective=ctx.day(when, f"{location}.effectiveDateTime", past=True),
        value=value,
        status=str(resource.get("status", "final")),
        sites=ctx.sites([resource["bodySite"]] if resource.get("bodySite") else [], f"{location}.bodySite"),
        text=(resource.get("code") or {}).get("text"),
    )


def _value(
    resource: JsonObject, location: str, ctx: ReadContext, codings: tuple[Coding, ...]
) -> tuple[ObservationValue, str]:
    for key in _VALUE_KEYS:
        raw: Any = resource.get(key)
        if raw is None:
            continue
        where = f"{location}.{key}"
        if key == "valueQuantity":
            return _in_rule_unit(ctx.quantity(raw, where), raw, where, ctx, codings), f"{key}.value"
        if key == "valueCodeableConcept":
            codings = ctx.codings(raw, where)
            return CodedValue(codings, ctx.concepts(codings), raw.get("text")), key
        if key == "valueInteger":
            return int(raw), key
        if key == "valueBoolean":
            return bool(raw), key
        return str(raw), key
    return None, "value[x]"


def _in_rule_unit(
    quantity: Quantity | None, raw: JsonObject, location: str, ctx: ReadContext, codings: tuple[Coding, ...]
) -> Quantity | None:
    """A laboratory value in the unit its rules use (labs.yaml ``unit``), converted exactly where cnopad can.

    A value in a unit cnopad cannot convert, or without a unit, is not used (the test still counts as
    done) and is listed as not understood: guessing mg/L for mg/dL would be off by a factor of ten.
    """
    spec = ctx.valuesets.unit_spec(codings)
    if quantity is None or spec is None:
        return quantity
    unit = raw.get("code") if raw.get("system") == UCUM and raw.get("code") else raw.get("unit") or raw.get("code")
    factor = spec.factor(str(unit) if unit else None)
    if factor is None:
        reason = (
            f"unit {unit!r} cannot be converted to {spec.unit}: value not used"
            if unit
            else (f"no unit (cnopad reads {spec.unit}): value not used")
        )
        ctx.unrecognized.append(
            Unrecognized(f"{location}.unit", UCUM, str(unit or ""), None, Reason.UNIT_NOT_CONVERTIBLE, detail=reason)
        )
        return None
    return Quantity(_tidy(quantity.value * factor), spec.unit)


def _tidy(value: Decimal) -> Decimal:
    """A converted value without trailing zeros (12.0 -> 12), so a re-import compares equal."""
    return value.to_integral_value() if value == value.to_integral_value() else value.normalize()


def _check_pain(value: ObservationValue, location: str) -> None:
    low, high = PAIN_SCALE
    if isinstance(value, bool) or value is None or isinstance(value, (str, CodedValue)):
        raise InputError(location, f"a pain score needs a number from {low} to {high}")
    number = value if isinstance(value, int) else value.value
    if not low <= number <= high:
        raise InputError(location, f"pain score {number} is outside the 0-10 scale")
