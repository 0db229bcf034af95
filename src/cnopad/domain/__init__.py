"""The patient record and its clinical value types: pure Python, no I/O."""

from cnopad.domain.care import (
    CareRole,
    CareTeamMember,
    Encounter,
    EncounterStatus,
    Goal,
    GoalStatus,
    Procedure,
    Referral,
    RequestStatus,
)
from cnopad.domain.codes import Coding, System
from cnopad.domain.concepts import CNO_DIAGNOSIS, CNO_MEDICATION, Concept
from cnopad.domain.conditions import ClinicalStatus, Condition, Focality, Verification
from cnopad.domain.medications import (
    Administration,
    Allergy,
    EventStatus,
    Immunization,
    MedicationSource,
    MedicationStatus,
    MedicationUse,
    RequestIntent,
)
from cnopad.domain.observations import PAIN_SCALE, Biopsy, ImagingResult, Observation
from cnopad.domain.patient import ADULT_AGE, AgeGroup, Identifier, Patient, Sex, age_group, age_on
from cnopad.domain.record import ENTRY_KINDS, KIND_OF, Entry, PatientRecord
from cnopad.domain.sites import ANTERIOR_CHEST_WALL, Site
from cnopad.domain.text_reading import TextReading
from cnopad.domain.values import CodedValue, ObservationValue, PeriodUnit, Quantity, Schedule

__all__ = [
    "ADULT_AGE",
    "ANTERIOR_CHEST_WALL",
    "CNO_DIAGNOSIS",
    "CNO_MEDICATION",
    "ENTRY_KINDS",
    "KIND_OF",
    "PAIN_SCALE",
    "Administration",
    "AgeGroup",
    "Allergy",
    "Biopsy",
    "CareRole",
    "CareTeamMember",
    "ClinicalStatus",
    "CodedValue",
    "Coding",
    "Concept",
    "Condition",
    "Encounter",
    "EncounterStatus",
    "Entry",
    "EventStatus",
    "Focality",
    "Goal",
    "GoalStatus",
    "Identifier",
    "ImagingResult",
    "Immunization",
    "MedicationSource",
    "MedicationStatus",
    "MedicationUse",
    "Observation",
    "ObservationValue",
    "Patient",
    "PatientRecord",
    "PeriodUnit",
    "Procedure",
    "Quantity",
    "Referral",
    "RequestIntent",
    "RequestStatus",
    "Schedule",
    "Sex",
    "Site",
    "System",
    "TextReading",
    "Verification",
    "age_group",
    "age_on",
]
