"""FHIR R4 <-> domain: parse and validate with fhir.resources, read Bundles into records, write them back."""

from cnopad.fhir.read_context import Reason, Unrecognized
from cnopad.fhir.reader import (
    ORDER_TYPES,
    NotChecked,
    ReadResult,
    read_bundle,
    read_draft_orders,
    read_located,
    read_orders,
)
from cnopad.fhir.references import Located, ReferenceIndex
from cnopad.fhir.writer import RecordWriter

__all__ = [
    "ORDER_TYPES",
    "Located",
    "NotChecked",
    "ReadResult",
    "Reason",
    "RecordWriter",
    "ReferenceIndex",
    "Unrecognized",
    "read_bundle",
    "read_draft_orders",
    "read_located",
    "read_orders",
]
