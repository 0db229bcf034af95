"""A hospital's FHIR server, faked as a small in-process WSGI app (the one true outside boundary).

It serves instance reads (``Patient/{id}``) and ``{Type}?patient={id}`` searches from a Bundle, pages
searches when asked, checks the bearer token, and counts the requests it received.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

BASE = "https://fhir.hospital.test/fhir"


class FakeFhirServer:
    """WSGI app; pass ``httpx.WSGITransport(app=server)`` to the code under test."""

    def __init__(
        self,
        bundle: dict[str, Any],
        *,
        token: str = "some-opaque-fhir-access-token",
        page_size: int = 1000,
        fail: bool = False,
    ) -> None:
        self.resources = [e["resource"] for e in bundle.get("entry", [])]
        self.token = token
        self.page_size = page_size
        self.fail = fail
        self.requests: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "").removeprefix("/fhir").strip("/")
        query = parse_qs(environ.get("QUERY_STRING", ""))
        self.requests.append(path + ("?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else ""))
        if environ.get("HTTP_AUTHORIZATION") != f"Bearer {self.token}":
            return self._send(
                start_response,
                401,
                {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "login"}]},
            )
        if self.fail:
            return self._send(
                start_response,
                500,
                {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "exception"}]},
            )
        if "/" in path:
            kind, rid = path.split("/", 1)
            for r in self.resources:
                if r["resourceType"] == kind and r.get("id") == rid:
                    return self._send(start_response, 200, r)
            return self._send(
                start_response,
                404,
                {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "not-found"}]},
            )
        matches = [r for r in self.resources if r["resourceType"] == path]
        page = int(query.get("_page", ["1"])[0])
        chunk = matches[(page - 1) * self.page_size : page * self.page_size]
        bundle: dict[str, Any] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(matches),
            "entry": [{"resource": r, "search": {"mode": "match"}} for r in chunk],
        }
        if page * self.page_size < len(matches):
            patient = query.get("patient", [""])[0]
            bundle["link"] = [{"relation": "next", "url": f"{BASE}/{path}?patient={patient}&_page={page + 1}"}]
        return self._send(start_response, 200, bundle)

    @staticmethod
    def _send(start_response: Callable[..., Any], status: int, body: dict[str, Any]) -> Iterable[bytes]:
        data = json.dumps(body).encode()
        start_response(f"{status} X", [("Content-Type", "application/fhir+json"), ("Content-Length", str(len(data)))])
        return [data]
