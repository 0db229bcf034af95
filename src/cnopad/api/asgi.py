"""The ASGI entry point for uvicorn: ``cnopad.api.asgi:app`` (one container per worker process)."""

import gc

from cnopad.api.app import create_app
from cnopad.bootstrap import build

app = create_app(build())
# the knowledge base and compiled rules live as long as the process: keep them out of every GC pass
gc.freeze()
