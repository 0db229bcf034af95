"""The predicates the rules name in ``when``: one small typed function per situation, registered by name."""

from cnopad.engine.findings import PREDICATES, Finding, Findings, Params, Predicate
from cnopad.engine.predicates import care, diagnosis, medication, safety, wellbeing

__all__ = [
    "PREDICATES",
    "Finding",
    "Findings",
    "Params",
    "Predicate",
    "care",
    "diagnosis",
    "medication",
    "safety",
    "wellbeing",
]
