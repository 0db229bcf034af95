"""Card and suggestion uuids: stable for the same rule, patient and situation, cheap to compute.

A card's uuid is uuid5 over "rule id|patient id|situation key" in cnopad's namespace (so nl and en give
the same uuids); a suggestion's uuid is its card's uuid with the node field (the last 12 hex digits)
taken from the SHA-1 of the suggestion id: stable, unique within and across cards, and one hash cheaper.
"""

from __future__ import annotations

import uuid
from hashlib import sha1
from typing import Any

#: namespace of card uuids (uuid5 over rule id, patient id and situation key)
CARD_NAMESPACE = uuid.UUID("6f1c3c3e-2b7a-5d7e-9a51-6c6e6f706164")
_NAMESPACE_BYTES = CARD_NAMESPACE.bytes
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def uuid5(name: str) -> str:
    """``str(uuid.uuid5(CARD_NAMESPACE, name))``, computed on the hex digest (no UUID objects: the hot path)."""
    return _formatted(sha1(_NAMESPACE_BYTES + name.encode(), usedforsecurity=False).hexdigest())


#: a SHA-1 state part-way through a name (``hashlib`` has no public type for it)
Hasher = Any


def uuid5_prefix(start: str) -> Hasher:
    """The SHA-1 state after the namespace and ``start``: ``uuid5_after(uuid5_prefix(a), b) == uuid5(a + b)``."""
    return sha1(_NAMESPACE_BYTES + start.encode(), usedforsecurity=False)


def uuid5_after(prefix: Hasher, rest: str) -> str:
    """``uuid5(start + rest)`` from ``uuid5_prefix(start)``: a rule's card uuids hash the rule's part once."""
    h = prefix.copy()
    h.update(rest.encode())
    return _formatted(h.hexdigest())


def _formatted(h: str) -> str:
    # version 5 in the time_hi field, the RFC 4122 variant (10xx) in clock_seq_hi
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


def suggestion_node(suggestion_id: str) -> str:
    """The node field (last 12 hex digits) of every uuid of this suggestion: fixed per suggestion id."""
    return sha1(suggestion_id.encode(), usedforsecurity=False).hexdigest()[:12]
