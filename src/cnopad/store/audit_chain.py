"""How an audit row is turned into its chain hash, and how any text is made storable first.

Two formats exist. Rows written before migration 0006 carry the unkeyed SHA-256 of their fields
joined by U+001F; they end at a boundary recorded in ``audit_head.unkeyed_until``. Every later row
carries an HMAC-SHA256, under a key kept outside the database, of a canonical JSON array of its
fields (key id included). JSON with ``ensure_ascii`` encodes every ``str`` deterministically, lone
surrogates included, and cannot shift text from one field into the next.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime

#: the ``prev_hash`` of the first row
GENESIS = "0" * 64

#: marks the keyed message format; a new format gets a new tag
KEYED_FORMAT = "cnopad-audit/2"

#: characters no database text column takes: NUL (PostgreSQL) and lone surrogates (not encodable as UTF-8)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return "\\x00" if char == "\x00" else f"\\u{ord(char):04x}"


def storable(text: str, limit: int | None = None) -> str:
    """``text`` as the audit log stores it: NUL and lone surrogates escaped (``\\ud800``), cut to ``limit``.

    The log must record every event, whatever a caller sent: a name it cannot store would turn an
    audited request into a server error. An over-long value is cut and marked with an ellipsis.
    """
    if _UNSTORABLE.search(text) is not None:
        text = _UNSTORABLE.sub(_escape, text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def unkeyed_hash(
    seq: int,
    at: datetime,
    user: str,
    role: str,
    channel: str,
    action: str,
    patient_id: str | None,
    purpose: str,
    detail: str,
    prev_hash: str,
) -> str:
    """The SHA-256 that linked rows written before the chain was keyed (format of migrations 0001-0004)."""
    parts = [
        str(seq),
        _utc(at).isoformat(),
        user,
        role,
        channel,
        action,
        patient_id or "",
        purpose,
        detail,
        prev_hash,
    ]
    # surrogatepass: such rows never held a lone surrogate (the database refused them), but hashing
    # any str must not raise
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def keyed_message(
    key_id: str,
    seq: int,
    at: datetime,
    user: str,
    role: str,
    channel: str,
    action: str,
    patient_id: str | None,
    purpose: str,
    detail: str,
    prev_hash: str,
) -> bytes:
    """The bytes a keyed row's HMAC covers: a JSON array, ASCII only, the same for the same fields."""
    fields = [
        KEYED_FORMAT,
        key_id,
        seq,
        _utc(at).isoformat(),
        user,
        role,
        channel,
        action,
        patient_id,
        purpose,
        detail,
        prev_hash,
    ]
    return json.dumps(fields, ensure_ascii=True, separators=(",", ":")).encode("ascii")
