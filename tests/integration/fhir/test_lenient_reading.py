"""CDS Hooks prefetch is read without full R4 validation: malformed data must still end as an InputError
naming the resource (or, on the lenient CDS path, set that resource aside), never as a crash (a 500) —
and well-formed data must read exactly as validated data."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnopad.errors import InputError
from cnopad.fhir import read_bundle, read_located
from cnopad.fhir.parse import bundle_located
from cnopad.knowledge import knowledge
from support.strategies import TODAY, bundles

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.extend(_paths(value, (*prefix, index)))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(bundles(), st.data())
def test_a_malformed_element_gives_an_input_error_and_never_a_crash(
    bundle: dict[str, Any], data: st.DataObject
) -> None:
    broken = copy.deepcopy(bundle)
    paths = [p for p in _paths(broken) if len(p) > 3]  # inside a resource
    if not paths:
        return
    path = data.draw(st.sampled_from(paths))
    node = broken
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = data.draw(junk)
    try:
        read_bundle(json.loads(json.dumps(broken)), valuesets=knowledge().valuesets, today=TODAY, validate=False)
    except InputError as exc:
        assert exc.location.startswith(("Bundle", "prefetch"))


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(bundles())
def test_well_formed_data_reads_the_same_with_and_without_validation(bundle: dict[str, Any]) -> None:
    valuesets = knowledge().valuesets
    validated = read_bundle(copy.deepcopy(bundle), valuesets=valuesets, today=TODAY)
    lenient = read_bundle(copy.deepcopy(bundle), valuesets=valuesets, today=TODAY, validate=False)
    assert lenient.record == validated.record


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(bundles(), st.data())
def test_on_the_cds_path_a_malformed_resource_is_set_aside_and_only_a_bad_patient_refuses_the_call(
    bundle: dict[str, Any], data: st.DataObject
) -> None:
    broken = json.loads(json.dumps(bundle))  # no shared sub-objects: junk lands in one resource only
    paths = [p for p in _paths(broken) if len(p) > 3]
    if not paths:
        return
    path = data.draw(st.sampled_from(paths))
    node = broken
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = data.draw(junk)
    located, listed = bundle_located(broken, validate=False)
    patient_index = next(
        (i for i, e in enumerate(broken["entry"]) if e["resource"].get("resourceType") == "Patient"), None
    )
    try:
        result = read_located(located, listed=listed, valuesets=knowledge().valuesets, today=TODAY, lenient=True)
    except InputError as exc:
        # only the Patient (or no longer exactly one Patient) may refuse the call
        assert exc.location == "Bundle.entry" or exc.location.startswith(f"Bundle.entry[{patient_index}]")
        return
    aside = {int(u.location.split("[", 1)[1].split("]", 1)[0]) for u in result.unrecognized if u.set_aside}
    paired = {i for i, e in enumerate(broken["entry"]) if str(e["resource"].get("resourceType")) in _PAIRED}
    assert patient_index not in aside, "the Patient is never set aside"
    if path[1] != patient_index:  # a changed Patient (another id) rightly makes the rest another patient's data
        assert aside <= {path[1]} | paired, "junk in one resource sets aside that resource (and one read with it) only"


_PAIRED = {"DiagnosticReport", "ImagingStudy", "Procedure"}
