"""A small FHIR REST client for a CDS Client's FHIR server (CDS Hooks prefetch fallback).

It only reads: an instance read or a type search, following ``Bundle.link[next]`` for paged results.
Every failure (network, status, non-FHIR body) becomes a DataUnavailableError naming the query, so
the service can answer 412 as CDS Hooks requires.
"""

from __future__ import annotations

from typing import Any

import httpx

from cnopad.errors import DataUnavailableError

JsonObject = dict[str, Any]
MAX_PAGES = 20  # a bound on paging: a patient's record for CNO needs far fewer pages


class FhirServerClient:
    """Reads from one FHIR server with one bearer token."""

    def __init__(
        self, base_url: str, token: str | None, *, timeout: float = 5.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        headers = {"Accept": "application/fhir+json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(headers=headers, timeout=timeout, transport=transport, follow_redirects=False)

    def close(self) -> None:
        """Release the connection pool."""
        self._http.close()

    def __enter__(self) -> FhirServerClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def get(self, query: str) -> JsonObject | None:
        """GET a relative query (``Patient/1`` or ``Condition?patient=1``); 404 on a read means no data."""
        url = query if query.startswith(("http://", "https://")) else f"{self.base_url}/{query.lstrip('/')}"
        try:
            response = self._http.get(url)
        except httpx.HTTPError as exc:
            msg = f"the FHIR server could not be reached for {query!r} ({type(exc).__name__})"
            raise DataUnavailableError(msg) from exc
        if response.status_code == 404 and "?" not in query:
            return None
        if response.status_code != 200:
            msg = f"the FHIR server answered {response.status_code} for {query!r}"
            raise DataUnavailableError(msg)
        try:
            body = response.json()
        except ValueError as exc:
            msg = f"the FHIR server sent no JSON for {query!r}"
            raise DataUnavailableError(msg) from exc
        if not isinstance(body, dict) or "resourceType" not in body:
            msg = f"the FHIR server sent no FHIR resource for {query!r}"
            raise DataUnavailableError(msg)
        if body["resourceType"] == "OperationOutcome":
            msg = f"the FHIR server reported an error for {query!r}"
            raise DataUnavailableError(msg)
        return body

    def next_pages(self, bundle: JsonObject) -> list[JsonObject]:
        """The resources of every following page of a searchset Bundle."""
        resources: list[JsonObject] = []
        pages = 0
        while (link := next_link(bundle)) is not None:
            pages += 1
            if pages > MAX_PAGES:
                msg = f"more than {MAX_PAGES} pages of results"
                raise DataUnavailableError(msg)
            page = self.get(link)
            if page is None:
                break
            resources.extend(bundle_resources(page))
            bundle = page
        return resources


def next_link(bundle: JsonObject) -> str | None:
    """The URL of the next page of a Bundle, if any."""
    for link in bundle.get("link") or []:
        if link.get("relation") == "next" and link.get("url"):
            return str(link["url"])
    return None


def bundle_resources(bundle: JsonObject) -> list[JsonObject]:
    """The resources of a Bundle's entries, leaving out search outcomes (OperationOutcome)."""
    out = []
    for entry in bundle.get("entry") or []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") != "OperationOutcome":
            out.append(resource)
    return out
