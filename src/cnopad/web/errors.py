"""The one place where errors become web responses: an error page in the user's language, a redirect to
sign in, or (for HTMX) a fragment. Form errors never come here: the form pages show them inline."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute

from cnopad.errors import CnopadError, ConflictError, ForbiddenError, InputError, NotFoundError
from cnopad.web.context import LoginRequired
from cnopad.web.i18n import LANG_COOKIE, N_, pick_language
from cnopad.web.rendering import render
from cnopad.web.security import CsrfRejected

log = logging.getLogger("cnopad.web")

#: status, title and explanation (msgids) per error class; the first match wins
_PAGES: list[tuple[type[Exception], int, str, str]] = [
    (CsrfRejected, 403, N_("The form has expired"), N_("Reload the page and submit the form again.")),
    (
        ForbiddenError,
        403,
        N_("Not allowed"),
        N_("You may not open this page. Only the care team of a patient can open the patient's record."),
    ),
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


def error_response(request: Request, exc: Exception) -> Response:
    """Translate one error into the response the browser gets."""
    if isinstance(exc, LoginRequired):
        target = "/login?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        if request.headers.get("hx-request") == "true":
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    lang = pick_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))
    status, title, explanation = _page_for(request, exc)
    html = render(
        lang,
        "error.html",
        status=status,
        title=title,
        explanation=explanation,
        request_path=request.url.path,
        query="",
        user=None,
        role=None,
        csrf_token="",
        switch_urls={},
    )
    return HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})


def _page_for(request: Request, exc: Exception) -> tuple[int, str, str]:
    for cls, status, title, explanation in _PAGES:
        if isinstance(exc, cls):
            return status, title, explanation
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
