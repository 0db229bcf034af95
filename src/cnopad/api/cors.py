"""CORS for the CDS Hooks routes only: browser-based CDS clients (e.g. the public CDS Hooks sandbox) call
them from other origins with a bearer JWT. The web app's own pages and forms get no CORS at all."""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send


class CdsHooksCors:
    """Applies permissive, credential-less CORS to ``/cds-services`` paths and nothing else."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=["*"],
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "Accept", "Accept-Language"],
            allow_credentials=False,
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith("/cds-services"):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
