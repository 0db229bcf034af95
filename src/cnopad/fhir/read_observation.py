"""Read Observation resources: labs, pain scores, status observations, symptoms."""

from __future__ import annotations

from typing import Any

from cnopad.domain import PAIN_SCALE, CodedValue, Concept, Observation, ObservationValue
from cnopad.errors import InputError
from cnopad.fhir.read_context import JsonObject, ReadContext

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
    value, value_key = _value(resource, location, ctx)
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


def _value(resource: JsonObject, location: str, ctx: ReadContext) -> tuple[ObservationValue, str]:
    for key in _VALUE_KEYS:
        raw: Any = resource.get(key)
        if raw is None:
            continue
        where = f"{location}.{key}"
        if key == "valueQuantity":
            return ctx.quantity(raw, where), f"{key}.value"
        if key == "valueCodeableConcept":
            codings = ctx.codings(raw, where)
            return CodedValue(codings, ctx.concepts(codings), raw.get("text")), key
        if key == "valueInteger":
            return int(raw), key
        if key == "valueBoolean":
            return bool(raw), key
        return str(raw), key
    return None, "value[x]"


def _check_pain(value: ObservationValue, location: str) -> None:
    low, high = PAIN_SCALE
    if isinstance(value, bool) or value is None or isinstance(value, (str, CodedValue)):
        raise InputError(location, f"a pain score needs a number from {low} to {high}")
    number = value if isinstance(value, int) else value.value
    if not low <= number <= high:
        raise InputError(location, f"pain score {number} is outside the 0-10 scale")
