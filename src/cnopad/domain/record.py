"""The patient record: one patient and every entry the two sources act on."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from cnopad.domain.care import CareTeamMember, Encounter, Goal, Procedure, Referral
from cnopad.domain.conditions import Condition
from cnopad.domain.medications import Administration, Allergy, Immunization, MedicationUse
from cnopad.domain.observations import Biopsy, ImagingResult, Observation
from cnopad.domain.patient import AgeGroup, Patient

#: every kind of entry, by the name of the record field that holds it
Entry = (
    Condition
    | MedicationUse
    | Administration
    | Immunization
    | Allergy
    | Observation
    | ImagingResult
    | Biopsy
    | Procedure
    | Goal
    | Referral
    | Encounter
    | CareTeamMember
)

ENTRY_KINDS: dict[str, type[Any]] = {
    "conditions": Condition,
    "medications": MedicationUse,
    "administrations": Administration,
    "immunizations": Immunization,
    "allergies": Allergy,
    "observations": Observation,
    "imaging": ImagingResult,
    "biopsies": Biopsy,
    "procedures": Procedure,
    "goals": Goal,
    "referrals": Referral,
    "encounters": Encounter,
    "care_team": CareTeamMember,
}
KIND_OF: dict[type[Any], str] = {cls: kind for kind, cls in ENTRY_KINDS.items()}


@dataclass(frozen=True, slots=True)
class PatientRecord:
    """Everything cnopad knows of one patient; entries are kept sorted by id for stable equality."""

    patient: Patient
    conditions: tuple[Condition, ...] = ()
    medications: tuple[MedicationUse, ...] = ()
    administrations: tuple[Administration, ...] = ()
    immunizations: tuple[Immunization, ...] = ()
    allergies: tuple[Allergy, ...] = ()
    observations: tuple[Observation, ...] = ()
    imaging: tuple[ImagingResult, ...] = ()
    biopsies: tuple[Biopsy, ...] = ()
    procedures: tuple[Procedure, ...] = ()
    goals: tuple[Goal, ...] = ()
    referrals: tuple[Referral, ...] = ()
    encounters: tuple[Encounter, ...] = ()
    care_team: tuple[CareTeamMember, ...] = ()

    @classmethod
    def build(cls, patient: Patient, entries: list[Entry] | tuple[Entry, ...]) -> PatientRecord:
        """Group loose entries by kind (later entries with the same id replace earlier ones)."""
        grouped: dict[str, dict[str, Entry]] = {kind: {} for kind in ENTRY_KINDS}
        for entry in entries:
            grouped[KIND_OF[type(entry)]][entry.id] = entry
        kinds: dict[str, Any] = {kind: tuple(v for _, v in sorted(d.items())) for kind, d in grouped.items()}
        return cls(patient, **kinds)

    def entries(self) -> Iterator[Entry]:
        """Every entry of every kind."""
        for kind in ENTRY_KINDS:
            yield from getattr(self, kind)

    def with_entries(self, *new: Entry) -> PatientRecord:
        """A copy with ``new`` entries added (or replacing entries with the same kind and id)."""
        return PatientRecord.build(self.patient, [*self.entries(), *new])

    @property
    def cno_conditions(self) -> tuple[Condition, ...]:
        """Conditions that are CNO in any form, including suspected and ruled-out ones."""
        return tuple(c for c in self.conditions if c.is_cno)

    @property
    def diagnosis(self) -> Condition | None:
        """The CNO diagnosis that counts: confirmed before suspected, the latest first; never a ruled-out one."""
        live = [c for c in self.cno_conditions if not c.ruled_out]
        if not live:
            return None
        return max(live, key=lambda c: (c.verification.value == "confirmed", c.recorded or date.min, c.id))

    def age_group_on(self, day: date) -> AgeGroup:
        """Adult or child on ``day`` (statements' ``scope``)."""
        return self.patient.age_group_on(day)

    def size(self) -> int:
        """Number of entries."""
        return sum(len(getattr(self, f.name)) for f in fields(self) if f.name != "patient")

    def replace_patient(self, patient: Patient) -> PatientRecord:
        """A copy about ``patient`` (same entries)."""
        return replace(self, patient=patient)
