"""Suggestions on cards: the FHIR R4 resource each one proposes to create, built from a fixed template.

A draft ``ServiceRequest`` (a referral, a check, a screening), a completed ``Procedure`` (recording that
something was done or discussed) or an unconfirmed ``Condition`` (a suspicion). The template holds the
fixed parts; only the subject and the date come from the patient.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cnopad.domain import Coding
from cnopad.engine.assessment import Action, Suggestion
from cnopad.engine.uuids import suggestion_node
from cnopad.engine.view import RecordView

_DATE_FIELD = {"ServiceRequest": "authoredOn", "Procedure": "performedDateTime", "Condition": "recordedDate"}


@dataclass(frozen=True, slots=True)
class Offer:
    """A suggestion with everything that does not depend on the patient worked out once, at compile time."""

    node: str  # the last 12 hex digits of its uuid (``uuids.suggestion_node`` of its id)
    label: str
    template: dict[str, Any]  # the fixed part of the FHIR resource
    date_field: str  # the resource's field that gets the assessment date
    recommended: bool = False


def offer(suggestion_id: str, kind: str, coding: Coding, label: str, *, recommended: bool = False) -> Offer:
    """The compiled form of a suggestion: ``kind`` is the FHIR resource type it proposes to create."""
    return Offer(suggestion_node(suggestion_id), label, template(kind, coding, label), _DATE_FIELD[kind], recommended)


def suggestion(card_id: str, offer: Offer, v: RecordView) -> Suggestion:
    """The suggestion ``offer`` makes on the card ``card_id`` for the patient of ``v``."""
    # the template holds the fixed parts (code, status); only the subject and the date are the patient's
    resource = {**offer.template, "subject": {"reference": v.subject_reference}, offer.date_field: v.as_of_text}
    label = offer.label
    # positional, in field order (uuid, label, actions, is_recommended): this runs ~8 times per patient
    return Suggestion(card_id[:24] + offer.node, label, (Action("create", label, resource),), offer.recommended)


def template(kind: str, coding: Coding, label: str) -> dict[str, Any]:
    """The fixed part of a FHIR R4 resource to create: a draft request, a record of something done, a suspicion."""
    code = {"coding": [{"system": coding.system, "code": coding.code, "display": coding.display}], "text": label}
    if kind == "ServiceRequest":
        return {"resourceType": "ServiceRequest", "status": "draft", "intent": "proposal", "code": code}
    if kind == "Procedure":
        return {"resourceType": "Procedure", "status": "completed", "code": code}
    status_system = "http://terminology.hl7.org/CodeSystem/condition-"
    return {
        "resourceType": "Condition",
        "clinicalStatus": {"coding": [{"system": f"{status_system}clinical", "code": "active"}]},
        "verificationStatus": {"coding": [{"system": f"{status_system}ver-status", "code": "unconfirmed"}]},
        "code": code,
    }
