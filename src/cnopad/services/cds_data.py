"""Gathering the FHIR data of one CDS Hooks call: prefetch first, then the client's FHIR server.

Every resource keeps where it came from in the request (``prefetch.conditions.entry[0].resource``,
``fhirServer[Condition?patient=1][page 2].entry[3].resource``, ``context.draftOrders.entry[0].resource``),
and one reference index covers all of them, so a reference resolves whichever key or page holds its target.
What must come from the FHIR server is asked at once (``fhir.client``): every missing prefetch query in one
wave, then the next pages of every paged answer together, then one search for the Medications that
``medicationReference``s point to and nothing in the request holds. A missing prefetch key that cannot be
fetched is a 412 (the specification's rule); a Medication that cannot be fetched sets its medication
resource aside instead, so the rest is still assessed ("fail safe, not closed").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cnopad.errors import DataUnavailableError, InputError
from cnopad.fhir import Located, ReferenceIndex, Unrecognized
from cnopad.fhir.client import FhirServerClient, next_link, run_all
from cnopad.fhir.parse import bundle_located
from cnopad.fhir.references import tail

if TYPE_CHECKING:
    from cnopad.services.cds import HookCall

JsonObject = dict[str, Any]
ClientFactory = Callable[[str, str | None], FhirServerClient]

#: the CDS Hooks prefetch templates cnopad asks for (the same for its three services). The medication
#: searches ``_include`` the Medications their ``medicationReference``s point to, the care-team search the
#: participants (names, identifiers): beyond the specification's recommended query subset, which a client
#: may not support; cnopad then fetches the Medications itself, and uses a member's role without its name.
PREFETCH: dict[str, str] = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "medicationRequests": "MedicationRequest?patient={{context.patientId}}&_include=MedicationRequest:medication",
    "medicationStatements": "MedicationStatement?patient={{context.patientId}}&_include=MedicationStatement:medication",
    "medicationAdministrations": "MedicationAdministration?patient={{context.patientId}}"
    "&_include=MedicationAdministration:medication",
    "immunizations": "Immunization?patient={{context.patientId}}",
    "allergies": "AllergyIntolerance?patient={{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}",
    "procedures": "Procedure?patient={{context.patientId}}",
    "diagnosticReports": "DiagnosticReport?patient={{context.patientId}}",
    "imagingStudies": "ImagingStudy?patient={{context.patientId}}",
    "careTeams": "CareTeam?patient={{context.patientId}}&_include=CareTeam:participant",
    "goals": "Goal?patient={{context.patientId}}",
    "serviceRequests": "ServiceRequest?patient={{context.patientId}}",
    "encounters": "Encounter?patient={{context.patientId}}",
}

ORDER_HOOKS = frozenset({"order-select", "order-sign"})
_MEDICATION_USES = frozenset({"MedicationRequest", "MedicationStatement", "MedicationAdministration"})
_IDS_PER_SEARCH = 50  # Medication?_id=a,b,...: keeps the URL short
_MISSING = object()


@dataclass(frozen=True)
class Gathered:
    """Every resource of one call with its place in the request, and how references resolve over them."""

    located: tuple[Located, ...]
    orders: tuple[Located, ...]
    listed: tuple[Unrecognized, ...]
    index: ReferenceIndex
    missing: dict[str, str] = field(default_factory=dict)
    requests: int = 0  # requests sent to the FHIR server (0: the prefetch held everything)


def fill(template: str, context: JsonObject) -> str:
    """Replace ``{{context.x}}`` prefetch tokens with context values."""
    out = template
    for key, value in context.items():
        if isinstance(value, (str, int)):
            out = out.replace("{{context.%s}}" % key, str(value))  # noqa: UP031 - braces make f-strings unreadable here
    return out


def _is_outcome(value: object) -> bool:
    return isinstance(value, dict) and value.get("resourceType") == "OperationOutcome"


def answer_located(body: JsonObject, where: str, *, text_checked: bool = False) -> list[Located]:
    """The resources of a prefetch value or a server answer (search outcomes left out), with their places."""
    if _is_outcome(body):
        return []
    if body.get("resourceType") != "Bundle":
        return [Located(body, where, None, text_checked)]
    entries = body.get("entry") or []
    if not isinstance(entries, list):
        msg = f"{where}.entry"
        raise InputError(msg, "must be a list")
    out: list[Located] = []
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and not _is_outcome(resource):
            full_url = entry.get("fullUrl")
            place = f"{where}.entry[{index}].resource"
            out.append(Located(resource, place, full_url if _text(full_url) else None, text_checked))
    return out


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value)


def _draft_orders(call: HookCall) -> tuple[list[Located], list[Unrecognized]]:
    if call.hook not in ORDER_HOOKS:
        return [], []
    bundle = call.context.get("draftOrders")
    if not isinstance(bundle, dict):
        msg = "context.draftOrders"
        raise InputError(msg, "order hooks need a draftOrders Bundle")
    return bundle_located(bundle, validate=False, root="context.draftOrders")


def _client(call: HookCall, factory: ClientFactory, key: str) -> FhirServerClient:
    if not call.fhir_server:
        msg = f"prefetch key {key!r} is missing and no fhirServer was given to fetch it"
        raise DataUnavailableError(msg)
    return factory(call.fhir_server, call.access_token)


def _unique(located: list[Located]) -> list[Located]:
    """The same resource (type and id) in several keys or pages counts once: the first one."""
    seen: set[tuple[str, str]] = set()
    out: list[Located] = []
    for item in located:
        rid = item.resource.get("id")
        if isinstance(rid, str) and rid:
            key = (item.kind, rid)
            if key in seen:
                continue
            seen.add(key)
        out.append(item)
    return out


def _from_prefetch(call: HookCall) -> tuple[list[Located], list[tuple[str, str]], list[tuple[str, JsonObject]]]:
    """What the prefetch holds, the (key, query) pairs to ask the server, and the (key, page) with a next page."""
    prefetch = call.prefetch or {}
    located: list[Located] = []
    queries: list[tuple[str, str]] = []
    paged: list[tuple[str, JsonObject]] = []
    for key, template in PREFETCH.items():
        value = prefetch.get(key, _MISSING)
        if value is None:
            continue  # the client says: no data
        if value is _MISSING or _is_outcome(value):
            queries.append((key, fill(template, call.context)))
            continue
        if not isinstance(value, dict):
            msg = f"prefetch.{key}"
            raise InputError(msg, "must be a FHIR resource or Bundle")
        located.extend(answer_located(value, f"prefetch.{key}", text_checked=call.text_checked))
        if value.get("resourceType") == "Bundle" and next_link(value) is not None:
            paged.append((key, value))
    return located, queries, paged


async def _ask(
    client: FhirServerClient, queries: list[tuple[str, str]], paged: list[tuple[str, JsonObject]]
) -> tuple[list[Located], int]:
    """Every missing query and every next page at once; the resources with their places, and the requests."""
    answers = await run_all(
        [client.search(query) for _, query in queries]
        + [client.next_pages(f"prefetch.{key}", first_page) for key, first_page in paged]
    )
    places = [f"fhirServer[{query}]" for _, query in queries] + [f"prefetch.{key}" for key, _ in paged]
    located: list[Located] = []
    requests = 0
    for place, pages in zip(places, answers, strict=True):
        for page in pages:
            requests += 1
            located.extend(answer_located(page.body, place if page.number == 1 else f"{place}[page {page.number}]"))
    return located, requests


async def gather(call: HookCall, open_client: ClientFactory) -> Gathered:
    """Every resource the engine reads: prefetch where given, else the FHIR server, else 412."""
    located, queries, paged = _from_prefetch(call)
    orders, listed = _draft_orders(call)
    client: FhirServerClient | None = None
    requests = 0
    missing: dict[str, str] = {}
    try:
        if queries or paged:
            client = _client(call, open_client, (queries or paged)[0][0])
            fetched, requests = await _ask(client, queries, paged)
            located.extend(fetched)
        index = ReferenceIndex([*located, *orders])
        wanted = _unresolved_medications([*located, *orders], index)
        if wanted and not call.fhir_server:
            missing = {ref: "not in the request, and no fhirServer was given to fetch it from" for ref in wanted}
        elif wanted:
            client = client or _client(call, open_client, "medicationReference")
            medications, missing, asked = await _fetch_medications(client, wanted)
            requests += asked
            for item in medications:
                located.append(item)
                index.add(item)
    finally:
        if client is not None:
            await client.aclose()
    return Gathered(tuple(_unique(located)), tuple(orders), tuple(listed), index, missing, requests)


def _unresolved_medications(located: list[Located], index: ReferenceIndex) -> dict[str, str]:
    """``medicationReference``s that resolve to nothing in the request and name a Medication by id."""
    wanted: dict[str, str] = {}
    for item in located:
        if item.kind not in _MEDICATION_USES:
            continue
        ref = item.resource.get("medicationReference")
        target = ref.get("reference") if isinstance(ref, dict) else None
        if not isinstance(target, str) or index.find(target, within=item) is not None:
            continue
        found = tail(target)
        if found is not None and found[0] == "Medication" and not target.startswith("urn:"):
            wanted[target] = found[1]
    return wanted


async def _fetch_medications(
    client: FhirServerClient, wanted: dict[str, str]
) -> tuple[list[Located], dict[str, str], int]:
    """Ask the FHIR server for the Medications that only it can hold: one ``Medication?_id=a,b,…`` search per
    50 ids, all at once; a server that refuses the search is asked by reads (``Medication/a``), all at once.

    Only relative references and URLs on the fhirServer are asked (the token goes nowhere else); what does
    not come back is listed as missing, with why, and its medication resource is set aside.
    """
    ids = sorted({rid for ref, rid in wanted.items() if "://" not in ref or client.on_server(ref)})
    missing = {ref: "not in the request; cnopad fetches only from the fhirServer" for ref in wanted}
    chunks = [ids[i : i + _IDS_PER_SEARCH] for i in range(0, len(ids), _IDS_PER_SEARCH)]
    queries = [f"Medication?_id={','.join(chunk)}" for chunk in chunks]
    fetched: list[Located] = []
    try:
        answers = await run_all([client.search(query) for query in queries])
        asked = sum(len(pages) for pages in answers)
    except DataUnavailableError:
        queries = [f"Medication/{rid}" for rid in ids]
        try:
            answers = await run_all([client.search(query) for query in queries])
        except DataUnavailableError as exc:
            why = f"not in the request, and the FHIR server could not be asked for it ({exc.message})"
            missing.update({ref: why for ref, rid in wanted.items() if rid in ids})
            return [], missing, len(chunks) + len(ids)
        asked = len(chunks) + len(ids)
    for query, pages in zip(queries, answers, strict=True):
        for page in pages:
            where = f"fhirServer[{query}]" if page.number == 1 else f"fhirServer[{query}][page {page.number}]"
            fetched.extend(i for i in answer_located(page.body, where) if i.kind == "Medication")
    got = {str(i.resource.get("id")) for i in fetched}
    for ref, rid in wanted.items():
        if rid in got:
            missing.pop(ref, None)
        elif rid in ids:
            missing[ref] = "not in the request, and the FHIR server did not return it"
    return fetched, missing, asked
