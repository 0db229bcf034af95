"""Read FHIR R4 resources into a PatientRecord (and draft orders into domain entries).

Every resource type cnopad reads maps to a domain entry; supporting resources (Practitioner,
Medication, ...) are read through references. What cnopad cannot understand is listed and set aside
while the rest is read ("fail safe, not closed"): a resource of a type cnopad does not read, a code
element in systems it does not read, a reference it needs that resolves to nothing, another patient's
resource. Bad values stay InputErrors, except on the lenient path (CDS Hooks prefetch, where the EHR
cannot fix its data per call): there a bad value sets its resource aside. The Patient is never set
aside: without it there is nothing to assess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from cnopad.domain import Entry, PatientRecord, input_rules
from cnopad.errors import InputError
from cnopad.fhir.parse import JsonObject, bundle_located, known_type, load_json, unknown_type, validate_resource
from cnopad.fhir.read_clinical import read_patient
from cnopad.fhir.read_context import ReadContext, Unrecognized
from cnopad.fhir.reading import ORDER_TYPES, NotChecked, Reading, guarded, with_id
from cnopad.fhir.references import Located, ReferenceIndex
from cnopad.knowledge.valuesets import ValueSetIndex

__all__ = [
    "ORDER_TYPES",
    "NotChecked",
    "ReadResult",
    "order_located",
    "read_bundle",
    "read_draft_orders",
    "read_located",
    "read_orders",
]


@dataclass(frozen=True)
class ReadResult:
    """A record read from a request, with what was not understood and how many resources there were."""

    record: PatientRecord
    unrecognized: tuple[Unrecognized, ...]
    resource_count: int
    orders: tuple[Entry, ...] = ()
    not_checked: tuple[NotChecked, ...] = field(default=())


def read_bundle(
    data: JsonObject | str | bytes, *, valuesets: ValueSetIndex, today: date, validate: bool = True
) -> ReadResult:
    """Read a FHIR R4 Bundle into a PatientRecord; bad input raises InputError.

    With ``validate`` (imports) every resource is validated against its R4 model first. Without it only
    cnopad's own checks run, on every element it reads: types, dates, ranges, codes and references.
    """
    bundle = data if isinstance(data, dict) else load_json(data)
    located, left_out = bundle_located(bundle, validate=validate)
    return read_located(located, valuesets=valuesets, today=today, listed=left_out)


def read_located(
    located: Sequence[Located],
    *,
    valuesets: ValueSetIndex,
    today: date,
    orders: Sequence[Located] = (),
    index: ReferenceIndex | None = None,
    listed: Sequence[Unrecognized] = (),
    lenient: bool = False,
    missing: dict[str, str] | None = None,
    root: str = "Bundle.entry",
    scope: str = "the Bundle",
) -> ReadResult:
    """Read located resources (exactly one Patient among them) and draft orders about that Patient.

    ``index`` resolves references (default: over ``located`` and ``orders``); ``listed`` is what was left out
    before reading; ``lenient`` sets a resource with a bad value aside instead of refusing the input;
    ``missing`` says why a reference could not be fetched; ``root`` and ``scope`` name the input in messages.
    """
    patients = [i for i, item in enumerate(located) if item.kind == "Patient"]
    if len(patients) != 1:
        where = ", ".join(located[i].location for i in patients)
        count = f"found {len(patients)}" + (f" ({where})" if where else "")
        what = "a Bundle" if root == "Bundle.entry" else "the data"
        raise InputError(root, f"{what} must hold exactly one Patient; {count}")
    refs = index if index is not None else ReferenceIndex([*located, *orders])
    ctx = ReadContext(valuesets=valuesets, today=today, refs=refs, missing=dict(missing or {}), scope=scope)
    ctx.unrecognized.extend(listed)
    p = located[patients[0]]
    p_resource = with_id(p)
    if not p.text_checked:
        input_rules.check_json_text(p.resource, p.location)  # the Patient is never set aside: bad text refuses
    patient = guarded(p.location, read_patient, p_resource, p.location, ctx)
    ctx.patient_id = patient.id
    ctx.patient_refs = frozenset({f"Patient/{p_resource['id']}", f"Patient/{patient.id}", p.full_url or ""} - {""})
    ctx.birth_date = patient.birth_date
    reading = Reading(ctx, lenient=lenient)
    found = reading.entries([item for i, item in enumerate(located) if i != patients[0]])
    drafts, not_checked = reading.orders(orders)
    record = PatientRecord.build(patient, found)
    return ReadResult(record, tuple(ctx.unrecognized), len(located) + len(listed), tuple(drafts), tuple(not_checked))


def read_orders(
    data: JsonObject | str | bytes, *, valuesets: ValueSetIndex, today: date
) -> tuple[list[Entry], tuple[Unrecognized, ...]]:
    """Read draft orders: one MedicationRequest/ServiceRequest/Immunization, or a Bundle of them."""
    orders, unrecognized, _ = read_draft_orders(data, valuesets=valuesets, today=today)
    return orders, unrecognized


def read_draft_orders(
    data: JsonObject | str | bytes, *, valuesets: ValueSetIndex, today: date
) -> tuple[list[Entry], tuple[Unrecognized, ...], tuple[NotChecked, ...]]:
    """Draft orders, what was not understood, and the orders cnopad could not check (and why)."""
    located, left_out = order_located(data)
    ctx = ReadContext(valuesets=valuesets, today=today, refs=ReferenceIndex(located))
    ctx.unrecognized.extend(left_out)
    orders, not_checked = Reading(ctx, lenient=False).orders(located)
    return orders, tuple(ctx.unrecognized), tuple(not_checked)


def order_located(data: JsonObject | str | bytes) -> tuple[list[Located], list[Unrecognized]]:
    """The resources of a draft-order document (a Bundle, or one resource), validated, with locations."""
    raw = data if isinstance(data, dict) else load_json(data, what="orders")
    if raw.get("resourceType") == "Bundle":
        return bundle_located(raw, validate=True)
    kind = raw.get("resourceType")
    if not known_type(kind):
        return [], [unknown_type(raw, str(kind or "resource"))]
    input_rules.check_json_text(raw, str(kind))
    validate_resource(raw, str(kind))
    return [Located(raw, str(kind))], []
