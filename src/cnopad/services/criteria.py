"""Use cases of the criteria (issue 13): evaluate a FHIR bundle (no database) or a stored record (audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from cnopad.domain import PatientRecord
from cnopad.engine.criteria import CriteriaReport, evaluate_criteria
from cnopad.engine.criteria.serialize import criteria_dict
from cnopad.fhir import Unrecognized, read_bundle
from cnopad.knowledge.base import KnowledgeBase
from cnopad.services.access import ensure_can_read
from cnopad.store import UnitOfWork

Json = str | bytes | dict[str, Any]


@dataclass(frozen=True)
class CriteriaOutcome:
    """A criteria report and what of the input cnopad did not understand."""

    report: CriteriaReport
    unrecognized: tuple[Unrecognized, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON contract of ``cnopad criteria --format json``."""
        out = criteria_dict(self.report)
        out["unrecognized"] = [u.as_dict() for u in self.unrecognized]
        return out


def criteria_for_bundle(
    bundle: Json, *, as_of: date, today: date, kb: KnowledgeBase, lang: str = "nl"
) -> CriteriaOutcome:
    """Read a FHIR R4 Bundle and evaluate the criteria; bad input raises InputError naming the place."""
    result = read_bundle(bundle, valuesets=kb.valuesets, today=today)
    return CriteriaOutcome(evaluate_criteria(result.record, as_of, lang=lang, kb=kb), result.unrecognized)


def criteria_for_record(record: PatientRecord, *, as_of: date, kb: KnowledgeBase, lang: str = "nl") -> CriteriaReport:
    """Evaluate the criteria of a record already read (and audited) by the caller, e.g. the patient page."""
    return evaluate_criteria(record, as_of, lang=lang, kb=kb)


def criteria_for_stored(
    uow: UnitOfWork,
    patient_id: str,
    *,
    as_of: date,
    kb: KnowledgeBase,
    lang: str = "nl",
    purpose: str = "decision support",
) -> tuple[PatientRecord, CriteriaReport]:
    """Evaluate the criteria of a stored record (access checked, an audited read); the record comes along for
    the FHIR export's references."""
    purpose = ensure_can_read(uow, patient_id).purpose(purpose)
    record = uow.records.get(patient_id, purpose=purpose)
    uow.commit()
    return record, evaluate_criteria(record, as_of, lang=lang, kb=kb)
