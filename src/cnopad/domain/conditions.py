"""Conditions: the CNO diagnosis, skin disease, earlier (mis)diagnoses, complications, comorbidity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cnopad.domain.codes import Coding
from cnopad.domain.concepts import CNO_DIAGNOSIS, Concept
from cnopad.domain.sites import Site, is_symmetric, site_count


class Verification(StrEnum):
    """How certain the condition is (FHIR Condition.verificationStatus, simplified)."""

    SUSPECTED = "suspected"
    CONFIRMED = "confirmed"
    RULED_OUT = "ruled_out"


class ClinicalStatus(StrEnum):
    """Whether the condition is active now (FHIR Condition.clinicalStatus)."""

    ACTIVE = "active"
    RECURRENCE = "recurrence"
    RELAPSE = "relapse"
    INACTIVE = "inactive"
    REMISSION = "remission"
    RESOLVED = "resolved"


class Focality(StrEnum):
    """One affected site or several (CRMO-DX-UNIFOCAL-1, CRMO-DX-NO-BIOPSY-1)."""

    UNIFOCAL = "unifocal"
    MULTIFOCAL = "multifocal"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Condition:
    """A diagnosis or problem with its dates: ``onset`` = first complaints, ``recorded`` = diagnosis date."""

    id: str
    codings: tuple[Coding, ...]
    concepts: frozenset[Concept] = frozenset()
    verification: Verification = Verification.CONFIRMED
    clinical_status: ClinicalStatus | None = None
    onset: date | None = None
    recorded: date | None = None
    abated: date | None = None
    sites: tuple[Site, ...] = ()
    text: str | None = None

    @property
    def is_cno(self) -> bool:
        """True when this condition is CNO in any form (suspected, confirmed or ruled out)."""
        return bool(self.concepts & CNO_DIAGNOSIS)

    @property
    def focality(self) -> Focality:
        """Unifocal with one lesion site, multifocal with more, unknown without sites.

        Sites are counted over (bone, side): both tibiae are two sites (domain.sites.site_count).
        """
        count = site_count(self.sites)
        if count == 0:
            return Focality.UNKNOWN
        return Focality.UNIFOCAL if count == 1 else Focality.MULTIFOCAL

    @property
    def symmetric(self) -> bool:
        """True when the same bone is affected on the left and on the right."""
        return is_symmetric(self.sites)

    @property
    def ruled_out(self) -> bool:
        """True when the condition was excluded (refuted)."""
        return self.verification is Verification.RULED_OUT

    @property
    def first_date(self) -> date | None:
        """The earliest date known for this condition (onset, else recorded)."""
        return self.onset or self.recorded
