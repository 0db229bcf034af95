"""The CDS Hooks use case: gather the patient's FHIR data (``cds_data``: prefetch first, then the client's
FHIR server), read it into a record, assess it with the draft orders, and record the call in the audit log.

What cnopad cannot read is set aside and named, never a reason to drop the whole call: the response then
carries one info card listing it (and the extension ``nl.cnopad.not-understood``), and a draft order that
could not be checked gets a warning card saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from cnopad.domain.access import Actor
from cnopad.engine import Assessment, Card, Indicator
from cnopad.errors import DataUnavailableError, InputError
from cnopad.fhir import NotChecked, ReadResult, Unrecognized, read_located
from cnopad.knowledge import KnowledgeBase
from cnopad.services.cds_data import ORDER_HOOKS, PREFETCH, ClientFactory, Gathered, fill, gather
from cnopad.services.not_understood import info_card, order_card
from cnopad.store import UnitOfWork

JsonObject = dict[str, Any]

__all__ = [
    "ORDER_HOOKS",
    "PREFETCH",
    "ClientFactory",
    "HookCall",
    "HookResult",
    "audit_actor",
    "caller",
    "evaluate",
    "fill",
    "gather",
    "record_call",
]

_URGENCY = {Indicator.CRITICAL: 0, Indicator.WARNING: 1, Indicator.INFO: 2}


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
    #: the request's bytes were proven free of refused text (``input_rules.json_bytes_clean``): its prefetch
    #: resources need no string-by-string check in the reader
    text_checked: bool = False


@dataclass(frozen=True)
class HookResult:
    """The cards to return, with the patient they are about and what was not understood."""

    patient_id: str
    cards: tuple[Card, ...]
    assessment: Assessment
    resources: int = 0
    orders: int = 0
    not_understood: tuple[Unrecognized, ...] = ()
    fetched: int = 0


def _patient_id(call: HookCall) -> str:
    patient_id = call.context.get("patientId")
    if not isinstance(patient_id, str) or not patient_id:
        msg = "context.patientId"
        raise InputError(msg, "required")
    return patient_id


def read_call(call: HookCall, data: Gathered, kb: KnowledgeBase, today: date) -> ReadResult:
    """Read the gathered resources and draft orders; what cannot be understood is set aside and listed."""
    patient_id = _patient_id(call)
    patients = [i for i in data.located if i.kind == "Patient"]
    if not any(p.resource.get("id") == patient_id for p in patients):
        found = ", ".join(repr(p.resource.get("id")) for p in patients)
        also = f" (the data holds the Patient {found})" if found else ""
        msg = f"the Patient {patient_id!r} named in context.patientId was not in the data{also}"
        raise DataUnavailableError(msg)
    # prefetch is read without full R4 model validation: cnopad checks every element it uses (see read_located)
    return read_located(
        data.located,
        orders=data.orders,
        index=data.index,
        listed=data.listed,
        valuesets=kb.valuesets,
        today=today,
        lenient=True,
        missing=data.missing,
        root="prefetch",
        scope="the request",
    )


def _chosen(call: HookCall) -> set[str] | None:
    """The ids of the selected draft orders (order-select), or None for every order."""
    if call.hook != "order-select":
        return None
    selections = call.context.get("selections")
    if not isinstance(selections, list) or not selections:
        msg = "context.selections"
        raise InputError(msg, "order-select needs the selected orders")
    return {str(s).rsplit("/", 1)[-1] for s in selections}


def evaluate(call: HookCall, data: Gathered, *, kb: KnowledgeBase, today: date) -> HookResult:
    """Assess the patient of a hook call (no database work): the cards the hook should show."""
    from cnopad.engine import assess

    chosen = _chosen(call)
    result = read_call(call, data, kb, today)
    orders = [o for o in result.orders if chosen is None or o.id in chosen]
    unchecked: list[NotChecked] = [o for o in result.not_checked if chosen is None or o.order_id in chosen]
    patient_id = result.record.patient.id
    assessment = assess(result.record, today, orders, lang=call.lang, kb=kb)
    if call.hook in ORDER_HOOKS:
        order_ids = {o.id for o in orders}
        found = [c for c in assessment.cards if c.order_id is not None and c.order_id in order_ids]
        found += [order_card(o, patient_id=patient_id, kb=kb, lang=call.lang) for o in unchecked]
    else:
        found = [c for c in assessment.cards if c.order_id is None]
        path = _diagnostic_path_card(result, today, call.lang, kb)
        if path is not None:
            found.append(path)
    cards = sorted(found, key=lambda c: _URGENCY[c.indicator])  # stable: the engine's order within a level
    info = info_card(result.unrecognized, patient_id=patient_id, kb=kb, lang=call.lang)
    if info is not None:
        cards.append(info)
    return HookResult(
        patient_id,
        tuple(cards),
        assessment,
        result.resource_count,
        len(orders) + len(unchecked),
        result.unrecognized,
        data.requests,
    )


def _diagnostic_path_card(result: ReadResult, today: date, lang: str, kb: KnowledgeBase) -> Card | None:
    """The diagnostic path and criteria of a suspected CNO as one info card (issue 13), None otherwise."""
    from cnopad.engine.criteria import evaluate_criteria, is_suspected
    from cnopad.engine.criteria.card import path_card

    if not is_suspected(result.record, today):
        return None
    return path_card(evaluate_criteria(result.record, today, lang=lang, kb=kb), kb)


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
        f"cards={len(result.cards)} not_understood={len(result.not_understood)} fetched={result.fetched}",
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
