"""Read the clinical case files in tests/cases/ and build synthetic patient records from them.

A case names a rule (or task kind, step plan, texts), a record in a compact notation and what must
happen. Codes go through the real value sets: ``concept:dental_check`` takes the value set's preferred
code, ``atc:M05BA03`` or ``loinc:72514-3`` is used as written; concepts are then derived exactly as the
FHIR importer derives them. All data are synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from cnopad.domain import (
    Administration,
    Biopsy,
    CareRole,
    CareTeamMember,
    ClinicalStatus,
    CodedValue,
    Coding,
    Concept,
    Condition,
    Encounter,
    EncounterStatus,
    Entry,
    EventStatus,
    Goal,
    GoalStatus,
    ImagingResult,
    Immunization,
    MedicationStatus,
    MedicationUse,
    Observation,
    Patient,
    PatientRecord,
    PeriodUnit,
    Procedure,
    Quantity,
    Referral,
    RequestStatus,
    Schedule,
    Site,
    System,
    Verification,
)
from cnopad.knowledge import KnowledgeBase

CASES = Path(__file__).resolve().parents[2] / "cases"
_SYSTEMS = {
    "atc": System.ATC,
    "loinc": System.LOINC,
    "icd10": System.ICD10,
    "snomed": System.SNOMED,
    "icpc2": System.ICPC2,
}


@dataclass
class Case:
    """One case: where it comes from, what it is about, the record and the expectation."""

    file: str
    name: str
    spec: dict[str, Any]
    record: PatientRecord
    orders: tuple[Entry, ...]
    as_of: date
    lang: str = "nl"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"


class Builder:
    """Turns the compact notation into domain entries, with codes from the real value sets."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.count = 0

    def coding(self, spec: str) -> Coding:
        prefix, _, value = spec.partition(":")
        if prefix == "concept":
            return self.kb.valuesets.coding_for(Concept(value))
        return Coding(_SYSTEMS[prefix].value, value)

    def codings(self, spec: str | list[str]) -> tuple[Coding, ...]:
        return tuple(self.coding(s) for s in ([spec] if isinstance(spec, str) else spec))

    def concepts(self, codings: tuple[Coding, ...]) -> frozenset[Concept]:
        return self.kb.valuesets.concepts(codings)

    def _id(self, raw: dict[str, Any], kind: str) -> str:
        self.count += 1
        return str(raw.get("id") or f"{kind}-{self.count}")

    def entry(self, raw: dict[Any, Any]) -> Entry:
        if True in raw:  # YAML 1.1 reads the key `on` as the boolean true
            raw = {("on" if k is True else k): v for k, v in raw.items()}
        kind = next(k for k in raw if k in _KINDS)
        spec = raw[kind]
        ident = self._id(raw, kind)
        if kind == "member":
            return CareTeamMember(
                ident,
                frozenset(CareRole(r) for r in spec),
                raw.get("name", "Synthetische zorgverlener"),
                start=_day(raw.get("start")),
                end=_day(raw.get("end")),
            )
        if kind == "biopsy":
            return Biopsy(ident, performed=_day(raw.get("on")), concepts=frozenset({Concept.BONE_BIOPSY}))
        codings = self.codings(spec)
        concepts = self.concepts(codings)
        if kind == "condition":
            return Condition(
                ident,
                codings,
                concepts,
                verification=Verification(raw.get("verification", "confirmed")),
                clinical_status=ClinicalStatus(raw["status"]) if raw.get("status") else None,
                onset=_day(raw.get("onset")),
                recorded=_day(raw.get("recorded")),
                abated=_day(raw.get("abated")),
                sites=tuple(Site.parse(s) for s in raw.get("sites", ())),
            )
        if kind == "medication":
            schedule = None
            if raw.get("every_months"):
                schedule = Schedule(int(raw["every_months"]), PeriodUnit.MONTH, int(raw.get("days", 1)))
            return MedicationUse(
                ident,
                codings,
                concepts,
                status=MedicationStatus(raw.get("status", "active")),
                start=_day(raw.get("start")),
                end=_day(raw.get("end")),
                schedule=schedule,
            )
        if kind == "administration":
            on = _day(raw["on"])
            assert on is not None
            return Administration(ident, codings, on, concepts, status=EventStatus(raw.get("status", "completed")))
        if kind == "observation":
            return Observation(
                ident,
                codings,
                concepts,
                effective=_day(raw.get("on")),
                value=self._value(raw.get("value")),
                sites=tuple(Site.parse(s) for s in raw.get("sites", ())),
            )
        if kind == "imaging":
            findings = self.codings(raw.get("findings", []))
            return ImagingResult(
                ident,
                codings,
                concepts | {Concept.IMAGING},
                performed=_day(raw.get("on")),
                findings=self.concepts(findings),
                finding_codings=findings,
                lesion_count=raw.get("lesions"),
            )
        if kind == "procedure":
            return Procedure(
                ident, codings, concepts, start=_day(raw.get("on")), status=EventStatus(raw.get("status", "completed"))
            )
        if kind == "referral":
            return Referral(
                ident,
                codings,
                concepts,
                authored=_day(raw.get("on")),
                status=RequestStatus(raw.get("status", "active")),
            )
        if kind == "encounter":
            return Encounter(
                ident,
                codings,
                concepts,
                start=_day(raw.get("on")),
                status=EncounterStatus(raw.get("status", "finished")),
            )
        if kind == "goal":
            return Goal(
                ident,
                "Synthetisch behandeldoel",
                codings,
                concepts,
                status=GoalStatus(raw.get("status", "active")),
                start=_day(raw.get("start")),
                reviewed=_day(raw.get("reviewed")),
            )
        return Immunization(
            ident, codings, concepts, given_on=_day(raw.get("on")), status=EventStatus(raw.get("status", "completed"))
        )

    def _value(self, value: Any) -> Any:
        if isinstance(value, str) and ":" in value:
            codings = self.codings(value)
            return CodedValue(codings, self.concepts(codings))
        if isinstance(value, float):
            return Quantity(Decimal(str(value)))
        return value

    def record(self, patient: dict[str, Any], entries: list[dict[str, Any]]) -> PatientRecord:
        birth = _day(patient.get("birth", "1975-05-05"))
        assert birth is not None
        person = Patient(str(patient.get("id", "case-patient")), birth, synthetic=True)
        return PatientRecord.build(person, [self.entry(e) for e in entries])


_KINDS = (
    "condition",
    "medication",
    "administration",
    "observation",
    "imaging",
    "biopsy",
    "procedure",
    "referral",
    "encounter",
    "goal",
    "member",
    "immunization",
)


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def load_cases(kb: KnowledgeBase, pattern: str) -> list[Case]:
    """Every case in the files matching ``pattern`` under tests/cases/, with bases merged in."""
    cases: list[Case] = []
    for path in sorted(CASES.glob(pattern)):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        bases: dict[str, Any] = data.get("bases", {})
        as_of = _day(data.get("as_of", "2026-11-23"))
        assert as_of is not None
        for spec in data["cases"]:
            base = bases[spec["base"]] if "base" in spec else {}
            dropped = set(spec.get("drop", ()))
            entries = [e for e in base.get("record", []) if e.get("id") not in dropped] + spec.get("record", [])
            patient = {**base.get("patient", {}), **spec.get("patient", {})}
            builder = Builder(kb)
            record = builder.record(patient, entries)
            orders = tuple(builder.entry(o) for o in spec.get("orders", []))
            day = _day(spec.get("as_of")) or as_of
            cases.append(Case(path.name, spec["name"], spec, record, orders, day, spec.get("lang", "nl")))
    return cases
