"""A knowledge base in which one instrument's point weights are marked verified: ONLY to test the scoring mechanism.

The shipped Jansson 2009 points are unverified candidate values, so cnopad computes no Jansson score. The range
logic (39 meets, 38 does not, unknown items widen the range) is still tested, on a copy of the knowledge base whose
instrument says ``weights.verified: true``. Nothing in the product uses such a copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from cnopad.domain import Concept, Condition, Entry, Observation, Patient, PatientRecord, Quantity, Site, Verification
from cnopad.knowledge import KnowledgeBase
from cnopad.knowledge.criteria import CriteriaBook, Instrument


def verified_copy(instrument: Instrument) -> Instrument:
    """``instrument`` as if its weights had been verified against the paper (a test double, never shipped)."""
    return instrument.model_copy(update={"weights": instrument.weights.model_copy(update={"verified": True})})


def with_verified_weights(kb: KnowledgeBase, instrument_id: str) -> KnowledgeBase:
    """A copy of ``kb`` whose instrument ``instrument_id`` has ``weights.verified: true`` (everything else shared)."""
    book = kb.criteria
    instruments = tuple(verified_copy(i) if i.id == instrument_id else i for i in book.instruments)
    assert any(i.id == instrument_id for i in instruments), instrument_id
    return replace(kb, criteria=CriteriaBook(instruments, book.facts, book.path))


def suspected_crmo_child(
    kb: KnowledgeBase, patient_id: str, *, sites: tuple[Site, ...] = (), more: Sequence[Entry] = ()
) -> PatientRecord:
    """A synthetic child (born 2014) with suspected CRMO (onset June 2026, at ``sites``), fever recorded absent and
    CRP 12 mg/L on 1 October 2026, plus ``more`` entries."""
    coding = kb.valuesets.coding_for
    entries: list[Entry] = [
        Condition(
            "dx",
            (coding(Concept.CRMO),),
            frozenset({Concept.CRMO}),
            verification=Verification.SUSPECTED,
            onset=date(2026, 6, 1),
            recorded=date(2026, 7, 1),
            sites=sites,
        ),
        Observation(
            "fever", (coding(Concept.FEVER),), frozenset({Concept.FEVER}), effective=date(2026, 10, 1), value=False
        ),
        Observation(
            "crp",
            (coding(Concept.CRP),),
            frozenset({Concept.CRP}),
            effective=date(2026, 10, 1),
            value=Quantity(Decimal("12"), "mg/L"),
        ),
        *more,
    ]
    return PatientRecord.build(Patient(patient_id, date(2014, 3, 3), synthetic=True), entries)
