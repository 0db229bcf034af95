"""The FastAPI application factory."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from cnopad import __version__
from cnopad.api import docs as api_docs
from cnopad.api import problems
from cnopad.api.cds_hooks.routes import router as cds_router
from cnopad.api.cds_hooks.trust import JwtVerifier, load_clients
from cnopad.api.cors import CdsHooksCors
from cnopad.api.limits import BodyLimit
from cnopad.api.patients import router as patients_router
from cnopad.api.records import router as records_router
from cnopad.api.users import router as users_router
from cnopad.bootstrap import Container
from cnopad.web.app import install as install_web
from cnopad.web.security import SecurityHeaders

DESCRIPTION = """cnopad supports the care of people with chronic non-bacterial osteomyelitis (CNO-SCCH in
adults, CRMO in children). It suggests; a clinician decides. Demo and test data are synthetic.

Authenticate with an API token: `Authorization: Bearer <token>` (create one with `cnopad user add`).
Errors are RFC 9457 problem details naming the field."""


def create_app(container: Container) -> FastAPI:
    """Build the web application around a container."""
    # /docs is cnopad's own page (local Swagger UI under the CSP); ReDoc would load from a CDN, so it is not offered
    app = FastAPI(title="cnopad", version=__version__, description=DESCRIPTION, docs_url=None, redoc_url=None)
    app.state.container = container
    problems.install(app)
    app.include_router(records_router)
    app.include_router(patients_router)
    app.include_router(users_router)
    app.include_router(cds_router)
    settings = container.settings
    app.state.jwt_verifier = JwtVerifier(
        load_clients(settings.cds_clients),
        leeway=settings.cds_jwt_leeway,
        fetch_timeout=settings.cds_jwks_timeout,
        retry_after=settings.cds_jwks_retry_after,
    )
    if settings.cds_allow_unsigned:
        logging.getLogger("cnopad").warning(
            "CNOPAD_CDS_ALLOW_UNSIGNED is on: unsigned CDS Hooks calls from 127.0.0.1 are accepted (development only)"
        )

    @app.get("/healthz", operation_id="health", tags=["service"], summary="Liveness check")
    def health() -> dict[str, str]:
        """Says the service runs and which knowledge version it uses."""
        return {"status": "ok", "version": __version__, "knowledge": container.knowledge.version}

    api_docs.install(app)
    install_web(app)
    app.add_middleware(CdsHooksCors)
    app.add_middleware(BodyLimit, max_bytes=container.settings.max_body_bytes)
    app.add_middleware(SecurityHeaders, hsts_seconds=settings.hsts_seconds)  # outermost: on every response
    return app
