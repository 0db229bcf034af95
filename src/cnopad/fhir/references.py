"""Resolving FHIR references the FHIR way, over every resource of one request.

A resource is *located*: it carries where it stands in what the caller sent (``Bundle.entry[3].resource``,
``prefetch.conditions.entry[0].resource``) and its entry's ``fullUrl``. One ``ReferenceIndex`` holds every
located resource of a request (a Bundle; or all prefetch keys, fetched pages and draft orders of a CDS Hooks
call), so a reference resolves whichever key or page its target came in. A reference resolves, in order:

1. ``#id``: a resource contained in the referring resource (``contained``);
2. the exact ``fullUrl`` of an entry (``urn:uuid:…``, ``urn:oid:…``, an absolute URL);
3. ``Type/id`` (relative): the resource of that type and id, or an entry whose absolute fullUrl ends in it;
4. an absolute URL ending in ``Type/id`` (``…/_history/n`` ignored): the resource of that type and id;
5. ``urn:uuid:X`` without a matching fullUrl: the one resource whose id is X. Servers and Synthea give a
   resource the id of its ``urn:uuid`` fullUrl, and CDS Hooks prefetch lists single resources without their
   fullUrl; a UUID is unique by construction, and two resources with that id make the reference unresolved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

JsonObject = dict[str, Any]

#: ``[base/]Type/id[/_history/version]``: FHIR's literal reference grammar (type names start upper case)
_TAIL = re.compile(r"(?:^|/)([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[A-Za-z0-9\-.]{1,64})?$")
_UUID = "urn:uuid:"


@dataclass(frozen=True, slots=True, eq=False)
class Located:
    """A resource and where it stands in the request (its location and its entry's fullUrl).

    ``kind`` is the resource type ('' when absent or not a string), taken once: it is asked often.
    ``text_checked`` is True when the request it came in was already proven free of refused text
    (``input_rules.json_bytes_clean``), so the reader need not check its strings one by one again.
    """

    resource: JsonObject
    location: str
    full_url: str | None = None
    text_checked: bool = False
    kind: str = field(init=False)

    def __post_init__(self) -> None:
        kind = self.resource.get("resourceType")
        object.__setattr__(self, "kind", kind if isinstance(kind, str) else "")


def tail(reference: str) -> tuple[str, str] | None:
    """``(Type, id)`` at the end of a relative or absolute literal reference, if it has that form."""
    match = _TAIL.search(reference)
    return (match.group(1), match.group(2)) if match else None


class ReferenceIndex:
    """Every located resource of one request, by fullUrl, by ``Type/id`` and by id (for ``urn:uuid``)."""

    def __init__(self, located: Iterable[Located] = ()) -> None:
        self._by_key: dict[str, Located] = {}
        self._by_id: dict[str, list[Located]] = {}
        for item in located:
            self.add(item)

    def add(self, item: Located) -> None:
        """Index one resource (the first resource to claim a key keeps it: duplicates are the same resource)."""
        rid = item.resource.get("id")
        kind = item.kind
        if item.full_url:
            self._by_key.setdefault(item.full_url, item)
            found = tail(item.full_url) if not item.full_url.startswith("urn:") else None
            if found is not None and found[0] == kind:
                self._by_key.setdefault(f"{kind}/{found[1]}", item)
        if isinstance(rid, str) and rid and kind:
            key = f"{kind}/{rid}"
            if key in self._by_key:
                return  # the same resource again (another key or page): it is already indexed
            self._by_key[key] = item
            self._by_id.setdefault(rid, []).append(item)

    def find(self, reference: str, *, within: Located | None = None) -> Located | None:
        """The resource a literal reference points to (``within``: the referring resource), or None."""
        if reference.startswith("#"):
            return _contained(reference[1:], within)
        exact = self._by_key.get(reference)
        if exact is not None:
            return exact
        if reference.startswith(_UUID):
            candidates = self._by_id.get(reference[len(_UUID) :], [])
            return candidates[0] if len(candidates) == 1 else None
        found = tail(reference)
        if found is not None:
            return self._by_key.get(f"{found[0]}/{found[1]}")
        return None

    def __contains__(self, reference: str) -> bool:
        return self.find(reference) is not None


def _contained(rid: str, within: Located | None) -> Located | None:
    if within is None:
        return None
    contained = within.resource.get("contained")
    if not isinstance(contained, list):
        return None
    for index, resource in enumerate(contained):
        if isinstance(resource, dict) and resource.get("id") == rid:
            return Located(resource, f"{within.location}.contained[{index}]")
    return None
