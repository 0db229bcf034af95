"""Card actions on the patient page: accept, override with a reason, snooze until a date, undo.

Plain forms that answer with a redirect (they work without JavaScript); a bad value re-renders the patient
page with the message next to the field and nothing stored.
"""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from cnopad.errors import NotFoundError
from cnopad.services import card_actions
from cnopad.services.card_actions import CardActionKind
from cnopad.services.entry_forms import FormErrors
from cnopad.web.context import Web
from cnopad.web.errors import WebRoute
from cnopad.web.labels import field_message
from cnopad.web.rendering import fill_url
from cnopad.web.routes_clinical import open_view, render_patient, valid_patient_id

router = APIRouter(route_class=WebRoute, include_in_schema=False)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
UNDO = "undo"


def _text(value: object, limit: int = 2000) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


@router.post("/patients/{patient_id}/cards/{card_uuid}/{action}")
async def card_action(web: Web, patient_id: str, card_uuid: str, action: str) -> Response:
    """Accept, override or snooze a card, or undo what was done with it; audited; a write like a record entry."""
    data = await web.form()
    patient_id = valid_patient_id(patient_id)
    if not _UUID.match(card_uuid) or action not in {*CardActionKind, UNDO}:
        msg = "no such card action"
        raise NotFoundError(msg)
    container = web.container
    back = f"/patients/{patient_id}"
    if action == UNDO:
        with container.unit(web.actor) as uow:
            card_actions.undo_card_action(uow, patient_id, card_uuid)
        return RedirectResponse(f"{back}#card-{card_uuid}", status_code=303)
    kind = CardActionKind(action)
    values = {name: _text(data.get(name)) for name in ("suggestion", "reason", "comment", "until")}
    try:
        with container.unit(web.actor) as uow:
            done = card_actions.act_on_card(
                uow,
                patient_id,
                card_uuid,
                kind,
                today=container.today(),
                valuesets=container.knowledge.valuesets,
                suggestion=values["suggestion"],
                reason=values["reason"],
                comment=values["comment"],
                until=values["until"],
            )
    except FormErrors as exc:
        errors = {name: field_message(web.lang, e.rule, e.params) for name, e in exc.by_field().items()}
        view = open_view(web, patient_id)
        failed = {"card": card_uuid, "action": kind.value, "errors": errors, "values": values}
        return render_patient(web, view, card_failed=failed, status=422)
    if done.form is not None:
        return RedirectResponse(fill_url(patient_id, *done.form), status_code=303)
    return RedirectResponse(f"{back}#card-{card_uuid}", status_code=303)
