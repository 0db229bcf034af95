"""Dutch note mentions count only when present in the patient and not hypothetical (clinlp, rule-based)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cnopad.knowledge.casefinding import casefinding
from cnopad.population.text import counted_mentions, findings, might_mention, pipeline, stems_pattern

CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "cases" / "notes.yaml").read_text("utf-8"))
GROUPS = [g.id for g in casefinding().notes.groups]


@pytest.mark.parametrize("case", CASES, ids=[c["text"] for c in CASES])
def test_note_case(case: dict[str, Any]) -> None:
    (found,) = counted_mentions([case["text"]])
    if case.get("known_failure"):
        pytest.xfail(case["known_failure"])
    assert found == set(case["counts"])


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def test_every_term_contains_a_stem_of_its_group_so_pre_selection_never_drops_a_note() -> None:
    missing = [
        (g.id, t.term)
        for g in casefinding().notes.groups
        for t in g.terms
        if not any(s in _plain(t.term) for s in g.stems)
    ]
    assert missing == []


WORDS = st.sampled_from(
    ["pijn", "links", "sinds", "kind", "controle", "zwelling", "geen", "bij", "de", "huid", "borst"]
)
TERMS = st.sampled_from([t.term for g in casefinding().notes.groups for t in g.terms])


@settings(max_examples=60, deadline=None)
@given(before=st.lists(WORDS, max_size=6), term=TERMS, after=st.lists(WORDS, max_size=6), shout=st.booleans())
def test_a_note_clinlp_counts_is_always_pre_selected_by_the_database_stems(
    before: list[str], term: str, after: list[str], shout: bool
) -> None:
    text = " ".join([*before, term.upper() if shout else term, *after]) + "."
    (found,) = counted_mentions([text])
    if found:
        assert re.search(stems_pattern(casefinding(), GROUPS), text.lower())


PUNCT = st.sampled_from([" ", ", ", ". ", " - ", "/", ": ", "\n", " (", ") "])


@settings(max_examples=80, deadline=None)
@given(
    before=st.lists(WORDS, max_size=4), term=TERMS, after=st.lists(WORDS, max_size=4), sep=PUNCT, shout=st.booleans()
)
def test_the_cheap_text_test_never_drops_a_note_clinlp_would_count(
    before: list[str], term: str, after: list[str], sep: str, shout: bool
) -> None:
    spelled = term.replace("-", " - ") if sep == " - " else term
    text = sep.join([*before, spelled.upper() if shout else spelled, *after])
    if pipeline_counts(text):
        assert might_mention(text)


def pipeline_counts(text: str) -> bool:
    """What clinlp alone finds, without the cheap pre-test."""
    return any(True for doc in pipeline().pipe([text]) for _ in doc.spans.get("ents", ()))


def test_acne_vulgaris_is_pre_selected_by_its_stem_but_skips_clinlp() -> None:
    text = "Acne vulgaris op het gelaat."
    assert re.search(stems_pattern(casefinding(), GROUPS), text.lower())
    assert not might_mention(text)


SITE_CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "cases" / "sites.yaml").read_text("utf-8"))


@pytest.mark.parametrize("case", SITE_CASES, ids=[c["text"] for c in SITE_CASES])
def test_site_case(case: dict[str, Any]) -> None:
    (found,) = findings([case["text"]], complaint_needed=not case.get("condition_text", False))
    if case.get("known_failure"):
        pytest.xfail(case["known_failure"])
    assert found.sites == set(case["sites"])


def test_a_site_in_a_note_needs_a_complaint_word_in_its_sentence_but_the_text_of_a_coded_condition_does_not() -> None:
    note, condition = (next(findings(["Tibia links."], complaint_needed=needed)) for needed in (True, False))
    assert (note.sites, condition.sites) == (frozenset(), {"leg_lower_left"})


def test_every_site_term_contains_a_stem_of_its_group_so_pre_selection_never_drops_a_text() -> None:
    sites = casefinding().notes.sites
    assert sites is not None
    groups = [*sites.groups, sites.complaint]
    missing = [(g.stems, t.term) for g in groups for t in g.terms if not any(s in _plain(t.term) for s in g.stems)]
    assert missing == []


def test_site_names_from_text_are_the_names_of_the_code_site_axis_or_begin_with_them() -> None:
    """Text and codes must name places alike, or a coded and a written place would count twice."""
    kb = casefinding()
    assert kb.notes.sites is not None
    axis = {name for a in kb.score.site_axes for name in a.sites.values()}
    icpc = {c.site for s in kb.score.signals for src in s.sources for c in src.codes if c.site}
    known = axis | icpc
    strange = [g.site for g in kb.notes.sites.groups if not any(g.site.startswith(k) for k in known)]
    assert strange == []


def test_repeated_notes_each_get_their_own_mentions_in_the_order_given() -> None:
    # each distinct text is read once (the speed of template-heavy data); every copy must still get its result
    texts = [c["text"] for c in CASES if not c.get("known_failure")]
    one_by_one = [next(iter(counted_mentions([t]))) for t in texts]
    mixed = [*texts, *reversed(texts), texts[0]]
    assert list(counted_mentions(mixed)) == [*one_by_one, *reversed(one_by_one), one_by_one[0]]
    assert any(one_by_one) and not all(one_by_one)
