"""The one place where errors become RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from cnopad.domain.input_rules import shown
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
    status: int,
    title: str,
    detail: str,
    *,
    kind: str,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem-details response."""
    body: dict[str, Any] = {"type": PROBLEM_BASE + kind, "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    body = _echo_safe(body)
    headers = {**(headers or {}), **({"WWW-Authenticate": "Bearer"} if status == 401 else {})}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers or None)


def _echo_safe(value: Any) -> Any:
    """The body with every string safe to encode: a location or reason may echo what a client sent."""
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, dict):
        return {shown(str(k)): _echo_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_echo_safe(v) for v in value]
    return value


def install(app: FastAPI) -> None:
    """Register the translators on ``app``."""

    @app.exception_handler(CnopadError)
    async def _cnopad(request: Request, exc: CnopadError) -> JSONResponse:
        if isinstance(exc, Unauthenticated):
            return problem(401, "Authentication required", exc.message, kind=exc.code, instance=request.url.path)
        for cls, status, title in _STATUS:
            if isinstance(exc, cls):
                errors = _input_errors(exc) if isinstance(exc, InputError) else None
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
            headers=dict(exc.headers or {}),
        )


def _input_errors(exc: InputError) -> list[dict[str, str]]:
    """Every field error of an InputError (a form may carry several)."""
    many = getattr(exc, "errors", None)
    if isinstance(many, list) and all(isinstance(e, InputError) for e in many):
        return [{"location": e.location, "reason": e.reason} for e in many]
    return [{"location": exc.location, "reason": exc.reason}]


#: JSON schema of a problem-details body (RFC 9457) as cnopad sends it
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["location", "reason"],
                "properties": {"location": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
}

_DESCRIPTIONS = {
    400: "The body could not be read (not JSON)",
    401: "No valid credentials (API token, or a signed CDS Hooks JWT)",
    403: "Your role or care-team membership does not allow this",
    404: "Not found",
    409: "Conflict",
    412: "The FHIR data needed was neither sent nor retrievable",
    413: "The request body is too large",
    422: "The input is not valid: the errors name each field",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` documenting problem-details answers for these statuses."""
    return {
        status: {"description": _DESCRIPTIONS[status], "content": {MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}}}
        for status in statuses
    }
