"""Mounts the clinicians' web app (pages, static files) on the FastAPI application.

The security headers (``web/security.py``) wrap the whole application; ``api/app.py`` adds them last, so
they reach every response, the body-size and CORS answers included.
"""

from __future__ import annotations

from importlib import resources

import anyio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from cnopad.services import auth
from cnopad.web import routes_auth, routes_cards, routes_clinical, routes_documents, routes_emergency
from cnopad.web.i18n import LANGUAGES, translations
from cnopad.web.rendering import environment


def install(app: FastAPI) -> None:
    """Add the web pages to ``app``; the catalogs and templates are compiled now, not at the first request."""
    for lang in LANGUAGES:
        translations(lang)
        environment(lang)
    static = resources.files("cnopad.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    # sign-ins run argon2 in worker threads, at most this many at once; the rest wait without holding a thread
    app.state.sign_in_limiter = anyio.CapacityLimiter(auth.PARALLEL_HASHES)
    app.include_router(routes_auth.router)
    app.include_router(routes_clinical.router)
    app.include_router(routes_cards.router)
    app.include_router(routes_documents.router)
    app.include_router(routes_emergency.router)
