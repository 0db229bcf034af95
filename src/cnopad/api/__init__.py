"""The HTTP API (FastAPI): REST routes and CDS Hooks; parse, call a service, respond."""

from cnopad.api.app import create_app

__all__ = ["create_app"]
