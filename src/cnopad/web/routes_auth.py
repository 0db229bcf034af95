"""Signing in and out."""

from __future__ import annotations

import secrets

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from cnopad.services import auth
from cnopad.web.context import SESSION_COOKIE, WEB_SERVICE, Web, remember_language
from cnopad.web.errors import WebRoute
from cnopad.web.security import CSRF_FIELD, LOGIN_CSRF_COOKIE, check_csrf

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only a local path may follow sign-in (no open redirect to another site)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")) and len(target) < 500:
        return target
    return "/worklist"


def _login_page(web: Web, *, error: bool, name: str = "", next_url: str = "/worklist", status: int = 200) -> Response:
    token = secrets.token_urlsafe(32)
    response = web.page(
        "login.html",
        status=status,
        login_csrf=token,
        error=error,
        name=name,
        next_url=next_url,
        lockout_after=auth.LOCKOUT_AFTER,
        lockout_minutes=auth.LOCKOUT_MINUTES,
    )
    secure = web.request.url.scheme == "https"
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/login")
    return response


@router.get("/")
def home(web: Web) -> Response:
    """The start page: the worklist when signed in, else the sign-in page."""
    response = RedirectResponse("/worklist" if web.session else "/login", status_code=303)
    remember_language(web.request, response)
    return response


@router.get("/login")
def login_form(web: Web, next: str | None = None) -> Response:
    """The sign-in page."""
    if web.session is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(web, error=False, next_url=safe_next(next))


@router.post("/login")
async def login(web: Web, request: Request) -> Response:
    """Check name and password; on success start a session (new id) and go on."""
    form = await request.form(max_files=0, max_fields=10, max_part_size=4_000)
    token = form.get(CSRF_FIELD)
    check_csrf(request.cookies.get(LOGIN_CSRF_COOKIE), token if isinstance(token, str) else None)
    name, password = str(form.get("name") or "").strip(), str(form.get("password") or "")
    next_url = safe_next(str(form.get("next") or ""))
    container = web.container

    def sign_in() -> auth.SignedIn:
        with container.unit(WEB_SERVICE) as uow:
            if web.session_id:
                auth.logout(uow, web.session_id, now=container.clock())
        with container.unit(WEB_SERVICE) as uow:
            return auth.login(uow, name, password, now=container.clock())

    try:
        # argon2 and the database off the event loop; waiting sign-ins queue here, not in the shared pool
        signed_in = await anyio.to_thread.run_sync(sign_in, limiter=request.app.state.sign_in_limiter)
    except auth.LoginRefused:
        # rendering is CPU work too: off the event loop, like the rest of a sign-in
        return await run_in_threadpool(_login_page, web, error=True, name=name[:120], next_url=next_url, status=401)
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signed_in.session_id,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=auth.SESSION_HOURS * 3600,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(web: Web) -> Response:
    """End the session."""
    await web.form()
    if web.session_id:
        session_id, container = web.session_id, web.container

        def sign_out() -> None:
            with container.unit(WEB_SERVICE) as uow:
                auth.logout(uow, session_id, now=container.clock())

        await run_in_threadpool(sign_out)  # the database off the event loop
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
