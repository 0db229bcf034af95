"""A knowledge base in which one instrument's point weights are marked verified: ONLY to test the scoring mechanism.

The shipped Jansson 2009 points are unverified candidate values, so cnopad computes no Jansson score. The range
logic (39 meets, 38 does not, unknown items widen the range) is still tested, on a copy of the knowledge base whose
instrument says ``weights.verified: true``. Nothing in the product uses such a copy.
"""

from __future__ import annotations

from dataclasses import replace

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
