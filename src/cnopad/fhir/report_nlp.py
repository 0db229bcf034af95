"""Reading report text with clinlp: findings, lesion count and bones, each qualified by the context algorithm.

The pipeline is ``spacy.blank("clinlp")`` with the clinlp normalizer, sentencizer, rule-based entity
matcher and context algorithm (its default rules changed as ``report_terms.yaml`` says; no transformer
models; the last three as the leaner subclasses of ``report_clinlp``), built once per process on first
use or by :func:`warm`. Before clinlp runs, a report is cut into sections, and only the lines of read
sections that contain a stem of some term go to the pipeline, each with the lines that continue its
sentence: a line without one can hold no match, and the context algorithm never looks across a
sentence. Results are cached per text (an LRU keyed by a hash of the text, :data:`CACHE_SIZE` entries).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from functools import cache
from importlib import resources
from typing import Any

from cnopad.errors import KnowledgeBaseError
from cnopad.fhir import report_pipes
from cnopad.fhir.report_meaning import TextFindings, fold, interpret
from cnopad.knowledge.report_terms import ReportKind, ReportTerms, report_terms

#: how many report texts the cache keeps (per process; each entry holds a few sentences)
CACHE_SIZE = 2048
_LABEL = re.compile(r"\s*([^\W\d_][^:\n]{0,40}?)\s*:")


# ---------------------------------------------------------------------------------------------- pipeline
def context_rules(terms: ReportTerms) -> dict[str, Any]:
    """clinlp's default context rules with the changes of ``report_terms.yaml`` (dropped and added patterns)."""
    raw = resources.files("clinlp").joinpath("resources/context_rules.json").read_text(encoding="utf-8")
    rules: dict[str, Any] = json.loads(raw)
    dropped = {d.qualifier for d in terms.context.drop_default_qualifiers}
    rules["qualifiers"] = [q for q in rules["qualifiers"] if q["name"] not in dropped]
    rules["rules"] = [r for r in rules["rules"] if r["qualifier"].split(".")[0] not in dropped]
    for drop in terms.context.drop_default_patterns:
        matched = [r for r in rules["rules"] if r["qualifier"] == drop.qualifier and r["direction"] == drop.direction]
        known = {p for r in matched for p in r["patterns"] if isinstance(p, str)}
        missing = sorted(set(drop.patterns) - known)
        if missing:
            msg = (
                f"knowledge/report_terms.yaml: context.drop_default_patterns: clinlp has no "
                f"{drop.qualifier} {drop.direction} pattern {missing}"
            )
            raise KnowledgeBaseError(msg)
        for default in matched:
            default["patterns"] = [p for p in default["patterns"] if not (isinstance(p, str) and p in drop.patterns)]
    rules["rules"] = [r for r in rules["rules"] if r["patterns"]]
    for extra in terms.context.extra_rules:
        rule: dict[str, Any] = {
            "qualifier": extra.qualifier,
            "direction": extra.direction,
            "patterns": list(extra.patterns),
        }
        if extra.max_scope is not None:
            rule["max_scope"] = extra.max_scope
        rules["rules"].append(rule)
    return rules


def matcher_terms(terms: ReportTerms) -> dict[str, list[Any]]:
    """The phrase matcher's terms by label: ``g:<group>``, ``site:<n>`` and ``count:<n>``.

    Bones named by a compound's start and counts with a number are found by ``report_pipes.scan_tokens``.
    """
    from clinlp.ie import Term  # a pseudo term must be a Term: clinlp ignores ``pseudo`` in a dict

    out: dict[str, list[Any]] = {}
    for group in terms.groups:
        out[f"g:{group.id}"] = [*group.terms, *(Term(p, pseudo=True) for p in group.pseudo)]
    for index, site in enumerate(terms.sites):
        out[f"site:{index}"] = list(site.terms)
    for words in terms.lesion_count.words:
        out.setdefault(f"count:{words.count}", []).extend(words.terms)
    return out


_OWN_PIPES = {
    "cnopad_normalise_and_scan": report_pipes.normalise_and_scan,
    "cnopad_keep_distinct": report_pipes.keep_distinct,
    "cnopad_hide_plain_sentences": report_pipes.hide_plain_sentences,
    "cnopad_restore_plain_sentences": report_pipes.restore_plain_sentences,
}


@cache
def pipeline(*, shortcut: bool = True, lean: bool = True) -> Any:
    """The clinlp pipeline for report text (built once per process; importing spaCy takes a second or two).

    clinlp's normalizer is replaced by ``report_pipes.normalise_and_scan``, which gives the same ``norm_``
    faster; the sentencizer, entity matcher and context algorithm are clinlp's. With ``shortcut`` (the
    default) the context algorithm skips sentences in which none of its rules can start a scope; their
    matches keep the default qualifiers (present, now), exactly what it would have given them. Tests
    compare the two. With ``lean`` (the default) the sentencizer, entity matcher and context algorithm are
    clinlp's with a few methods replaced by cheaper ones that compute the same (``report_clinlp``); tests
    compare them with clinlp's own.
    """
    import clinlp  # noqa: F401 - registers the "clinlp" language and its pipes
    import spacy
    from spacy.language import Language

    for name, func in _OWN_PIPES.items():
        if not Language.has_factory(name):
            Language.component(name, func=func)
    terms = report_terms()
    nlp = spacy.blank("clinlp")
    nlp.add_pipe("cnopad_normalise_and_scan")
    if lean:
        from cnopad.fhir import report_clinlp  # noqa: F401 - registers the "cnopad_..." clinlp components
    own = "cnopad" if lean else "clinlp"
    nlp.add_pipe(f"{own}_sentencizer")
    matcher: Any = nlp.add_pipe(f"{own}_rule_based_entity_matcher", config={"attr": "NORM", "fuzzy": 0})
    for label, items in matcher_terms(terms).items():
        matcher.add_terms(label, items)
    nlp.add_pipe("cnopad_keep_distinct")
    if shortcut:
        nlp.add_pipe("cnopad_hide_plain_sentences")
    nlp.add_pipe(f"{own}_context_algorithm", config={"phrase_matcher_attr": "NORM", "rules": context_rules(terms)})
    if shortcut:
        nlp.add_pipe("cnopad_restore_plain_sentences")
    return nlp


