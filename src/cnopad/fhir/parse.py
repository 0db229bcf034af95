"""Parse and validate FHIR R4 JSON with fhir.resources (its R4B models read R4 JSON).

Validation happens here, at the import boundary, and only here. Every failure is an InputError
naming the location in FHIR path form (``Bundle.entry[3].resource.effectiveDateTime``) and why.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from cnopad.domain import input_rules
from cnopad.errors import InputError
from cnopad.fhir.locations import render
from cnopad.fhir.read_context import Reason, Unrecognized
from cnopad.fhir.references import Located

JsonObject = dict[str, Any]


def load_json(text: str | bytes, *, what: str = "Bundle") -> JsonObject:
    """Decode JSON (decimals kept exact); malformed JSON or a non-object is an InputError."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        detail = (
            f"line {exc.lineno}, column {exc.colno}: {exc.msg}" if isinstance(exc, json.JSONDecodeError) else str(exc)
        )
        raise InputError(what, f"not valid JSON ({detail})") from exc
    except RecursionError as exc:
        raise InputError(what, "JSON nested too deeply") from exc
    if not isinstance(data, dict):
        raise InputError(what, f"expected a JSON object, got {type(data).__name__}")
    return data


def known_type(resource_type: object) -> bool:
    """True for a FHIR R4 resource type (as the R4B models know them)."""
    if not isinstance(resource_type, str) or not resource_type:
        return False
    return _known_type(resource_type)


@lru_cache(maxsize=512)  # bounded: resource types in real data are few, made-up ones must not grow memory
def _known_type(resource_type: str) -> bool:
    from fhir.resources.R4B.resource import Resource

    try:
        model = get_fhir_model_class(resource_type)
    except (ValueError, KeyError):
        return False
    return issubclass(model, Resource)  # a data type (``CodeableConcept``) is not a resource


def unknown_type(resource: JsonObject, location: str) -> Unrecognized:
    """The listed item for a resource whose type is not a FHIR R4 resource type (it is left out)."""
    kind = resource.get("resourceType")
    return Unrecognized(
        location,
        "http://hl7.org/fhir/resource-types",
        str(kind) if isinstance(kind, str) else "",
        None,
        Reason.UNKNOWN_RESOURCE_TYPE,
        set_aside=True,
        detail="not a FHIR R4 resource type" if kind else "the resource has no resourceType",
    )


def model_class(resource_type: object, location: str) -> type[Any]:
    """The fhir.resources model for a resource type; an unknown type is an InputError."""
    if not isinstance(resource_type, str) or not resource_type:
        msg = f"{location}.resourceType"
        raise InputError(msg, "missing resourceType")
    try:
        return get_fhir_model_class(resource_type)
    except (ValueError, KeyError) as exc:
        msg = f"{location}.resourceType"
        raise InputError(msg, f"unknown FHIR resource type {resource_type!r}") from exc


def validate_resource(data: JsonObject, location: str) -> None:
    """Validate one resource against its R4 model; the first problem becomes an InputError."""
    cls = model_class(data.get("resourceType"), location)
    try:
        cls.model_validate(data)
    except ValidationError as exc:
        raise _input_error(exc, location) from exc
    except (ValueError, TypeError, KeyError) as exc:
        raise InputError(location, f"not a valid {data.get('resourceType')} ({exc})") from exc


def bundle_resources(data: JsonObject) -> list[JsonObject]:
    """The entry resources of a Bundle after structural checks only (Bundle, entries, known resource types)."""
    if data.get("resourceType") != "Bundle":
        got = data.get("resourceType")
        where = "resourceType"
        raise InputError(
            where, f"expected a FHIR Bundle, got {got!r}" if got else "missing resourceType; expected a FHIR Bundle"
        )
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        where = "Bundle.entry"
        raise InputError(where, "must be a list")
    resources: list[JsonObject] = []
    for index, entry in enumerate(entries):
        where = f"Bundle.entry[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            msg = f"{where}.resource"
            raise InputError(msg, "every entry needs a resource object")
        model_class(entry["resource"].get("resourceType"), f"{where}.resource")
        resources.append(entry["resource"])
    return resources


def bundle_located(
    data: JsonObject, *, validate: bool, root: str = "Bundle"
) -> tuple[list[Located], list[Unrecognized]]:
    """The entry resources of a Bundle with their locations and fullUrls, and the entries left out.

    A resource of a type that is not a FHIR R4 resource type is listed and left out, never refused. With
    ``validate`` every other resource is validated against its R4 model (and the Bundle without its
    resources against the Bundle model); the first problem is an InputError naming the element. ``root``
    names the Bundle in locations (``context.draftOrders`` for a CDS Hooks order hook).
    """
    if data.get("resourceType") != "Bundle":
        got = data.get("resourceType")
        where = "resourceType" if root == "Bundle" else f"{root}.resourceType"
        raise InputError(
            where, f"expected a FHIR Bundle, got {got!r}" if got else "missing resourceType; expected a FHIR Bundle"
        )
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        where = f"{root}.entry"
        raise InputError(where, "must be a list")
    if validate:
        # an import: invalid Unicode or a control character anywhere is refused with its element, before anything
        # reads or stores it (on the lenient CDS path each resource is checked as it is read, and set aside)
        input_rules.check_json_text(data, root)
    located: list[Located] = []
    left_out: list[Unrecognized] = []
    for index, entry in enumerate(entries):
        where = f"{root}.entry[{index}].resource"
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            raise InputError(where, "every entry needs a resource object")
        resource = entry["resource"]
        if not known_type(resource.get("resourceType")):
            left_out.append(unknown_type(resource, where))
            continue
        full_url = entry.get("fullUrl")
        located.append(Located(resource, where, full_url if isinstance(full_url, str) and full_url else None))
    if validate:
        shell = {**data, "entry": [{k: v for k, v in e.items() if k != "resource"} for e in entries]}
        bundle_cls = model_class("Bundle", "Bundle")
        try:
            bundle_cls.model_validate(shell)
        except ValidationError as exc:
            raise _input_error(exc, root) from exc
        except (ValueError, TypeError, KeyError) as exc:
            raise InputError(root, f"not a valid Bundle ({exc})") from exc
        for item in located:
            validate_resource(item.resource, item.location)
    return located, left_out


def validate_bundle(data: JsonObject) -> list[JsonObject]:
    """Check that ``data`` is a valid FHIR R4 Bundle (full model validation) and return its entry resources."""
    resources = bundle_resources(data)
    input_rules.check_json_text(data, "Bundle")
    bundle_cls = model_class("Bundle", "Bundle")
    try:
        bundle_cls.model_validate(data)
    except ValidationError as exc:
        raise _input_error(exc, "Bundle") from exc
    except (ValueError, TypeError, KeyError) as exc:
        where = "Bundle"
        raise InputError(where, f"not a valid Bundle ({exc})") from exc
    return resources


def _input_error(exc: ValidationError, root: str) -> InputError:
    first = exc.errors()[0]
    reason = str(first.get("msg", "invalid"))
    reason = reason.removeprefix("Value error, ")
    return InputError(render(root, first.get("loc", ())), reason)
