"""Security headers on every response, and the CSRF check on every form.

One place for the headers: ``X-Content-Type-Options: nosniff`` everywhere; ``Cache-Control: no-store`` on
everything but the static assets (API answers, CDS cards, FHIR exports and pages carry patient data, and a
shared or browser cache must not keep them); ``Strict-Transport-Security`` everywhere when
``CNOPAD_HSTS_SECONDS`` is set. Web pages and the API documentation (/docs, Swagger UI served locally) get
the Content-Security-Policy: no inline script or style (HTMX, Swagger UI and their start-up scripts are
static files), no framing (clickjacking), no plugins; forms may only post to cnopad itself.
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
#: JSON answers: no page policy (they render nothing), but no-store and nosniff like everything else
_API_PREFIXES = ("/api", "/openapi.json", "/cds-services")
#: static assets hold no patient data and may be cached
_STATIC_PREFIX = "/static/"
_MANAGED = (b"x-content-type-options", b"cache-control", b"strict-transport-security")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
LOGIN_CSRF_COOKIE = "cnopad_login_csrf"


class SecurityHeaders:
    """ASGI middleware adding the security headers (see the module docstring for which go where)."""

    def __init__(self, app: ASGIApp, *, hsts_seconds: int = 0) -> None:
        self.app = app
        self.hsts = f"max-age={hsts_seconds}; includeSubDomains".encode() if hsts_seconds > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        page = not path.startswith(_API_PREFIXES)
        static = path.startswith(_STATIC_PREFIX)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _MANAGED]
                headers.append((b"x-content-type-options", b"nosniff"))
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                if self.hsts is not None:
                    headers.append((b"strict-transport-security", self.hsts))
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
