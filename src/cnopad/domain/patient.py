"""The patient: pseudonymous identity, birth date, sex, and age on a given day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

#: age at which the adult sources apply and the child source stops applying (statements.yaml, "scope")
ADULT_AGE = 18


class Sex(StrEnum):
    """Administrative sex, as FHIR Patient.gender."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class AgeGroup(StrEnum):
    """Whom a statement applies to: the adult GP leaflet or the child leaflet."""

    ADULT = "adult"
    CHILD = "child"


def age_on(birth_date: date, day: date) -> int:
    """Completed years of age on ``day``."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def age_group(birth_date: date, day: date) -> AgeGroup:
    """Adult from the 18th birthday on, child before it."""
    return AgeGroup.ADULT if age_on(birth_date, day) >= ADULT_AGE else AgeGroup.CHILD


@dataclass(frozen=True, slots=True)
class Identifier:
    """A business identifier (pseudonym, AGB code of a practitioner): system and value."""

    system: str
    value: str


@dataclass(frozen=True, slots=True)
class Patient:
    """Who the record is about; ``id`` is the record's key (the FHIR Patient.id)."""

    id: str
    birth_date: date
    sex: Sex = Sex.UNKNOWN
    name: str | None = None
    identifiers: tuple[Identifier, ...] = ()
    synthetic: bool = False  # demo and test data say so

    def age_on(self, day: date) -> int:
        """Completed years of age on ``day``."""
        return age_on(self.birth_date, day)

    def age_group_on(self, day: date) -> AgeGroup:
        """Adult or child on ``day``."""
        return age_group(self.birth_date, day)
