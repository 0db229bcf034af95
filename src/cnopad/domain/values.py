"""Small clinical value types shared by the record entries: quantities, schedules, coded values."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from cnopad.domain.codes import Coding
from cnopad.domain.concepts import Concept


@dataclass(frozen=True, slots=True)
class Quantity:
    """A measured amount with its unit (UCUM where known), e.g. 30 mg or 12 mg/L."""

    value: Decimal
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class CodedValue:
    """A coded observation value (e.g. 'current smoker') with the concepts it means."""

    codings: tuple[Coding, ...]
    concepts: frozenset[Concept] = frozenset()
    text: str | None = None


class PeriodUnit(StrEnum):
    """Units of a repeat interval, as FHIR Timing.repeat.periodUnit."""

    DAY = "d"
    WEEK = "wk"
    MONTH = "mo"
    YEAR = "a"


@dataclass(frozen=True, slots=True)
class Schedule:
    """A prescriber's recorded course schedule: a course every ``every`` ``unit`` of ``days`` days.

    Pamidronate is usually given on three consecutive days every three months (NHG-PAMIDRONATE-1);
    a prescriber's own schedule, when recorded, always wins.
    """

    every: int
    unit: PeriodUnit
    days: int = 1


#: a FHIR Observation.value[x] as the domain keeps it
ObservationValue = Quantity | int | bool | str | CodedValue | None
