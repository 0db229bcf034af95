"""The fast path of the report-text reader reads exactly what a full clinlp pass over the same lines reads.

The fast path (``read_text``) leaves out lines without a stem of any term, skips the context algorithm in
sentences where no context rule can start, and uses cheaper versions of clinlp's sentencizer, entity
matcher and context algorithm (``report_clinlp``). The full pass runs clinlp's own components over every
line of the read sections. The findings, their qualifiers (negation "geen", hedges "verdenking",
"mogelijk", "?", history "eerder", "bekende"), the lesion count, the bones and the sentences they came
from must be the same, also with cues in an earlier clause of the same sentence or on a neighbouring
line (only the raw mentions of terms on a left-out line may be missing). Every report text here is
synthetic, generated for this test.
"""

from __future__ import annotations

import os
import random
import re
import sys
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cnopad.fhir.report_meaning import TextFindings, interpret
from cnopad.fhir.report_nlp import _prefix_tree, pipeline, read_text, section_text
from cnopad.knowledge.report_terms import ReportKind, report_terms
from conftest import ROOT


def what_is_read(read: TextFindings) -> TextFindings:
    """What a reading gives the record: the raw ``mentions`` (for diagnosis) may lack terms no finding uses."""
    return replace(read, mentions=())


def full_pass(text: str, kind: ReportKind) -> TextFindings:
    """Every read line through clinlp's own pipeline: no pre-selection, no shortcut, clinlp's scopes."""
    lines = section_text(text)
    if not lines:
        return TextFindings()
    return interpret(pipeline(shortcut=False, lean=False)(lines), kind, report_terms())


def _bench_reports() -> list[str]:
    sys.path.insert(0, str(ROOT / "bench"))
    from report_text import synthetic_reports  # type: ignore[import-not-found]

    return synthetic_reports(120, random.Random(29))


_REPORTS = _bench_reports()
#: generated reports per run; FASTPATH_EXAMPLES=4000 for a longer search (4000 passed on 2026-11-30)
_EXAMPLES = int(os.environ.get("FASTPATH_EXAMPLES", "400"))


@pytest.mark.parametrize("index", range(len(_REPORTS)))
def test_each_benchmark_report_reads_the_same_on_the_fast_path_as_in_a_full_pass(index: int) -> None:
    text = _REPORTS[index]
    for kind in ("imaging", "biopsy"):
        fast = read_text(text, kind)
        assert what_is_read(fast) == what_is_read(full_pass(text, kind)), text
        if fast.findings:
            assert fast.sentences


# ------------------------------------------------------------------------------------- generated reports
_TERMS = report_terms()
_FINDING_WORDS = sorted({t for g in _TERMS.groups for t in g.terms} | {t for s in _TERMS.sites for t in s.terms})
_CUES = [
    "geen",
    "geen aanwijzingen voor",
    "verdenking op",
    "mogelijk",
    "eerder",
    "eerder beschreven",
    "bekende",
    "niet uit te sluiten",
    "no",
    "no evidence of",
    "suspected",
    "possible",
    "previously",
    "known",
    "?",
    "dd",
    "behalve",
    "except",
    "in 2019",
    "sinds 2020",
    "vader",
    "links",
    "rechts",
    "beiderzijds",
    "twee",
    "3",
]
_FILLER = ["in de", "van het", "met", "en", "of", "wel", "verder", "the", "and", "or", "with", "of the", "is", "zijn"]
_PUNCT = [",", ".", ";", ":", "?", "-", "(", ")", "•", "/"]
_word = st.one_of(
    st.sampled_from(_FINDING_WORDS), st.sampled_from(_CUES), st.sampled_from(_FILLER), st.sampled_from(_PUNCT)
)
_line = st.lists(_word, min_size=1, max_size=9).map(" ".join)
_label = st.sampled_from(["", "", "", "Conclusie: ", "Verslag: ", "Vraagstelling: ", "Impression: ", "Techniek: "])
_report = st.lists(st.tuples(_label, _line).map("".join), min_size=1, max_size=7).map("\n".join)


@settings(
    max_examples=_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(_report, st.sampled_from(["imaging", "biopsy"]))
@example("Osteolyse tibia\n?", "imaging")  # a question mark on its own line hedges the line before it
@example("Geen osteolyse\nverder\n? sclerose", "imaging")
@example("Sclerose van de tibia\n, geen", "imaging")
def test_a_generated_report_reads_the_same_on_the_fast_path_as_in_a_full_pass(text: str, kind: Any) -> None:
    assert what_is_read(read_text(text, kind)) == what_is_read(full_pass(text, kind)), text


_letters = st.text(alphabet="abelostr", min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(st.sets(_letters, min_size=1, max_size=12), st.text(alphabet="abelostr .", max_size=40))
def test_the_stem_tree_finds_a_stem_exactly_where_a_plain_alternation_of_the_stems_does(
    words: set[str], line: str
) -> None:
    plain = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    assert bool(re.search(_prefix_tree(words), line)) == bool(plain.search(line))
