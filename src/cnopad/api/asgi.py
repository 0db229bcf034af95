"""The ASGI entry point for uvicorn: ``cnopad.api.asgi:app`` (one container per worker process)."""

import gc

from cnopad.api.app import create_app
from cnopad.bootstrap import build
from cnopad.fhir.report_text import warm

app = create_app(build())
# build the report-text pipeline (spaCy + clinlp, seconds) now, not on the first CDS Hooks call
warm()
# the knowledge base and compiled rules live as long as the process: keep them out of every GC pass
gc.freeze()
