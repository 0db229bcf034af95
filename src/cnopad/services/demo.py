"""The synthetic demo patients: FHIR Bundles shipped in the package, loaded by ``cnopad demo``.

The bundles are written around an anchor date (``demo_bundles/manifest.yaml``); loading shifts every
date by the days between the anchor and today, so an overdue infusion stays overdue and a due check
stays due however old the checkout is. All demo patients are marked synthetic (meta.tag HTEST).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import Any

import yaml

from cnopad.knowledge.valuesets import ValueSetIndex
from cnopad.services.records import ImportReport, import_bundle
from cnopad.store import UnitOfWork

_FOLDER = "demo_bundles"
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class DemoPatient:
    """One demo bundle and what it shows."""

    file: str
    patient_id: str
    title: str


def manifest() -> tuple[date, list[DemoPatient]]:
    """The anchor date and the demo patients, in order."""
    text = resources.files("cnopad.services").joinpath(_FOLDER, "manifest.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    patients = [DemoPatient(p["file"], p["patient"], p["title"]) for p in data["patients"]]
    return date.fromisoformat(str(data["anchor"])), patients


def demo_bundle(patient: DemoPatient, *, today: date | None = None) -> dict[str, Any]:
    """One demo bundle, its dates shifted so that the anchor date becomes ``today`` (None: unshifted)."""
    anchor, _ = manifest()
    raw = resources.files("cnopad.services").joinpath(_FOLDER, patient.file).read_text(encoding="utf-8")
    bundle: dict[str, Any] = json.loads(raw)
    if today is not None and today != anchor:
        bundle = shift_dates(bundle, today - anchor)
    return bundle


def shift_dates(node: Any, delta: timedelta) -> Any:
    """Move every FHIR date and dateTime value in a JSON tree by ``delta`` (other strings stay)."""
    if isinstance(node, dict):
        return {
            k: (_shift(v, delta) if isinstance(v, str) and _is_date_key(k) else shift_dates(v, delta))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [shift_dates(v, delta) for v in node]
    return node


_DATE_KEYS = frozenset(
    {
        "birthDate",
        "start",
        "end",
        "authoredOn",
        "recordedDate",
        "issued",
        "started",
        "startDate",
        "statusDate",
        "date",
    }
)


def _is_date_key(key: str) -> bool:
    return key in _DATE_KEYS or key.endswith("DateTime")


def _shift(value: str, delta: timedelta) -> str:
    match = _DATE.match(value)
    if not match:
        return value
    moved = date(int(match[1]), int(match[2]), int(match[3])) + delta
    return moved.isoformat() + value[10:]


def load_demo(uow_factory: Any, *, valuesets: ValueSetIndex, today: date, shift: bool = True) -> list[ImportReport]:
    """Import every demo bundle (each in its own transaction); idempotent."""
    _, patients = manifest()
    reports = []
    for patient in patients:
        with uow_factory() as uow:
            assert isinstance(uow, UnitOfWork)  # noqa: S101 - the factory hands out units of work
            bundle = demo_bundle(patient, today=today if shift else None)
            reports.append(import_bundle(uow, bundle, valuesets=valuesets, today=today, purpose="demo"))
    return reports
