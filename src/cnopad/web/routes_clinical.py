"""The worklist, the patient page and the record-entry forms."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse, Response

from cnopad.errors import NotFoundError
from cnopad.services import card_actions, entries, voiding, worklist
from cnopad.services import criteria as criteria_svc
from cnopad.services.access import Basis
from cnopad.services.entry_forms import FieldError, FormErrors
from cnopad.web import history
from cnopad.web.context import Web, WebContext
from cnopad.web.errors import WebRoute
from cnopad.web.labels import Labels, field_message
from cnopad.web.patient_page import FORM_ORDER, form_state, page_data
from cnopad.web.rendering import environment

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PAGE_SIZE = 50
#: forms whose choices come from the record (medications in use): refreshed after every save
_DEPENDENT_FORMS = ("medication_stop", "infusion")
#: FHIR resource id syntax; anything else cannot be a patient
_PATIENT_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def _labels(web: WebContext) -> Labels:
    return Labels(web.lang, web.container.knowledge.valuesets)


def valid_patient_id(value: str) -> str:
    """A patient id as FHIR allows it; anything else is NotFoundError (no such page)."""
    if not _PATIENT_ID.match(value):
        msg = "no such patient"
        raise NotFoundError(msg)
    return value


@router.get("/worklist")
def worklist_page(
    web: Web,
    q: Annotated[str | None, Query(max_length=100)] = None,
    kind: Annotated[str | None, Query(max_length=60)] = None,
    provider: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """The signed-in user's patients, most urgent first; filter by task kind and care provider, search."""
    actor = web.actor
    container = web.container
    with container.unit(actor) as uow:
        found = worklist.worklist(
            uow,
            today=container.today(),
            knowledge_version=container.knowledge.version,
            query=q or None,
            kind=kind or None,
            provider=provider or None,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    return web.page(
        "worklist.html",
        worklist=found,
        labels=_labels(web),
        q=q or "",
        kind=kind or "",
        provider=provider or "",
        page=page,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        today=container.today(),
    )


def open_view(web: WebContext, patient_id: str) -> worklist.PatientView:
    """Open one patient for the signed-in user (access checked and audited by the service)."""
    container = web.container
    with container.unit(web.actor) as uow:
        return worklist.open_patient(
            uow,
            valid_patient_id(patient_id),
            today=container.today(),
            lang=web.lang,
            knowledge_version=container.knowledge.version,
        )


@router.get("/patients/{patient_id}")
def patient_page(
    web: Web,
    patient_id: str,
    saved: Annotated[str | None, Query(max_length=40)] = None,
    fill: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """One patient: care team, diagnosis, step plan and timeline, cards, tasks, goal, and the forms.

    ``fill`` names a form to open filled in with the query's values for its choice fields (an accepted
    suggestion links to the form that fulfils it); the form still checks every value when it is sent.
    """
    view = open_view(web, patient_id)
    filled = None
    if fill in entries.FORMS:
        labels = _labels(web)
        state = form_state(fill, view.record, web.container.today(), labels)
        values = {
            name: web.request.query_params[name]
            for name, options in state.choices.items()
            if web.request.query_params.get(name) in {value for value, _ in options}
        }
        filled = replace(state, values=values)
    return render_patient(web, view, saved=saved if saved in entries.FORMS else None, failed=filled)


def history_rows(web: WebContext, patient_id: str) -> list[history.HistoryRow]:
    """The record's history with authors, for the signed-in user (access checked and audited)."""
    with web.container.unit(web.actor) as uow:
        found = voiding.entry_history(uow, patient_id)
    return history.rows(found, _labels(web), may_void=True)


def history_context(web: WebContext, patient_id: str) -> dict[str, Any]:
    """The history table and, for the timeline's table, who recorded each entry and when."""
    rows = history_rows(web, patient_id)
    return {"history": rows, "authors": history.authors(rows, environment(web.lang).filters["moment"])}


def render_patient(
    web: WebContext,
    view: worklist.PatientView,
    *,
    saved: str | None = None,
    failed: Any = None,
    card_failed: dict[str, Any] | None = None,
    status: int = 200,
    void_error: str | None = None,
) -> Response:
    """The patient page; ``failed`` is a form to show as given (with its messages), ``card_failed`` the same
    for a card action."""
    labels = _labels(web)
    today = web.container.today()
    emergency = view.basis is Basis.EMERGENCY
    forms = [
        failed
        if failed is not None and failed.name == name
        else form_state(name, view.record, today, labels, saved=name == saved)
        for name in FORM_ORDER
        if not (emergency and name == "care_team")  # emergency access never changes the care team
    ]
    now = web.container.clock()
    mine = [g for g in view.emergency if g.user == web.actor.user and g.active_at(now)] if emergency else []
    return web.page(
        "patient.html",
        status=status,
        forms=forms,
        open_form=(failed.name if failed else saved),
        emergency_grants=view.emergency,
        emergency_until=max((g.expires_at for g in mine), default=None),
        card_failed=card_failed,
        criteria=criteria_svc.criteria_for_record(view.record, as_of=today, kb=web.container.knowledge, lang=web.lang),
        void_error=void_error,
        **history_context(web, view.record.patient.id),
        **page_data(view, today, labels),
    )


@router.post("/patients/{patient_id}/record/{form}")
async def record(web: Web, patient_id: str, form: str) -> Response:
    """Save one form; bad values come back next to their fields (nothing saved). HTMX gets fragments."""
    data = await web.form()
    if form not in entries.FORMS:
        msg = "no such form"
        raise NotFoundError(msg)
    raw: dict[str, Any] = {}
    for field in entries.FORMS[form]:
        raw[field.name] = data.getlist(field.name) if field.kind.value == "multi" else data.get(field.name, "")
    container = web.container
    labels = _labels(web)
    patient_id = valid_patient_id(patient_id)
    try:
        with container.unit(web.actor) as uow:
            done = entries.record_entry(
                uow,
                patient_id,
                form,
                raw,
                valuesets=container.knowledge.valuesets,
                today=container.today(),
                knowledge_version=container.knowledge.version,
            )
    except FormErrors as exc:
        return _form_failed(web, patient_id, form, raw, exc.by_field(), labels)
    except FieldError as exc:
        return _form_failed(web, patient_id, form, raw, {exc.field: exc}, labels)
    if not web.htmx:
        return RedirectResponse(f"/patients/{patient_id}?saved={form}#form-{form}", status_code=303)
    assessment = worklist.assess(done.record, container.today(), lang=web.lang)
    today = container.today()
    with container.unit(web.actor) as uow:
        # what the team did with the cards is no part of the record: read it next to the record just saved
        actions = card_actions.active_actions(uow, patient_id, today=today)
    return web.page(
        "_saved.html",
        form=form_state(form, done.record, today, labels, saved=True),
        other_forms=[form_state(name, done.record, today, labels) for name in _DEPENDENT_FORMS if name != form],
        void_error=None,
        **history_context(web, patient_id),
        **page_data(worklist.PatientView(done.record, assessment, actions=actions), today, labels),
    )


def _form_failed(
    web: WebContext, patient_id: str, form: str, raw: dict[str, Any], errors: dict[str, FieldError], labels: Labels
) -> Response:
    messages = {name: field_message(web.lang, e.rule, e.params) for name, e in errors.items()}
    view = open_view(web, patient_id)
    state = form_state(form, view.record, web.container.today(), labels, values=raw, errors=messages)
    if web.htmx:
        return web.page(
            "_form.html",
            status=422,
            form=state,
            labels=labels,
            patient=view.record.patient,
            today=web.container.today(),
        )
    return render_patient(web, view, failed=state, status=422)


@router.post("/patients/{patient_id}/entries/{kind}/{entry_id}/void")
async def void(web: Web, patient_id: str, kind: str, entry_id: str) -> Response:
    """Void one entry entered in error, with a reason (kept in the history, exported as entered-in-error)."""
    data = await web.form()
    container = web.container
    patient_id = valid_patient_id(patient_id)
    try:
        with container.unit(web.actor) as uow:
            done = voiding.void_entry(
                uow,
                patient_id,
                kind,
                entry_id,
                data.get("reason", ""),
                today=container.today(),
                knowledge_version=container.knowledge.version,
            )
    except FieldError as exc:
        if exc.field != "reason":
            raise
        message = field_message(web.lang, exc.rule, exc.params)
        return _history_page(web, patient_id, message, status=422)
    except FormErrors as exc:
        first = exc.errors[0]
        return _history_page(web, patient_id, field_message(web.lang, first.rule, first.params), status=422)
    if not web.htmx:
        return RedirectResponse(f"/patients/{patient_id}#history", status_code=303)
    today = container.today()
    labels = _labels(web)
    assessment = worklist.assess(done.record, today, lang=web.lang)
    with container.unit(web.actor) as uow:
        actions = card_actions.active_actions(uow, patient_id, today=today)
    return web.page(
        "_voided.html",
        void_error=None,
        **history_context(web, patient_id),
        **page_data(worklist.PatientView(done.record, assessment, actions=actions), today, labels),
    )


def _history_page(web: WebContext, patient_id: str, message: str, *, status: int) -> Response:
    """A void without its reason: the history again with the message (nothing was changed)."""
    view = open_view(web, patient_id)
    if web.htmx:
        return web.page(
            "_history.html",
            status=status,
            history=history_rows(web, patient_id),
            void_error=message,
            patient=view.record.patient,
        )
    return render_patient(web, view, status=status, void_error=message)
