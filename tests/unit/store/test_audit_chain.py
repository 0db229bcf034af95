"""The audit chain's encoding takes any str: nothing a caller sends can make hashing or storing an event fail."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from cnopad.store.audit_chain import GENESIS, keyed_message, storable, unkeyed_hash

#: every code point, lone surrogates and NUL included (Hypothesis leaves surrogates out by default)
ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300)
AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@given(ANY_TEXT, st.integers(min_value=2, max_value=250))
def test_storable_text_encodes_as_utf8_without_nul_and_fits_its_column(text: str, limit: int) -> None:
    stored = storable(text, limit)
    stored.encode("utf-8")  # raises on a lone surrogate
    assert "\x00" not in stored and len(stored) <= limit


def test_a_lone_surrogate_is_stored_as_a_visible_escape() -> None:
    assert storable("user \ud800 x\x00") == "user \\ud800 x\\x00"
    assert storable("ordinary ünïcode") == "ordinary ünïcode"


@given(st.lists(ANY_TEXT, min_size=7, max_size=7), st.lists(ANY_TEXT, min_size=7, max_size=7))
def test_the_keyed_message_takes_any_text_and_differs_when_any_field_differs(a: list[str], b: list[str]) -> None:
    first = keyed_message("k1", 1, AT, *a, GENESIS)
    second = keyed_message("k1", 1, AT, *b, GENESIS)
    assert (first == second) == (a == b)


def test_text_moved_from_one_field_into_the_next_changes_the_keyed_message() -> None:
    one = keyed_message("k1", 1, AT, "dr\x1fx", "gp", "web", "read", None, "care", "", GENESIS)
    two = keyed_message("k1", 1, AT, "dr", "x\x1fgp", "web", "read", None, "care", "", GENESIS)
    assert one != two


@given(st.lists(ANY_TEXT, min_size=7, max_size=7))
def test_the_unkeyed_hash_of_old_rows_takes_any_text(fields: list[str]) -> None:
    assert len(unkeyed_hash(1, AT, *fields, GENESIS)) == 64


def test_the_unkeyed_hash_is_the_one_old_rows_were_written_with() -> None:
    parts = ["7", AT.isoformat(), "dr-jansen", "gp", "web", "read", "p1", "care", "n=1", GENESIS]
    old = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    assert unkeyed_hash(7, AT, "dr-jansen", "gp", "web", "read", "p1", "care", "n=1", GENESIS) == old
