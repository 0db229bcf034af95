"""A small asynchronous FHIR REST client for a CDS Client's FHIR server (CDS Hooks prefetch fallback).

It only reads: instance reads and type searches, following ``Bundle.link[next]`` for paged results. Many
queries run at once, at most ``concurrency`` at a time, so the prefetch queries cnopad still needs cost
one round trip instead of one each. Every failure (network, time-out, status, non-FHIR body, too many
pages, a next link off the server) becomes a DataUnavailableError naming the query, so the service can
answer 412 as CDS Hooks requires. The bearer token goes to the FHIR server's own base URL only.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx

from cnopad.errors import DataUnavailableError

JsonObject = dict[str, Any]
MAX_PAGES = 20  # a bound on paging: a patient's record for CNO needs far fewer pages
#: queries in flight at once: every prefetch query (15) goes out in one wave, and paging stays bounded
CONCURRENCY = 16


@dataclass(frozen=True)
class Page:
    """One answer of the FHIR server: the query asked, the page number (1 = the first answer), the body."""

    query: str
    number: int
    body: JsonObject


class FhirServerClient:
    """Reads from one FHIR server with one bearer token (use ``async with``)."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
        concurrency: int = CONCURRENCY,
    ) -> None:
        headers = {"Accept": "application/fhir+json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(headers=headers, timeout=timeout, transport=transport, follow_redirects=False)
        self._slots = asyncio.Semaphore(concurrency)

    async def aclose(self) -> None:
        """Release the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> FhirServerClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    def on_server(self, url: str) -> bool:
        """True when an absolute URL lies under this server's base URL (where the token may go)."""
        return url == self.base_url or url.startswith(self.base_url + "/") or url.startswith(self.base_url + "?")

    async def get(self, query: str) -> JsonObject | None:
        """GET a relative query (``Patient/1``, ``Condition?patient=1``) or a URL on this server.

        A 404 on an instance read means no data (None); any other failure is a DataUnavailableError.
        """
        if query.startswith(("http://", "https://")):
            if not self.on_server(query):
                msg = f"a next page {query!r} is not on the fhirServer; cnopad sends its token to the fhirServer only"
                raise DataUnavailableError(msg)
            url = query
        else:
            url = f"{self.base_url}/{query.lstrip('/')}"
        async with self._slots:
            try:
                response = await self._http.get(url)
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

    async def search(self, query: str) -> list[Page]:
        """A query and every following page of its answer (an empty list when a read found nothing)."""
        body = await self.get(query)
        if body is None:
            return []
        return [Page(query, 1, body), *await self.next_pages(query, body)]

    async def next_pages(self, query: str, bundle: JsonObject, *, first: int = 1) -> list[Page]:
        """Every page after ``bundle`` (page number ``first``), fetched one after another."""
        pages: list[Page] = []
        number = first
        while (link := next_link(bundle)) is not None:
            number += 1
            if number - first > MAX_PAGES:
                msg = f"more than {MAX_PAGES} pages of results for {query!r}"
                raise DataUnavailableError(msg)
            page = await self.get(link)
            if page is None:
                break
            pages.append(Page(query, number, page))
            bundle = page
        return pages


async def run_all(calls: list[Any]) -> list[Any]:
    """Await every call at once; the first DataUnavailableError (in the calls' order) is raised after all end."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def next_link(bundle: JsonObject) -> str | None:
    """The URL of the next page of a Bundle, if any."""
    links = bundle.get("link")
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link.get("relation") == "next" and isinstance(link.get("url"), str):
            return str(link["url"])
    return None
