"""The API documentation page (``/docs``): Swagger UI served from cnopad's own static files, no CDN.

FastAPI's built-in page loads Swagger UI from a CDN and starts it with an inline script; this one loads the
vendored copy (``web/static/swagger-ui``) and a static start-up script, so it keeps the same
Content-Security-Policy as every other page (no inline script, nothing from another host).
"""

from __future__ import annotations

from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

ASSETS = "/static/swagger-ui"


def install(app: FastAPI) -> None:
    """Serve ``/docs`` for ``app`` (create the app with ``docs_url=None, redoc_url=None``)."""
    openapi_url = app.openapi_url or "/openapi.json"
    html = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(app.title)} API</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="{ASSETS}/swagger-init.js"></script>
</body>
</html>
"""

    @app.get("/docs", include_in_schema=False)
    def api_documentation() -> HTMLResponse:
        """Swagger UI for the OpenAPI description."""
        return HTMLResponse(html)
