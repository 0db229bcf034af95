"""What every web request needs: the container, the language, the signed-in session and its actor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from cnopad.bootstrap import Container
from cnopad.domain.access import Actor, Channel, Role
from cnopad.errors import CnopadError
from cnopad.services import auth
from cnopad.web.i18n import LANG_COOKIE, LANGUAGES, pick_language
from cnopad.web.rendering import render
from cnopad.web.security import CSRF_FIELD, CSRF_HEADER, check_csrf

SESSION_COOKIE = "cnopad_session"
#: the web service itself, for work done before anyone is signed in (session look-up, sign-in)
WEB_SERVICE = Actor("web", Role.ADMIN, Channel.WEB)


class LoginRequired(CnopadError):
    """The page needs a signed-in user; the web translator sends the browser to the sign-in page."""

    code = "login-required"


class SessionExpired(LoginRequired):
    """A form was sent from a page whose session has ended: the page keeps what was typed and offers to sign
    in again and save (web/static/cnopad.js); nothing is saved before that."""

    code = "session-expired"


@dataclass
class WebContext:
    """One request as the pages see it."""

    request: Request
    container: Container
    lang: str
    session_id: str | None
    session: auth.WebSession | None

    @property
    def actor(self) -> Actor:
        """The signed-in user as an actor; LoginRequired when nobody is signed in."""
        if self.session is None:
            msg = "sign in first"
            raise LoginRequired(msg)
        return auth.actor_of(self.session)

    @property
    def csrf_token(self) -> str:
        """The session's CSRF token ('' without a session)."""
        return self.session.csrf_token if self.session else ""

    @property
    def htmx(self) -> bool:
        """True for requests made by HTMX (they get fragments, not pages)."""
        return self.request.headers.get("hx-request") == "true"

    async def form(self) -> FormData:
        """The posted form, after checking its CSRF token against the session's."""
        data = await self.request.form(max_files=0, max_fields=200, max_part_size=64_000)
        if self.session is None and self.session_id and self.htmx:
            # the browser still holds a session cookie, but the session has ended (idle or end of day)
            msg = "session expired"
            raise SessionExpired(msg)
        given = data.get(CSRF_FIELD) or self.request.headers.get(CSRF_HEADER)
        check_csrf(self.session.csrf_token if self.session else None, given if isinstance(given, str) else None)
        return data

    def page(self, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        """Render a template in the request's language; pages with patient data are never cached."""
        user = self.session.user if self.session else None
        role = self.session.role.value if self.session else None
        html = render(
            self.lang,
            template,
            request_path=self.request.url.path,
            query=self.request.url.query,
            user=user,
            role=role,
            csrf_token=self.csrf_token,
            switch_urls=switch_urls(self.request),
            **context,
        )
        response = HTMLResponse(html, status_code=status)
        response.headers["cache-control"] = "no-store"
        remember_language(self.request, response)
        return response


def switch_urls(request: Request) -> dict[str, str]:
    """The current page's address in each language (other query parameters kept)."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "saved")]
    return {lang: f"{request.url.path}?{urlencode([*kept, ('lang', lang)])}" for lang in LANGUAGES}


def remember_language(request: Request, response: HTMLResponse | Any) -> None:
    """A ``?lang=`` choice is kept in a cookie (a year), so the next pages stay in that language."""
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )


def web_context(request: Request) -> WebContext:
    """Build the WebContext: language and (when the cookie names a live one) the session."""
    container: Container = request.app.state.container
    lang = pick_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))
    session_id = request.cookies.get(SESSION_COOKIE)
    session = None
    if session_id:
        with container.unit(WEB_SERVICE) as uow:
            session = auth.current_session(uow, session_id, now=container.clock())
    web = WebContext(request, container, lang, session_id, session)
    request.state.web = web  # the error translator renders the emergency-access form in the user's session
    return web


Web = Annotated[WebContext, Depends(web_context)]
