"""Documents: the care plan PDF, the patient and parent leaflets (page and PDF), statement texts."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from cnopad.errors import NotFoundError
from cnopad.reports import care_plan, leaflets
from cnopad.services import criteria as criteria_svc
from cnopad.services.access import may_read
from cnopad.web.context import Web
from cnopad.web.errors import WebRoute
from cnopad.web.i18n import translations
from cnopad.web.routes_clinical import open_view

router = APIRouter(route_class=WebRoute, include_in_schema=False)
_STATEMENT = re.compile(r"^(NHG|CRMO)-[A-Z0-9-]+-\d+$")
_PATIENT_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def _pdf(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{filename}"', "cache-control": "no-store"},
    )


@router.get("/patients/{patient_id}/care-plan.pdf")
def care_plan_pdf(web: Web, patient_id: str) -> Response:
    """The care plan of one patient as PDF (reading it is audited like opening the page)."""
    view = open_view(web, patient_id)
    today = web.container.today()
    catalog = translations(web.lang)
    plan = care_plan.build_care_plan(
        view.record,
        view.assessment,
        valuesets=web.container.knowledge.valuesets,
        sources=web.container.knowledge.sources,
        catalog=catalog,
        today=today,
        criteria=criteria_svc.criteria_for_record(view.record, as_of=today, kb=web.container.knowledge, lang=web.lang),
    )
    return _pdf(care_plan.care_plan_pdf(plan, catalog), f"care-plan-{view.record.patient.id}-{today}.pdf")


@router.get("/patients/{patient_id}/leaflet.pdf")
def personal_leaflet_pdf(web: Web, patient_id: str) -> Response:
    """The leaflet for this patient (or their parents) with name, date and own plan; no record ids."""
    view = open_view(web, patient_id)
    today = web.container.today()
    catalog = translations(web.lang)
    leaflet = leaflets.build_personal_leaflet(
        view.record, view.assessment, kb=web.container.knowledge, catalog=catalog, today=today
    )
    return _pdf(leaflets.leaflet_pdf(leaflet, catalog), f"cnopad-{leaflet.audience}-{today}.pdf")


def _audience(audience: str) -> str:
    if audience not in leaflets.AUDIENCES:
        msg = "no such leaflet"
        raise NotFoundError(msg)
    return audience


@router.get("/leaflets/{audience}.pdf")
def leaflet_pdf(web: Web, audience: str) -> Response:
    """A leaflet as PDF."""
    leaflet = leaflets.build_leaflet(_audience(audience), web.lang, kb=web.container.knowledge)
    return _pdf(leaflets.leaflet_pdf(leaflet, translations(web.lang)), f"cnopad-{audience}-{web.lang}.pdf")


@router.get("/leaflets/{audience}")
def leaflet_page(web: Web, audience: str) -> Response:
    """A leaflet as a web page (no patient data: general information)."""
    leaflet = leaflets.build_leaflet(_audience(audience), web.lang, kb=web.container.knowledge)
    return web.page("leaflet.html", leaflet=leaflet, body=leaflets.leaflet_body(leaflet, translations(web.lang)))


@router.get("/statements/{statement_id}")
def statement_page(
    web: Web,
    statement_id: str,
    from_patient: Annotated[str | None, Query(alias="from", max_length=64)] = None,
) -> Response:
    """The information text behind a cited statement id, the source's section it stands under, and a link
    back to the patient the reader came from (``?from=``) when the reader may open that record."""
    if not _STATEMENT.match(statement_id):
        msg = "no such statement"
        raise NotFoundError(msg)
    kb = web.container.knowledge
    info = leaflets.statement_text(statement_id, web.lang, kb=kb)
    back = None
    if from_patient and web.session is not None and _PATIENT_ID.match(from_patient):
        with web.container.unit(web.actor) as uow:
            back = from_patient if may_read(uow, from_patient) else None
    return web.page("statement.html", info=info, statement=kb.statements.get(statement_id), back=back)
