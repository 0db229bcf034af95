"""A hospital's FHIR server, faked as a small in-process ASGI app (the one true outside boundary).

It serves instance reads (``Patient/{id}``), ``{Type}?patient={id}`` searches (with ``_include`` of
medications and care-team members) and ``Medication?_id=a,b`` from a Bundle, pages searches when asked,
checks the bearer token, can answer each request after a fixed ``latency`` (an asyncio sleep, so concurrent
requests overlap as they would on a real server), and records every request with its start and end time.
``round_trips()`` is the number of sequential round trips the client needed: the longest chain of
requests each of which started after the previous one had been answered.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

BASE = "https://fhir.hospital.test/fhir"

Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Request:
    """One request the server received: path with query, and when it started and was answered."""

    path: str
    start: float
    end: float


class FakeFhirServer:
    """ASGI app; pass ``httpx.ASGITransport(app=server)`` to the code under test."""

    def __init__(
        self,
        bundle: dict[str, Any],
        *,
        token: str = "some-opaque-fhir-access-token",
        page_size: int = 1000,
        fail: bool = False,
        latency: float = 0.0,
        includes: bool = True,
        id_search: bool = True,
    ) -> None:
        self.resources = [e["resource"] for e in bundle.get("entry", [])]
        self.token = token
        self.page_size = page_size
        self.fail = fail
        self.latency = latency
        self.includes = includes  # whether _include=Type:medication is honoured (not every server does)
        self.id_search = id_search  # whether searches by _id are supported (else 400, as some servers answer)
        self.log: list[Request] = []

    @property
    def requests(self) -> list[str]:
        """The paths (with query) received, in the order they arrived."""
        return [r.path for r in self.log]

    def round_trips(self) -> int:
        """The longest chain of requests where each started after the one before it was answered."""
        ordered = sorted(self.log, key=lambda r: r.start)
        depth: list[int] = []
        for i, request in enumerate(ordered):
            before = [depth[j] for j in range(i) if ordered[j].end <= request.start]
            depth.append(1 + max(before, default=0))
        return max(depth, default=0)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Send) -> None:
        if scope["type"] != "http":
            return
        start = time.perf_counter()
        query_string = scope.get("query_string", b"").decode()
        path = scope.get("path", "").removeprefix("/fhir").strip("/")
        if self.latency:
            await asyncio.sleep(self.latency)
        status, body = self._answer(path, parse_qs(query_string), dict(scope.get("headers") or []))
        self.log.append(Request(path + ("?" + query_string if query_string else ""), start, time.perf_counter()))
        data = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/fhir+json"), (b"content-length", str(len(data)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": data})

    def _answer(
        self, path: str, query: dict[str, list[str]], headers: dict[bytes, bytes]
    ) -> tuple[int, dict[str, Any]]:
        if headers.get(b"authorization") != f"Bearer {self.token}".encode():
            return 401, _outcome("login")
        if self.fail:
            return 500, _outcome("exception")
        if "/" in path:
            kind, rid = path.split("/", 1)
            for r in self.resources:
                if r["resourceType"] == kind and r.get("id") == rid:
                    return 200, r
            return 404, _outcome("not-found")
        if "_id" in query and not self.id_search:
            return 400, _outcome("not-supported")
        if "_id" in query:
            ids = set(query["_id"][0].split(","))
            matches = [r for r in self.resources if r["resourceType"] == path and r.get("id") in ids]
        else:
            patient = query.get("patient", [""])[0]
            matches = [r for r in self.resources if r["resourceType"] == path and _about(r, patient)]
        page = int(query.get("_page", ["1"])[0])
        chunk = matches[(page - 1) * self.page_size : page * self.page_size]
        entries = [{"resource": r, "search": {"mode": "match"}} for r in chunk]
        for include in query.get("_include", []) if self.includes else []:
            entries += [{"resource": r, "search": {"mode": "include"}} for r in self._included(chunk, include)]
        bundle: dict[str, Any] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(matches),
            "entry": entries,
        }
        if page * self.page_size < len(matches):
            rest = "&".join(f"{k}={v}" for k, values in query.items() if k != "_page" for v in values)
            bundle["link"] = [{"relation": "next", "url": f"{BASE}/{path}?{rest}&_page={page + 1}"}]
        return 200, bundle

    def _included(self, matches: list[dict[str, Any]], include: str) -> list[dict[str, Any]]:
        """What a page's references point to: ``Type:medication`` (medicationReference) and
        ``CareTeam:participant`` (the participants' members)."""
        refs: list[Any] = []
        if include.endswith(":medication"):
            refs = [r.get("medicationReference") for r in matches]
        elif include == "CareTeam:participant":
            refs = [p.get("member") for r in matches for p in r.get("participant") or []]
        wanted = {str(ref["reference"]) for ref in refs if isinstance(ref, dict) and ref.get("reference")}
        return [r for r in self.resources if f"{r['resourceType']}/{r.get('id')}" in wanted]


def _about(resource: dict[str, Any], patient: str) -> bool:
    """A search by patient: resources whose subject/patient names that patient, or that name none."""
    for element in ("subject", "patient"):
        ref = resource.get(element)
        if isinstance(ref, dict) and ref.get("reference"):
            return str(ref["reference"]).rsplit("/", 1)[-1].removeprefix("urn:uuid:") == patient
    return True


def _outcome(code: str) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": code}]}
