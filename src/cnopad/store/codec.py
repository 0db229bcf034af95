"""Domain entries <-> canonical JSON for storage, and the digest that tells whether an entry changed.

Canonical means: keys sorted, sets as sorted lists, decimals as strings, dates ISO. Two equal entries
always give the same text in every process (set order would otherwise depend on hash seeds).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import TypeAdapter

from cnopad.domain import ENTRY_KINDS, Entry, Patient, Site


def plain(value: Any) -> Any:
    """A JSON-ready structure for a domain value (dataclasses, enums, sets, dates, decimals).

    A lesion site is stored as its token (``tibia``, ``tibia:left``): a site without a side keeps the text
    earlier versions stored (``sternum``), so stored digests stay the same.
    """
    if isinstance(value, Site):
        return value.token
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if type(value).__name__ in _TAGGED:
            out["_type"] = type(value).__name__
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (frozenset, set)):
        return sorted(plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


#: dataclasses that appear inside unions (Observation.value) and need a tag to be read back
_TAGGED = frozenset({"Quantity", "CodedValue"})


def dumps(value: Any) -> str:
    """Canonical JSON text of a domain value."""
    return json.dumps(plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(text: str) -> str:
    """SHA-256 hex digest of canonical JSON text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(cls: type[Any]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(cls)
    if adapter is None:
        adapter = _ADAPTERS[cls] = TypeAdapter(cls)
    return adapter


def load_entry(kind: str, payload: dict[str, Any]) -> Entry:
    """Rebuild a domain entry of ``kind`` from its stored JSON."""
    data = dict(payload)
    if kind == "observations":
        data["value"] = _load_value(data.get("value"))
    if "sites" in data:
        data["sites"] = _load_sites(data["sites"])
    reading = data.get("text_reading")
    if isinstance(reading, dict) and "sites" in reading:
        data["text_reading"] = {**reading, "sites": _load_sites(reading["sites"])}
    result: Entry = _adapter(ENTRY_KINDS[kind]).validate_python(data)
    return result


def _load_sites(stored: Any) -> tuple[Any, ...]:
    """Sites stored as tokens (``tibia:left``) back as values."""
    return tuple(Site.parse(s) if isinstance(s, str) else s for s in stored or ())


def _load_value(value: Any) -> Any:
    from cnopad.domain import CodedValue, Quantity

    if isinstance(value, dict):
        tag = value.pop("_type", None)
        cls = {"Quantity": Quantity, "CodedValue": CodedValue}.get(str(tag))
        if cls is not None:
            return _adapter(cls).validate_python(value)
    return value


def load_patient(payload: dict[str, Any]) -> Patient:
    """Rebuild a Patient from its stored JSON."""
    result: Patient = _adapter(Patient).validate_python(payload)
    return result
