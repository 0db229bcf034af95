"""Security headers on every page, and the CSRF check on every form.

The Content-Security-Policy allows no inline script or style (HTMX and the one script are static
files), no framing (clickjacking), no plugins; forms may only post to cnopad itself. The API
documentation pages (/docs) load their own assets and keep only the headers that do not break them.
"""

from __future__ import annotations

import hmac

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cnopad.errors import ForbiddenError

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_PAGE_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
_API_PREFIXES = ("/api", "/docs", "/redoc", "/openapi.json", "/cds-services")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
LOGIN_CSRF_COOKIE = "cnopad_login_csrf"


class SecurityHeaders:
    """ASGI middleware adding the security headers (all of them to web pages, nosniff to everything)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        page = not str(scope.get("path", "")).startswith(_API_PREFIXES)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-content-type-options"]
                headers.append((b"x-content-type-options", b"nosniff"))
                if page:
                    headers.extend(_PAGE_HEADERS)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class CsrfRejected(ForbiddenError):
    """A form arrived without the CSRF token of the session (or with another one)."""

    code = "csrf"


def check_csrf(expected: str | None, given: str | None) -> None:
    """Raise CsrfRejected unless ``given`` equals the session's token (constant-time comparison)."""
    if not expected or not given or not hmac.compare_digest(expected.encode(), given.encode()):
        msg = "the form's security token is missing or wrong; reload the page and try again"
        raise CsrfRejected(msg)
