"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI

from cnopad import __version__
from cnopad.api import problems
from cnopad.api.limits import BodyLimit
from cnopad.api.records import router as records_router
from cnopad.bootstrap import Container
from cnopad.web.app import install as install_web

DESCRIPTION = """cnopad supports the care of people with chronic non-bacterial osteomyelitis (CNO-SCCH in
adults, CRMO in children). It suggests; a clinician decides. Demo and test data are synthetic.

Authenticate with an API token: `Authorization: Bearer <token>` (create one with `cnopad user add`).
Errors are RFC 9457 problem details naming the field."""


def create_app(container: Container) -> FastAPI:
    """Build the web application around a container."""
    app = FastAPI(title="cnopad", version=__version__, description=DESCRIPTION)
    app.state.container = container
    problems.install(app)
    app.include_router(records_router)

    @app.get("/healthz", operation_id="health", tags=["service"], summary="Liveness check")
    def health() -> dict[str, str]:
        """Says the service runs and which knowledge version it uses."""
        return {"status": "ok", "version": __version__, "knowledge": container.knowledge.version}

    install_web(app)
    app.add_middleware(BodyLimit, max_bytes=container.settings.max_body_bytes)
    return app
