"""The one place where errors become RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from cnopad.errors import (
    CnopadError,
    ConfigError,
    ConflictError,
    DataUnavailableError,
    ForbiddenError,
    InputError,
    KnowledgeBaseError,
    NotFoundError,
    UnauthenticatedError,
)

PROBLEM_BASE = "https://fhir.cnopad.nl/problems/"
MEDIA_TYPE = "application/problem+json"

_STATUS: list[tuple[type[CnopadError], int, str]] = [
    (InputError, 422, "The input is not valid"),
    (NotFoundError, 404, "Not found"),
    (ForbiddenError, 403, "Not allowed"),
    (ConflictError, 409, "Conflict"),
    (DataUnavailableError, 412, "Precondition failed: FHIR data unavailable"),
    (ConfigError, 500, "Configuration error"),
    (KnowledgeBaseError, 500, "Knowledge base error"),
]


Unauthenticated = UnauthenticatedError


def problem(
    status: int, title: str, detail: str, *, kind: str, instance: str | None = None, **extra: Any
) -> JSONResponse:
    """A problem-details response."""
    body: dict[str, Any] = {"type": PROBLEM_BASE + kind, "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def install(app: FastAPI) -> None:
    """Register the translators on ``app``."""

    @app.exception_handler(CnopadError)
    async def _cnopad(request: Request, exc: CnopadError) -> JSONResponse:
        if isinstance(exc, Unauthenticated):
            return problem(401, "Authentication required", exc.message, kind=exc.code, instance=request.url.path)
        for cls, status, title in _STATUS:
            if isinstance(exc, cls):
                errors = [{"location": exc.location, "reason": exc.reason}] if isinstance(exc, InputError) else None
                return problem(status, title, exc.message, kind=exc.code, instance=request.url.path, errors=errors)
        return problem(500, "Error", exc.message, kind=exc.code, instance=request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "location": ".".join(str(p) for p in e.get("loc", ()) if p not in ("body",)) or "body",
                "reason": str(e.get("msg")),
            }
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['location']}: {e['reason']}" for e in errors[:5])
        return problem(
            422,
            "The input is not valid",
            detail,
            kind="invalid-input",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(ValidationError)
    async def _model(request: Request, exc: ValidationError) -> JSONResponse:
        errors = [
            {
                "location": ".".join(str(p) for p in e.get("loc", ())) or "body",
                "reason": str(e.get("msg")).removeprefix("Value error, "),
            }
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['location']}: {e['reason']}" for e in errors[:5])
        return problem(
            422, "The input is not valid", detail, kind="invalid-input", instance=request.url.path, errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(
            exc.status_code,
            str(exc.detail),
            str(exc.detail),
            kind=f"http-{exc.status_code}",
            instance=request.url.path,
        )
