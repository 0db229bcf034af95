"""Emergency access ("break-glass") from the 403 page of a patient outside the user's care team."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from cnopad.errors import ConflictError
from cnopad.services import emergency_access
from cnopad.services.entry_forms import FieldError
from cnopad.web.context import Web
from cnopad.web.errors import WebRoute, emergency_page
from cnopad.web.labels import field_message
from cnopad.web.routes_clinical import valid_patient_id

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.post("/patients/{patient_id}/emergency-access")
async def request_emergency_access(web: Web, patient_id: str) -> Response:
    """Open a record by emergency access: a reason is required; the grant is audited and time-limited."""
    data = await web.form()
    raw = data.get("reason")
    reason = raw if isinstance(raw, str) else ""
    patient_id = valid_patient_id(patient_id)
    container = web.container
    try:
        with container.unit(web.actor) as uow:
            emergency_access.request_emergency_access(
                uow, patient_id, reason, hours=container.settings.emergency_access_hours
            )
    except FieldError as exc:
        message = field_message(web.lang, exc.rule, exc.params)
        return emergency_page(
            web, patient_id, reason=reason[: 2 * emergency_access.REASON_MAX], error=message, status=422
        )
    except ConflictError:
        pass  # the user needs no emergency access (care team, expertise centre): open the record
    return RedirectResponse(f"/patients/{patient_id}", status_code=303)
