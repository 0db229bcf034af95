"""The ASGI entry point for uvicorn: ``cnopad.api.asgi:app`` (one container per worker process)."""

from cnopad.api.app import create_app
from cnopad.bootstrap import build

app = create_app(build())