def warm() -> None:
    """Build the pipeline now (at start-up) instead of on the first report, and read one sentence through it."""
    read_text("Geen osteolyse.", "imaging")


# ---------------------------------------------------------------------------------------------- selection
@cache
def _stems(kind: ReportKind) -> re.Pattern[str]:
    """A regex matching (in folded text) one piece of every term a report of this kind is read for."""
    terms = report_terms()
    phrases = [t for g in terms.groups_for(kind) for t in g.terms]
    phrases += [*terms.lesion_count.nouns, *(w for words in terms.lesion_count.words for w in words.terms)]
    if kind == "biopsy":
        phrases += [t for s in terms.sites for t in (*s.terms, *s.prefixes)]
    pieces = {max(re.findall(r"[a-z0-9]+", fold(p)), key=len) for p in phrases}
    return re.compile(_prefix_tree(pieces))


def _prefix_tree(words: set[str]) -> str:
    """A regex that finds where one of ``words`` occurs, with shared beginnings written once.

    A plain alternation of ~200 words makes the regex engine try every word at every position of a
    report; written as a tree it tries one branch per letter. Only whether a word occurs matters, so a
    word that continues another ("laesies" after "laesie") is left out: where it occurs, so does the other.
    """
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict[str, Any]) -> str:
        if "" in node:
            return ""
        branches = [re.escape(char) + render(child) for char, child in sorted(node.items())]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return render(tree)


def _sections(text: str, terms: ReportTerms) -> list[str]:
    """The lines of the sections that are read (a known label at a line's start switches sections)."""
    read, skip = set(terms.sections.read), set(terms.sections.skip)
    reading, kept = True, []
    for line in text.splitlines():
        match = _LABEL.match(line)
        if match:
            label = fold(match.group(1)).strip()
            reading = False if label in skip else True if label in read else reading
        if reading and line.strip():
            kept.append(line)
    return kept


def section_text(text: str) -> str:
    """All lines of the read sections, stripped, one per line: what a full pass without pre-selection reads."""
    return "\n".join(line.strip() for line in _sections(text, report_terms()))


def _starts_sentence(line: str) -> bool:
    """True when clinlp's sentencizer surely starts a sentence at this (stripped) line after a line break.

    It starts one at the first token after a line break that begins with a letter, a digit or ``[``
    (or is one of ``- * (``); any other first token (``?``, ``,``, ``•``, a quote) still belongs to the
    sentence before. Only the sure cases count here: a line in doubt is kept with the line before it.
    """
    return line[:1].isalnum() or line[:1] == "["


def candidate_text(text: str, kind: ReportKind) -> str:
    """The lines of a report worth reading: in a read section, in a run of lines holding a stem of some term.

    A line break ends a sentence for clinlp's sentencizer when the next line starts with a word, and the
    context algorithm never looks across sentences. A line that starts with anything else ("? sclerose",
    ", geen") continues the sentence before it, so it is kept or left out together with that line: a "?"
    on its own line hedges the finding above it exactly as in a pass over every line. Leaving out a run
    without a stem therefore changes nothing about the runs kept (tests compare the two).
    """
    stems = _stems(kind)
    runs: list[list[str]] = []
    for line in _sections(text, report_terms()):
        stripped = line.strip()
        if runs and not _starts_sentence(stripped):
            runs[-1].append(stripped)
        else:
            runs.append([stripped])
    return "\n".join(line for run in runs if stems.search(fold("\n".join(run))) for line in run)


# ---------------------------------------------------------------------------------------------- reading
_cache: OrderedDict[tuple[bytes, str], TextFindings] = OrderedDict()
_cache_lock = threading.Lock()
_nlp_lock = threading.Lock()


def read_text(text: str, kind: ReportKind) -> TextFindings:
    """What a report text says (cached per text): see :class:`TextFindings`."""
    key = (hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest(), kind)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    candidate = candidate_text(text, kind)
    result = TextFindings()
    if candidate:
        with _nlp_lock:  # one spaCy pipeline per process; the GIL serialises it anyway
            doc = pipeline()(candidate)
        result = interpret(doc, kind, report_terms())
    with _cache_lock:
        _cache[key] = result
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def clear_cache() -> None:
    """Forget every cached reading (for the benchmark and tests)."""
    with _cache_lock:
        _cache.clear()
