"""FHIR R4 export: valid Bundles, and import -> export -> import gives an equal record."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings

from cnopad.fhir import RecordWriter, read_bundle
from cnopad.fhir.parse import validate_bundle
from cnopad.knowledge import knowledge
from support.strategies import TODAY, bundles


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(bundles())
def test_import_export_import_gives_an_equal_record(bundle: dict) -> None:  # type: ignore[type-arg]
    valuesets = knowledge().valuesets
    first = read_bundle(json.dumps(bundle), valuesets=valuesets, today=TODAY)

    exported = json.loads(json.dumps(RecordWriter(valuesets).bundle(first.record)))
    validate_bundle(exported)
    second = read_bundle(json.dumps(exported), valuesets=valuesets, today=TODAY)

    assert second.record == first.record
    assert not second.unrecognized
