"""Observations: labs, pain scores, status observations, symptoms; imaging results; bone biopsies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cnopad.domain.codes import Coding
from cnopad.domain.concepts import Concept
from cnopad.domain.sites import Site
from cnopad.domain.text_reading import TextReading
from cnopad.domain.values import CodedValue, ObservationValue, Quantity

#: the closed interval of the pain numeric rating scale (LOINC 72514-3)
PAIN_SCALE = (0, 10)


@dataclass(frozen=True, slots=True)
class Observation:
    """A lab result, pain score, smoking/pregnancy/work status, disease activity or symptom.

    ``concepts`` say what was observed (e.g. CRP, pain score, current smoker); a coded value adds
    its own concepts (``value_concepts``). A symptom with ``value`` False was looked for and absent.
    """

    id: str
    codings: tuple[Coding, ...]
    concepts: frozenset[Concept] = frozenset()
    effective: date | None = None
    value: ObservationValue = None
    status: str = "final"
    sites: tuple[Site, ...] = ()
    text: str | None = None

    @property
    def value_concepts(self) -> frozenset[Concept]:
        """Concepts of a coded value (e.g. 'current smoker'), empty for other values."""
        return self.value.concepts if isinstance(self.value, CodedValue) else frozenset()

    @property
    def present(self) -> bool:
        """False only when the value records the finding as absent (valueBoolean false)."""
        return not (isinstance(self.value, bool) and self.value is False)

    @property
    def number(self) -> float | None:
        """The numeric value, if the value is a number or a quantity."""
        if isinstance(self.value, bool):
            return None
        if isinstance(self.value, int):
            return float(self.value)
        if isinstance(self.value, Quantity):
            return float(self.value.value)
        return None


@dataclass(frozen=True, slots=True)
class ImagingResult:
    """An imaging study and the radiologist's findings (activity, osteolysis, hyperostosis, ...).

    ``concepts`` hold the modality (CT, SPECT-CT, PET, MRI, whole-body MRI, X-ray, scintigraphy);
    ``findings`` hold what was seen. ``study_id``/``report_id`` keep the FHIR ImagingStudy and
    DiagnosticReport ids so an export writes the same resources back. ``text_reading`` says which of
    the concepts, findings, sites and lesion count were read from the report's free text (with the
    sentences); ``report_text`` keeps the report's presentedForm text so an export writes it back.
    """

    id: str
    codings: tuple[Coding, ...] = ()
    concepts: frozenset[Concept] = frozenset()
    performed: date | None = None
    findings: frozenset[Concept] = frozenset()
    finding_codings: tuple[Coding, ...] = ()
    sites: tuple[Site, ...] = ()
    lesion_count: int | None = None
    conclusion: str | None = None
    study_id: str | None = None
    report_id: str | None = None
    text_reading: TextReading | None = None
    report_text: str | None = None


@dataclass(frozen=True, slots=True)
class Biopsy:
    """A bone biopsy and its pathology result (CRMO-DX-BIOPSY-1, CRMO-DX-UNIFOCAL-1).

    ``text_reading`` says which of the result and sites were read from the pathology report's free
    text (with the sentences); ``report_text`` keeps its presentedForm text for export.
    """

    id: str
    codings: tuple[Coding, ...] = ()
    concepts: frozenset[Concept] = frozenset()
    performed: date | None = None
    sites: tuple[Site, ...] = ()
    result: frozenset[Concept] = frozenset()
    result_codings: tuple[Coding, ...] = ()
    conclusion: str | None = None
    report_id: str | None = None
    status: str = "completed"
    text_reading: TextReading | None = None
    report_text: str | None = None
