"""The rules every value from outside must meet before cnopad uses it: dates in a plausible range, text that
is valid Unicode without control characters, and lengths that fit the database columns.

One pure module for every entry point (REST API models, FHIR reader for imports and CDS Hooks, web forms,
command line), so a value refused on one surface is refused on all. The checks return a reason (or
``None``); the ``check_*`` functions raise :class:`~cnopad.errors.InputError` with the caller's location.
The limits are documented in ``docs/security.md`` ("Input rules"); a test holds that table and this one
together.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from cnopad.errors import InputError

#: earliest date accepted anywhere: no living patient's record, nor any CNO publication, lies before it
EARLIEST_DATE = date(1900, 1, 1)
#: how far ahead a planned date or an assessment date may lie; a product choice (a plan beyond ten years
#: is a typing error, and date arithmetic up to year 9999 must never overflow)
HORIZON_YEARS = 10

#: longest text per kind of value (characters); database columns are at least this long
LIMITS: Mapping[str, int] = {
    "patient_id": 64,  # patients.id String(64); FHIR id is at most 64 characters
    "patient_name": 200,  # patients.name String(200)
    "identifier": 200,  # care_team_index.identifier_system / identifier_value String(200)
    "entry_id": 128,  # entries.entry_id String(128)
    "search": 100,  # ?q= of the patient list
    "form_text": 1000,  # the longest free-text field of a form (imaging conclusion)
    "reason": 500,  # emergency access reason
    "cds_user_id": 200,  # audit_events.user_name String(200); longer values are cut with "…" by the log
    "coding_system": 300,  # cds_feedback.reason_system String(300)
    "coding_code": 200,  # cds_feedback.reason_code String(200)
    "coding_display": 300,  # cds_feedback.reason_display String(300)
    "memory_limit": 20,  # --memory-limit of cnopad population screen
    "purpose": 80,  # audit_events.purpose String(80)
    "user_name": 120,  # users.name String(120)
    "location": 2000,  # a file, folder, URL or host given on the command line
}

#: C0 controls that text may hold (tab, line feed, carriage return), as FHIR's string type allows
# one scan in C instead of a Python loop per character (a CDS call carries whole report texts): the characters
# text_reason refuses, as character classes; which reason applies is then decided on the one character found
_BAD_MULTILINE = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BAD_SINGLE_LINE = re.compile("[\ud800-\udfff\x00-\x1f\x7f]")
_BAD_MULTILINE_TYPED = re.compile("[\ud800-\udfff\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BAD_SINGLE_LINE_TYPED = re.compile("[\ud800-\udfff\ufffd\x00-\x1f\x7f]")
# In a JSON document (UTF-8, as json.loads reads bytes) a character bad_text refuses can only arrive as an escape
# (\u0000-\u001f, \u007f, a \ud800-\udfff surrogate, \b, \f), as a raw control byte or DEL, or as the three bytes
# of a surrogate, which start with 0xED (json.loads decodes with surrogatepass). Escapes of other characters
# (\u00eb, as many encoders write a Dutch ë) are fine. A match may be a false alarm (an escaped backslash before
# "u001"; a valid surrogate pair; a Hangul syllable, whose UTF-8 also starts with 0xED): it only costs the full check.
# UTF-16/32 documents hold NUL bytes and are suspect too. Three separate scans, because one regular expression with
# all of them is several times slower than each (it cannot skip ahead to a literal first byte).
_CONTROL_BYTES = bytes(range(0x09)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20)) + b"\x7f"
_SUSPECT_ESCAPE = re.compile(rb"\\(?:[bf]|u(?:00[01]|007[fF]|[dD][89a-fA-F]))")


def latest_date(today: date) -> date:
    """The last date accepted for a planned date or an assessment date: today plus the horizon."""
    try:
        return today.replace(year=today.year + HORIZON_YEARS)
    except ValueError:  # 29 February in a year whose horizon year has none
        return today.replace(year=today.year + HORIZON_YEARS, day=28)


def date_reason(value: date, *, today: date, past: bool = False) -> str | None:
    """Why ``value`` is not a plausible date (``None`` when it is); ``past`` also refuses dates after today."""
    last = today if past else latest_date(today)
    if value < EARLIEST_DATE or value > last:
        return f"{value.isoformat()} lies outside {EARLIEST_DATE.isoformat()} … {last.isoformat()}"
    return None


def check_date(location: str, value: date, *, today: date, past: bool = False) -> date:
    """``value`` when it lies in the plausible range; otherwise an InputError naming ``location``."""
    reason = date_reason(value, today=today, past=past)
    if reason is not None:
        raise InputError(location, reason)
    return value


def text_reason(
    value: str, *, max_length: int | None = None, multiline: bool = True, typed: bool = False
) -> str | None:
    """Why ``value`` is not acceptable text (``None`` when it is): invalid Unicode, control characters, length.

    A lone surrogate (``"\\ud800"``, which JSON can carry but UTF-8 cannot encode) is invalid Unicode; NUL and
    the other C0 controls and DEL are control characters (line breaks and tabs only where ``multiline``). For
    ``typed`` text (a form field a person fills in) U+FFFD is invalid too: web forms decode bytes that are not
    UTF-8 to it, so it means the text was damaged on its way in and would be stored wrong without a word.
    """
    pattern = (
        (_BAD_MULTILINE_TYPED if multiline else _BAD_SINGLE_LINE_TYPED)
        if typed
        else (_BAD_MULTILINE if multiline else _BAD_SINGLE_LINE)
    )
    found = pattern.search(value)
    if found is not None:
        code = ord(found.group())
        if 0xD800 <= code <= 0xDFFF:
            return "not valid Unicode (a lone surrogate)"
        return "not valid UTF-8" if code == 0xFFFD else "contains control characters"
    if max_length is not None and len(value) > max_length:
        return f"too long (at most {max_length} characters)"
    return None


def check_text(location: str, value: str, *, max_length: int | None = None, multiline: bool = True) -> str:
    """``value`` when it is acceptable text; otherwise an InputError naming ``location``."""
    reason = text_reason(value, max_length=max_length, multiline=multiline)
    if reason is not None:
        raise InputError(location, reason)
    return value


def bad_text(value: Any, location: str) -> tuple[str, str] | None:
    """The first (location, reason) in a JSON value whose keys or strings are not valid text, or ``None``.

    Locations follow FHIRPath style (``Bundle.entry[0].resource.name[0].family``), so an import or a CDS
    Hooks call can name the element. No length limit here: each element's own limit applies where it is read.
    """
    if _all_good(value):  # the common case, without building a location for every element
        return None
    for where, text in _strings(value, location):
        reason = text_reason(text)
        if reason is not None:
            return where, reason
    return None


def _all_good(value: Any) -> bool:
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _BAD_MULTILINE.search(item) is not None:
                return False
        elif isinstance(item, Mapping):
            for key, child in item.items():
                if not isinstance(key, str) or _BAD_MULTILINE.search(key) is not None:
                    return False
                stack.append(child)
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return True


def json_bytes_clean(raw: bytes) -> bool:
    """True when the JSON document ``raw`` cannot hold a key or string that ``bad_text`` refuses.

    A few scans of the bytes in C, for a CDS Hooks call whose prefetch carries whole records: when it finds nothing
    suspect, checking every decoded string again is proven needless; when it does, the caller checks them all.
    """
    if b"\xed" in raw or len(raw.translate(None, _CONTROL_BYTES)) != len(raw):
        return False
    return b"\\" not in raw or _SUSPECT_ESCAPE.search(raw) is None


def check_json_text(value: Any, location: str) -> None:
    """An InputError naming the first element of a JSON value that is not valid text."""
    found = bad_text(value, location)
    if found is not None:
        raise InputError(*found)


def shown(text: str) -> str:
    """``text`` safe to echo in a message or a location: invalid Unicode and control characters escaped."""
    if text_reason(text) is None:
        return text
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if text_reason(ch, multiline=False) else ch for ch in text
    )


def _strings(value: Any, location: str) -> Iterator[tuple[str, str]]:
    # iterative, so a deeply nested document cannot exhaust the stack
    stack: list[tuple[Any, str]] = [(value, location)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, Mapping):
            for key, child in reversed(list(item.items())):
                name = shown(str(key))
                path = f"{where}.{name}" if where else name
                if isinstance(key, str) and text_reason(key) is not None:
                    yield path, key
                stack.append((child, path))
        elif isinstance(item, list | tuple):
            stack.extend((child, f"{where}[{i}]") for i, child in reversed(list(enumerate(item))))
