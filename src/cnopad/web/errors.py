"""The one place where errors become web responses: an error page in the user's language, a redirect to
sign in, or (for HTMX) a fragment. Form errors never come here: the form pages show them inline."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from cnopad.errors import (
    CnopadError,
    ConflictError,
    ForbiddenError,
    InputError,
    NoClinicalAccessError,
    NotFoundError,
    NotInCareTeamError,
)
from cnopad.services.emergency_access import REASON_MAX
from cnopad.services.entry_forms import FieldError
from cnopad.web.context import LoginRequired, SessionExpired, WebContext
from cnopad.web.i18n import LANG_COOKIE, N_, pick_language
from cnopad.web.labels import field_message
from cnopad.web.rendering import render
from cnopad.web.security import LOGIN_CSRF_COOKIE, CsrfRejected

log = logging.getLogger("cnopad.web")

_NOT_ALLOWED = N_("Not allowed")
_NOT_IN_TEAM = N_("You may not open this page. Only the care team of a patient can open the patient's record.")
#: why a role sees no clinical data at all (NEN 7510 role separation)
_ROLE_EXPLANATIONS = {
    "admin": N_(
        "Administrators manage users and settings and open no patient data (role separation). "
        "Sign in with a clinical account to work with patients."
    ),
    "researcher": N_("Researchers see no identified patient records. Use the population tools for pseudonymised data."),
}
#: status, title and explanation (msgids) per error class; the first match wins
_PAGES: list[tuple[type[Exception], int, str, str]] = [
    (CsrfRejected, 403, N_("The form has expired"), N_("Reload the page and submit the form again.")),
    (NotInCareTeamError, 403, _NOT_ALLOWED, _NOT_IN_TEAM),
    (ForbiddenError, 403, _NOT_ALLOWED, _NOT_IN_TEAM),
    (NotFoundError, 404, N_("Not found"), N_("This page or patient does not exist.")),
    (InputError, 400, N_("The request is not valid"), N_("Check the address or the values and try again.")),
    (
        RequestValidationError,
        400,
        N_("The request is not valid"),
        N_("Check the address or the values and try again."),
    ),
    (ConflictError, 409, N_("Conflict"), N_("Someone else changed this at the same time. Reload and try again.")),
]


def session_expired(request: Request) -> Response:
    """401 with the sign-in box the page shows next to the form it keeps (cnopad.js): sign in, then the same
    form is sent again with what was typed. The sign-in's double-submit cookie is set here, as /login does."""
    lang = pick_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))
    current = urlsplit(request.headers.get("hx-current-url", ""))
    path = current.path if current.path.startswith("/patients/") and len(current.path) < 200 else "/worklist"
    token = secrets.token_urlsafe(32)
    html = render(lang, "_session_expired.html", login_csrf=token, next_url=path)
    response = HTMLResponse(html, status_code=401, headers={"cache-control": "no-store", "x-cnopad-session": "expired"})
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/login"
    )
    return response


def error_response(request: Request, exc: Exception) -> Response:
    """Translate one error into the response the browser gets."""
    if isinstance(exc, SessionExpired):
        return session_expired(request)
    if isinstance(exc, LoginRequired):
        target = "/login?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        if request.headers.get("hx-request") == "true":
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    web = getattr(request.state, "web", None)
    if (
        isinstance(exc, NotInCareTeamError)
        and exc.emergency_access
        and exc.patient_id
        and isinstance(web, WebContext)
        and web.session is not None
    ):
        return emergency_page(web, exc.patient_id)
    lang = pick_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))
    status, title, explanation = _page_for(request, exc)
    # a refused value that is not a form field (a part of the address): the page names it and the rule it broke
    problem = f"{exc.field}: {field_message(lang, exc.rule, exc.params)}" if isinstance(exc, FieldError) else None
    html = render(
        lang,
        "error.html",
        status=status,
        title=title,
        explanation=explanation,
        problem=problem,
        request_path=request.url.path,
        query="",
        user=None,
        role=None,
        csrf_token="",
        switch_urls={},
    )
    return HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})


@dataclass(frozen=True)
class EmergencyForm:
    """The emergency-access form on a refused patient page: what was typed and what was wrong with it."""

    patient_id: str
    hours: int
    reason: str = ""
    error: str | None = None
    max_length: int = REASON_MAX


def emergency_page(
    web: WebContext, patient_id: str, *, reason: str = "", error: str | None = None, status: int = 403
) -> HTMLResponse:
    """The 403 page of a clinician outside the care team, with the emergency-access form (CSRF-protected)."""
    form = EmergencyForm(patient_id, web.container.settings.emergency_access_hours, reason, error)
    return web.page("error.html", status=status, title=_NOT_ALLOWED, explanation=_NOT_IN_TEAM, emergency=form)


def _page_for(request: Request, exc: Exception) -> tuple[int, str, str]:
    if isinstance(exc, NoClinicalAccessError) and exc.role in _ROLE_EXPLANATIONS:
        return 403, _NOT_ALLOWED, _ROLE_EXPLANATIONS[exc.role]
    if type(exc) is ForbiddenError:
        # a refused change (a care-team entry that adds its author, an import under emergency access)
        return 403, _NOT_ALLOWED, N_("Your role or care-team membership does not allow this change. Nothing was saved.")
    for cls, status, title, explanation in _PAGES:
        if isinstance(exc, cls):
            return status, title, explanation
    if isinstance(exc, StarletteHTTPException) and 400 <= exc.status_code < 500:
        # the request itself was refused before a route ran (a form part over its size, a malformed body)
        return exc.status_code, N_("The request is not valid"), N_("Check the address or the values and try again.")
    # no patient data in logs: the error class and the route's path template only
    route = request.scope.get("route")
    log.error("web error %s on %s", type(exc).__name__, getattr(route, "path", "?"))
    return 500, N_("Something went wrong"), N_("The error was logged. Try again later.")


class WebRoute(APIRoute):
    """A route whose errors are translated by :func:`error_response` (not by the API's JSON translator)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap the handler so every error of a page is rendered as a page."""
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except (CnopadError, RequestValidationError) as exc:
                return error_response(request, exc)
            except Exception as exc:
                return error_response(request, exc)

        return handler
