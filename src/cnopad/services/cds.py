"""The CDS Hooks use case: gather the patient's FHIR data (prefetch first, then the client's FHIR
server), read it into a record, assess it with the draft orders, and record the call in the audit log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from cnopad.domain import Entry, PatientRecord
from cnopad.domain.access import Actor
from cnopad.engine import Assessment, Card
from cnopad.errors import DataUnavailableError, InputError
from cnopad.fhir import read_bundle, read_orders
from cnopad.fhir.client import FhirServerClient, bundle_resources, next_link
from cnopad.knowledge import KnowledgeBase
from cnopad.store import UnitOfWork

JsonObject = dict[str, Any]

#: what the engine reads, as CDS Hooks prefetch templates (the same for the three services)
PREFETCH: dict[str, str] = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "medicationRequests": "MedicationRequest?patient={{context.patientId}}",
    "medicationStatements": "MedicationStatement?patient={{context.patientId}}",
    "medicationAdministrations": "MedicationAdministration?patient={{context.patientId}}",
    "immunizations": "Immunization?patient={{context.patientId}}",
    "allergies": "AllergyIntolerance?patient={{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}",
    "procedures": "Procedure?patient={{context.patientId}}",
    "diagnosticReports": "DiagnosticReport?patient={{context.patientId}}",
    "imagingStudies": "ImagingStudy?patient={{context.patientId}}",
    "careTeams": "CareTeam?patient={{context.patientId}}",
    "goals": "Goal?patient={{context.patientId}}",
    "serviceRequests": "ServiceRequest?patient={{context.patientId}}",
    "encounters": "Encounter?patient={{context.patientId}}",
}

ORDER_HOOKS = frozenset({"order-select", "order-sign"})


@dataclass(frozen=True)
class HookCall:
    """One CDS Hooks call, as the use case needs it."""

    service_id: str
    hook: str
    context: JsonObject
    prefetch: JsonObject | None
    fhir_server: str | None
    access_token: str | None
    lang: str = "nl"


@dataclass(frozen=True)
class HookResult:
    """The cards to return, with the patient they are about."""

    patient_id: str
    cards: tuple[Card, ...]
    assessment: Assessment
    resources: int = 0
    orders: int = 0


ClientFactory = Callable[[str, str | None], FhirServerClient]


def fill(template: str, context: JsonObject) -> str:
    """Replace ``{{context.x}}`` prefetch tokens with context values."""
    out = template
    for key, value in context.items():
        if isinstance(value, (str, int)):
            out = out.replace("{{context.%s}}" % key, str(value))  # noqa: UP031 - braces make f-strings unreadable here
    return out


def gather(call: HookCall, client_factory: ClientFactory) -> list[JsonObject]:
    """Every resource the engine reads: prefetch where given, else the FHIR server, else 412."""
    prefetch = call.prefetch or {}
    resources: list[JsonObject] = []
    client: FhirServerClient | None = None
    try:
        for key, template in PREFETCH.items():
            value = prefetch.get(key, _MISSING)
            if value is None:
                continue  # the client says: no data
            if value is _MISSING or _is_outcome(value):
                client = client or _client(call, client_factory, key)
                value = client.get(fill(template, call.context))
                if value is None:
                    continue
            if not isinstance(value, dict):
                msg = f"prefetch.{key}"
                raise InputError(msg, "must be a FHIR resource or Bundle")
            if value.get("resourceType") == "Bundle":
                resources.extend(bundle_resources(value))
                if next_link(value) is not None:
                    client = client or _client(call, client_factory, key)
                    resources.extend(client.next_pages(value))
            else:
                resources.append(value)
    finally:
        if client is not None:
            client.close()
    return resources


_MISSING = object()


def prefetch_complete(call: HookCall) -> bool:
    """True when every key is in prefetch (a value or null) and nothing must be fetched from the FHIR server."""
    prefetch = call.prefetch or {}
    for key in PREFETCH:
        value = prefetch.get(key, _MISSING)
        if value is _MISSING or _is_outcome(value):
            return False
        if isinstance(value, dict) and next_link(value) is not None:
            return False
    return True


def _is_outcome(value: object) -> bool:
    return isinstance(value, dict) and value.get("resourceType") == "OperationOutcome"


def _client(call: HookCall, factory: ClientFactory, key: str) -> FhirServerClient:
    if not call.fhir_server:
        msg = f"prefetch key {key!r} is missing and no fhirServer was given to fetch it"
        raise DataUnavailableError(msg)
    return factory(call.fhir_server, call.access_token)


def record_from(resources: list[JsonObject], patient_id: str, kb: KnowledgeBase, today: date) -> PatientRecord:
    """Read the gathered resources as one Bundle (duplicates by type and id dropped)."""
    seen: set[tuple[str, str]] = set()
    entries = []
    for resource in resources:
        key = (str(resource.get("resourceType")), str(resource.get("id")))
        if key in seen:
            continue
        seen.add(key)
        entries.append({"resource": resource})
    if ("Patient", patient_id) not in seen:
        msg = f"the Patient {patient_id!r} named in context.patientId was not in the data"
        raise DataUnavailableError(msg)
    # prefetch is read without full R4 model validation: cnopad checks every element it uses (see read_bundle)
    result = read_bundle(
        {"resourceType": "Bundle", "type": "collection", "entry": entries},
        valuesets=kb.valuesets,
        today=today,
        validate=False,
    )
    return result.record


def draft_orders(call: HookCall, kb: KnowledgeBase, today: date) -> list[Entry]:
    """The draft orders of an order hook (only the selected ones for order-select)."""
    if call.hook not in ORDER_HOOKS:
        return []
    bundle = call.context.get("draftOrders")
    if not isinstance(bundle, dict):
        msg = "context.draftOrders"
        raise InputError(msg, "order hooks need a draftOrders Bundle")
    orders, _ = read_orders(bundle, valuesets=kb.valuesets, today=today)
    selections = call.context.get("selections")
    if call.hook == "order-select":
        if not isinstance(selections, list) or not selections:
            msg = "context.selections"
            raise InputError(msg, "order-select needs the selected orders")
        chosen = {str(s).rsplit("/", 1)[-1] for s in selections}
        orders = [o for o in orders if o.id in chosen]
    return orders


def evaluate(call: HookCall, *, kb: KnowledgeBase, today: date, client_factory: ClientFactory) -> HookResult:
    """Assess the patient of a hook call (no database work): the cards the hook should show."""
    from cnopad.engine import assess

    patient_id = call.context.get("patientId")
    if not isinstance(patient_id, str) or not patient_id:
        msg = "context.patientId"
        raise InputError(msg, "required")
    resources = gather(call, client_factory)
    record = record_from(resources, patient_id, kb, today)
    orders = draft_orders(call, kb, today)
    assessment = assess(record, today, orders, lang=call.lang, kb=kb)
    order_ids = {o.id for o in orders}
    if call.hook in ORDER_HOOKS:
        cards = tuple(c for c in assessment.cards if c.order_id is not None and c.order_id in order_ids)
    else:
        cards = tuple(c for c in assessment.cards if c.order_id is None)
    return HookResult(patient_id, cards, assessment, len(resources), len(orders))


def record_call(uow: UnitOfWork, call: HookCall, result: HookResult) -> None:
    """Remember the issued cards (for feedback) and audit the call, in one short transaction.

    Kept apart from ``evaluate`` so the write transaction holds no CPU work (SQLite has one writer).
    """
    uow.cds.remember_cards(call.service_id, [(c.uuid, c.rule_id) for c in result.cards])
    uow.audit.append(
        uow.actor,
        f"cds-{call.hook}",
        patient_id=result.patient_id,
        purpose="decision support",
        detail=f"service={call.service_id} resources={result.resources} orders={result.orders} "
        f"cards={len(result.cards)}",
    )
    uow.commit()


def caller(issuer: str, context: JsonObject) -> str:
    """How a CDS caller appears in the audit log: the client and the user it acts for."""
    user = context.get("userId")
    return f"{issuer} {user}" if isinstance(user, str) and user else issuer


def audit_actor(issuer: str, context: JsonObject) -> Actor:
    """The actor for a CDS Hooks call."""
    from cnopad.domain.access import Channel, Role

    return Actor(caller(issuer, context)[:200], Role.CDS_CLIENT, Channel.CDS)
