"""Mounts the clinicians' web app (pages, static files, locale) on the FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Add the web pages to ``app`` (filled in by the web app work)."""
