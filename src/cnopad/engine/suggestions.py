"""Suggestions on cards: the FHIR R4 resource each one proposes to create, built from a fixed template.

A draft ``ServiceRequest`` (a referral, a check, a screening), a completed ``Procedure`` (recording that
something was done or discussed) or an unconfirmed ``Condition`` (a suspicion). The template holds the
fixed parts; only the subject and the date come from the patient.
"""

from __future__ import annotations

from typing import Any

from cnopad.domain import Coding
from cnopad.engine.assessment import Action, Suggestion
from cnopad.engine.uuids import suggestion_uuid
from cnopad.engine.view import RecordView
from cnopad.knowledge.rules import SuggestionModel


def suggestion(card_id: str, model: SuggestionModel, template: dict[str, Any], label: str, v: RecordView) -> Suggestion:
    # the template holds the fixed parts (code, status); only the subject and the date are the patient's
    resource = {
        **template,
        "subject": {"reference": v.subject_reference},
        _DATE_FIELD[model.resource]: v.as_of_text,
    }
    return Suggestion(
        uuid=suggestion_uuid(card_id, model.id),
        label=label,
        actions=(Action(type="create", description=label, resource=resource),),
        is_recommended=model.recommended,
    )


_DATE_FIELD = {"ServiceRequest": "authoredOn", "Procedure": "performedDateTime", "Condition": "recordedDate"}


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
