"""Mounts the clinicians' web app (pages, static files, security headers) on the FastAPI application."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from cnopad.web import routes_auth, routes_clinical, routes_documents, routes_emergency
from cnopad.web.i18n import LANGUAGES, translations
from cnopad.web.rendering import environment
from cnopad.web.security import SecurityHeaders


def install(app: FastAPI) -> None:
    """Add the web pages to ``app``; the catalogs and templates are compiled now, not at the first request."""
    for lang in LANGUAGES:
        translations(lang)
        environment(lang)
    static = resources.files("cnopad.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(routes_auth.router)
    app.include_router(routes_clinical.router)
    app.include_router(routes_documents.router)
    app.include_router(routes_emergency.router)
    app.add_middleware(SecurityHeaders)
