"""FHIR R4 <-> domain: parse and validate with fhir.resources, read Bundles into records, write them back."""

from cnopad.fhir.read_context import Unrecognized
from cnopad.fhir.reader import ORDER_TYPES, ReadResult, read_bundle, read_orders
from cnopad.fhir.writer import RecordWriter

__all__ = ["ORDER_TYPES", "ReadResult", "RecordWriter", "Unrecognized", "read_bundle", "read_orders"]
