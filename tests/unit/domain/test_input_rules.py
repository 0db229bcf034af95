"""The input rules every surface shares: the plausible date range, what counts as text, and safe echoing."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnopad.domain import input_rules
from cnopad.errors import InputError

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("value", "past", "ok"),
    [
        (date(1900, 1, 1), False, True),
        (date(1899, 12, 31), False, False),
        (date(1, 1, 1), False, False),
        (date(2036, 11, 23), False, True),
        (date(2036, 11, 24), False, False),
        (date(9999, 12, 31), False, False),
        (TODAY, True, True),
        (date(2026, 11, 24), True, False),
    ],
)
def test_a_date_is_plausible_from_1900_to_ten_years_ahead_or_today_for_past_dates(
    value: date, past: bool, ok: bool
) -> None:
    assert (input_rules.date_reason(value, today=TODAY, past=past) is None) is ok


def test_the_horizon_of_29_february_is_28_february_ten_years_on() -> None:
    assert input_rules.latest_date(date(2028, 2, 29)) == date(2038, 2, 28)


def test_an_implausible_date_is_an_input_error_naming_the_location() -> None:
    with pytest.raises(InputError) as caught:
        input_rules.check_date("query.as_of", date(1, 1, 1), today=TODAY)
    assert caught.value.location == "query.as_of"
    assert "1900-01-01" in caught.value.reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Jan de Vries", None),
        ("regel 1\nregel 2\tmet tab", None),
        ("a\ud800b", "not valid Unicode (a lone surrogate)"),
        ("a\x00b", "contains control characters"),
        ("a\x1b[31m", "contains control characters"),
        ("a\x7f", "contains control characters"),
    ],
)
def test_text_must_be_valid_unicode_without_control_characters(text: str, reason: str | None) -> None:
    assert input_rules.text_reason(text) == reason


def test_a_replacement_character_is_refused_only_in_typed_text() -> None:
    assert input_rules.text_reason("fietsen \ufffd") is None
    assert input_rules.text_reason("fietsen \ufffd", typed=True) == "not valid UTF-8"


def test_a_line_break_is_refused_in_one_line_text() -> None:
    assert input_rules.text_reason("a\nb", multiline=False) == "contains control characters"


def test_the_first_bad_string_in_a_json_document_is_named_by_its_path() -> None:
    data = {"entry": [{"resource": {"name": [{"text": "ok"}, {"family": "x\ud800"}]}}]}
    assert input_rules.bad_text(data, "Bundle") == (
        "Bundle.entry[0].resource.name[1].family",
        "not valid Unicode (a lone surrogate)",
    )


def test_a_bad_key_is_named_escaped() -> None:
    location, _ = input_rules.bad_text({"a\x00": 1}, "context") or ("", "")
    assert location == "context.a\\x00"
    assert location.encode("utf-8")


def test_a_deeply_nested_document_is_walked_without_recursion() -> None:
    data: object = "x\ud800"
    for _ in range(100_000):
        data = [data]
    found = input_rules.bad_text(data, "d")
    assert found is not None and found[0].endswith("[0]")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=())))
def test_checking_and_echoing_any_string_never_fails_and_the_echo_encodes_as_utf8(text: str) -> None:
    input_rules.text_reason(text, max_length=10, typed=True)
    shown = input_rules.shown(text)
    shown.encode("utf-8")
    assert input_rules.text_reason(shown) is None


# ---------------------------------------------------------------------------------- the fast path over raw JSON
# every code point, lone surrogates included, with the characters that matter drawn far more often than chance
_json_text = st.text(
    alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
    | st.sampled_from(["\x00", "\x08", "\x0c", "\x1f", "\x7f", "\ud800", "\udfff", "\\", "u", "ë", "\n"])
)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | _json_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_json_text, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(value=_json_values, ascii_only=st.booleans())
def test_bytes_called_clean_never_hide_text_the_full_check_refuses(value: object, ascii_only: bool) -> None:
    # a CDS call skips the string-by-string check when the bytes look clean: that must never let refused text in
    raw = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    if input_rules.json_bytes_clean(raw):
        assert input_rules.bad_text(json.loads(raw), "") is None


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("Zoë heeft pijn in de linker clavicula", True),  # a Dutch letter, raw or escaped as \u00eb, is fine
        ("regel 1\nregel 2\tmet tab", True),
        ("nul\x00teken", False),
        ("del\x7fteken", False),
        ("bel\x07", False),
        ("los \ud800 surrogaat", False),
    ],
)
def test_raw_json_bytes_are_called_clean_only_without_refused_text(text: str, clean: bool) -> None:
    for ascii_only in (True, False):
        raw = json.dumps({"note": text}, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
        assert input_rules.json_bytes_clean(raw) is clean
