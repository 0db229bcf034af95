"""Read a FHIR R4 Bundle into a PatientRecord (and draft orders into domain entries).

Every resource type cnopad reads maps to a domain entry; supporting resources (Practitioner,
Medication, ...) are read through references; anything else is reported back as not understood.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from cnopad.domain import KIND_OF, Coding, Concept, Entry, PatientRecord
from cnopad.errors import InputError
from cnopad.fhir.parse import JsonObject, bundle_resources, load_json, validate_bundle, validate_resource
from cnopad.fhir.read_care import (
    read_care_team,
    read_encounter,
    read_goal,
    read_procedure,
    read_service_request,
)
from cnopad.fhir.read_clinical import read_allergy, read_condition, read_patient
from cnopad.fhir.read_context import SUPPORTING_TYPES, ReadContext, Unrecognized
from cnopad.fhir.read_imaging import is_imaging_report, read_biopsy, read_imaging
from cnopad.fhir.read_medication import (
    read_administration,
    read_immunization,
    read_medication_request,
    read_medication_statement,
)
from cnopad.fhir.read_observation import read_observation
from cnopad.knowledge.valuesets import ValueSetIndex

Reader = Callable[[JsonObject, str, ReadContext], Any]

#: resource types read one resource at a time (imaging, reports and procedures are read in pairs)
_SIMPLE: dict[str, Reader] = {
    "Condition": read_condition,
    "AllergyIntolerance": read_allergy,
    "MedicationRequest": read_medication_request,
    "MedicationStatement": read_medication_statement,
    "MedicationAdministration": read_administration,
    "Immunization": read_immunization,
    "Observation": read_observation,
    "CareTeam": read_care_team,
    "Goal": read_goal,
    "ServiceRequest": read_service_request,
    "Encounter": read_encounter,
}

#: the resource types a draft order may be (CDS Hooks order-select / order-sign, ``assess --order``)
ORDER_TYPES = frozenset({"MedicationRequest", "ServiceRequest", "Immunization"})


@dataclass(frozen=True)
class ReadResult:
    """A record read from a Bundle, with what was not understood and how many resources there were."""

    record: PatientRecord
    unrecognized: tuple[Unrecognized, ...]
    resource_count: int


def read_bundle(
    data: JsonObject | str | bytes, *, valuesets: ValueSetIndex, today: date, validate: bool = True
) -> ReadResult:
    """Read a FHIR R4 Bundle into a PatientRecord; bad input raises InputError.

    With ``validate`` (imports) the whole Bundle is validated against the R4 models first. Without it
    (the CDS Hooks hot path, where full validation would cost most of the time) only cnopad's own checks
    run, on every element it reads: types, dates, ranges, codes and references.
    """
    bundle = data if isinstance(data, dict) else load_json(data)
    resources = validate_bundle(bundle) if validate else bundle_resources(bundle)
    entries = bundle.get("entry") or []
    patients = [i for i, r in enumerate(resources) if r.get("resourceType") == "Patient"]
    if len(patients) != 1:
        where = ", ".join(f"entry[{i}]" for i in patients)
        count = f"found {len(patients)}" + (f" ({where})" if where else "")
        msg = "Bundle.entry"
        raise InputError(msg, f"a Bundle must hold exactly one Patient; {count}")
    result: ReadResult = _guarded("Bundle", _read_resources, resources, entries, patients[0], valuesets, today)
    return result


def _read_resources(
    resources: list[JsonObject], entries: list[JsonObject], p_index: int, valuesets: ValueSetIndex, today: date
) -> ReadResult:
    resources = [_with_id(r, e, i) for i, (r, e) in enumerate(zip(resources, entries, strict=True))]
    ctx = ReadContext(valuesets=valuesets, today=today, targets=_targets(resources, entries))
    patient = _guarded(_loc(p_index), read_patient, resources[p_index], _loc(p_index), ctx)
    ctx.patient_id = patient.id
    ctx.patient_refs = frozenset(
        {
            f"Patient/{resources[p_index]['id']}",
            f"Patient/{patient.id}",
            str(entries[p_index].get("fullUrl", "")),
        }
        - {""}
    )
    ctx.birth_date = patient.birth_date
    found = _read_entries(resources, ctx, skip={p_index})
    return ReadResult(PatientRecord.build(patient, found), tuple(ctx.unrecognized), len(resources))


def read_orders(
    data: JsonObject | str | bytes, *, valuesets: ValueSetIndex, today: date
) -> tuple[list[Entry], tuple[Unrecognized, ...]]:
    """Read draft orders: one MedicationRequest/ServiceRequest/Immunization, or a Bundle of them."""
    raw = data if isinstance(data, dict) else load_json(data, what="orders")
    if raw.get("resourceType") == "Bundle":
        resources = validate_bundle(raw)
        entries = raw.get("entry") or []
        root = "Bundle.entry[{}].resource"
    else:
        validate_resource(raw, raw.get("resourceType") or "resource")
        resources, entries, root = [raw], [{}], "{}"
    resources = [_with_id(r, e, i) for i, (r, e) in enumerate(zip(resources, entries, strict=True))]
    ctx = ReadContext(valuesets=valuesets, today=today, targets=_targets(resources, entries))
    orders: list[Entry] = []
    for index, resource in enumerate(resources):
        kind = resource["resourceType"]
        location = root.format(index) if "{}" in root and root != "{}" else kind
        if kind in ORDER_TYPES:
            orders.append(_SIMPLE[kind](resource, location, ctx))
        elif kind not in SUPPORTING_TYPES:
            ctx.report_resource(resource, location)
    return orders, tuple(ctx.unrecognized)


def _with_id(resource: JsonObject, entry: JsonObject, index: int) -> JsonObject:
    """Give a resource without an id the last part of its fullUrl; refuse one with neither."""
    if resource.get("id"):
        return resource
    full_url = str(entry.get("fullUrl") or "")
    if full_url:
        return {**resource, "id": full_url.rsplit(":", 1)[-1].rsplit("/", 1)[-1]}
    msg = f"Bundle.entry[{index}].resource.id"
    raise InputError(
        msg,
        "the resource has no id and its entry no fullUrl; cnopad needs one to recognise it on re-import",
    )


def _targets(resources: list[JsonObject], entries: list[JsonObject]) -> dict[str, JsonObject]:
    """Reference targets by 'Type/id' and by fullUrl."""
    targets: dict[str, JsonObject] = {}
    for resource, entry in zip(resources, entries, strict=True):
        targets[f"{resource['resourceType']}/{resource['id']}"] = resource
        if entry.get("fullUrl"):
            targets[str(entry["fullUrl"])] = resource
    return targets


def _read_entries(resources: list[JsonObject], ctx: ReadContext, *, skip: set[int]) -> list[Entry]:
    """Map every resource (but the Patient) to domain entries; pair reports with studies and biopsies."""
    pairs = _Pairs.find(resources, ctx)
    found: list[Entry] = []
    seen: dict[tuple[str, str], int] = {}
    for i, res in enumerate(resources):
        if i in skip:
            continue
        for entry in _guarded(_loc(i), _read_one, i, res, resources, pairs, ctx):
            key = (KIND_OF[type(entry)], entry.id)
            if key in seen:
                msg = f"{_loc(i)}.id"
                raise InputError(msg, f"id {entry.id!r} is used twice (also at Bundle.entry[{seen[key]}])")
            seen[key] = i
            found.append(entry)
    return found


def _loc(index: int) -> str:
    return f"Bundle.entry[{index}].resource"


@dataclass(frozen=True)
class _Pairs:
    """Which pathology report belongs to which biopsy, and which study to which imaging report."""

    biopsy_reports: dict[int, int]  # procedure index -> report index
    report_studies: dict[int, int]  # report index -> study index

    @classmethod
    def find(cls, resources: list[JsonObject], ctx: ReadContext) -> _Pairs:
        index_of = {id(r): i for i, r in enumerate(resources)}
        biopsy_reports: dict[int, int] = {}
        report_studies: dict[int, int] = {}
        for i, res in enumerate(resources):
            if res["resourceType"] == "Procedure" and _is_biopsy(res, ctx):
                refs, into, where = res.get("report") or [], biopsy_reports, f"{_loc(i)}.report"
            elif res["resourceType"] == "DiagnosticReport":
                refs, into, where = res.get("imagingStudy") or [], report_studies, f"{_loc(i)}.imagingStudy"
            else:
                continue
            for n, ref in enumerate(refs):
                target = ctx.resolve(ref, f"{where}[{n}]")
                if target is not None:
                    into[i] = index_of[id(target)]
        return cls(biopsy_reports, report_studies)


def _read_one(i: int, res: JsonObject, resources: list[JsonObject], pairs: _Pairs, ctx: ReadContext) -> list[Entry]:
    """The domain entries of one resource (none for a report or study read together with another)."""
    kind = res["resourceType"]
    if kind in _SIMPLE:
        mapped = _SIMPLE[kind](res, _loc(i), ctx)
        return list(mapped) if isinstance(mapped, list) else [mapped]
    if kind == "Procedure":
        if i in pairs.biopsy_reports or _is_biopsy(res, ctx):
            r = pairs.biopsy_reports.get(i)
            report, report_loc = (resources[r], _loc(r)) if r is not None else (None, None)
            return [read_biopsy(res, _loc(i), report, report_loc, ctx)]
        return [read_procedure(res, _loc(i), ctx)]
    if kind == "DiagnosticReport":
        if i in pairs.biopsy_reports.values():
            return []
        if not is_imaging_report(res, ctx):
            ctx.report_resource(res, _loc(i))
            return []
        s = pairs.report_studies.get(i)
        study, study_loc = (resources[s], _loc(s)) if s is not None else (None, None)
        return [read_imaging(res, _loc(i), study, study_loc, ctx)]
    if kind == "ImagingStudy":
        return [] if i in pairs.report_studies.values() else [read_imaging(None, None, res, _loc(i), ctx)]
    if kind not in SUPPORTING_TYPES:
        ctx.report_resource(res, _loc(i))
    return []


def _is_biopsy(procedure: JsonObject, ctx: ReadContext) -> bool:
    codings = [
        Coding(c["system"], c["code"])
        for c in (procedure.get("code") or {}).get("coding") or []
        if c.get("system") and c.get("code")
    ]
    return Concept.BONE_BIOPSY in ctx.valuesets.concepts(codings)


def _guarded(where: str, read: Callable[..., Any], *args: Any) -> Any:
    """Run a reader; malformed data it trips over becomes an InputError at ``where``, never a crash."""
    try:
        return read(*args)
    except InputError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError, IndexError, RecursionError) as exc:
        kind = next(
            (a.get("resourceType") for a in args if isinstance(a, dict) and isinstance(a.get("resourceType"), str)),
            None,
        )
        what = f"not a valid {kind}" if kind else "malformed data"
        raise InputError(where, f"{what} ({type(exc).__name__}: {exc})") from exc
