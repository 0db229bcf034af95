"""cnopad's own steps in the report-text pipeline, for speed: a faster normalizer with a token scanner.

``normalise_and_scan`` gives every token exactly the ``norm_`` clinlp's normalizer gives (casefold,
each non-ASCII character to its ASCII base when it has one; a test compares the two) but skips the
per-character work for ASCII text and caches per word; in the same pass it finds what spaCy's token
Matcher would find slowly: bones named as the start of a compound ("tibiametafyse") and lesion counts
("drie kleine laesies"). ``keep_distinct`` drops matches inside longer ones of the same kind. Neither
imports spaCy at module level: they run inside the pipeline ``report_nlp`` builds.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from cnopad.knowledge.report_terms import report_terms


@lru_cache(maxsize=65_536)
def normalise_word(text: str) -> str:
    """clinlp's token normalisation (``Normalizer.normalize``), with an ASCII fast path."""
    lowered = text.casefold()
    if lowered.isascii():
        return lowered
    return "".join(c if c.isascii() else _ascii_base(c) for c in lowered)


def _ascii_base(char: str) -> str:
    mapped = unicodedata.normalize("NFD", char).encode("ascii", "ignore").decode("ascii")
    return mapped or char


@dataclass(frozen=True, slots=True)
class _ScanTables:
    prefixes: tuple[tuple[str, str], ...]  # (prefix, site label), longest first
    starts: tuple[str, ...]
    numbers: frozenset[str]
    nouns: frozenset[str]
    not_between: frozenset[str]


@cache
def _tables() -> _ScanTables:
    terms = report_terms()
    prefixes = sorted(
        ((p, f"site:{i}") for i, s in enumerate(terms.sites) for p in s.prefixes), key=lambda x: -len(x[0])
    )
    counting = terms.lesion_count
    return _ScanTables(
        prefixes=tuple(prefixes),
        starts=tuple(p for p, _ in prefixes),
        numbers=frozenset([*counting.numbers, *(str(n) for n in range(1, counting.max_digits + 1))]),
        nouns=frozenset(noun.split()[-1] for noun in counting.nouns),
        not_between=frozenset(counting.not_between),
    )


def normalise_and_scan(doc: Any) -> Any:
    """Set every token's ``norm_`` as clinlp's normalizer does, and add the matches of ``scan``, in one pass.

    Runs before clinlp's entity matcher, which keeps the matches found here and adds its own.
    """
    from spacy.tokens import Span

    t = _tables()
    found = list(doc.spans.get("ents", ()))
    n = len(doc)
    for token in doc:
        norm = token.norm_ = normalise_word(token.text)
        if t.starts and norm.startswith(t.starts):
            label = next(label for prefix, label in t.prefixes if norm.startswith(prefix))
            found.append(Span(doc, token.i, token.i + 1, label=label))
        if token.lower_ in t.numbers:
            for j in range(token.i + 1, min(n, token.i + 4)):
                nxt = doc[j]
                if normalise_word(nxt.text) in t.nouns:
                    found.append(Span(doc, token.i, j + 1, label="count"))
                    break
                if j == token.i + 3 or not nxt.is_alpha or nxt.lower_ in t.not_between:
                    break
    doc.spans["ents"] = found
    return doc


def _both_bones(a: str, b: str) -> bool:
    return a.startswith("site:") and b.startswith("site:")


def keep_distinct(doc: Any) -> Any:
    """Drop a match inside a longer one of the same label (a bone inside a longer bone: "rib" in "eerste rib"),
    a bare lesion word inside any match, and twins."""
    ents = list(doc.spans.get("ents", ()))
    keys = [(ent.start, ent.end, ent.label_) for ent in ents]  # a Span's attributes cost a call each
    kept: list[Any] = []
    seen: set[tuple[int, int, str]] = set()
    for ent, key in zip(ents, keys, strict=True):
        start, end, label = key
        inside = any(
            o_start <= start
            and end <= o_end
            and (o_end - o_start) > (end - start)
            and (o_label == label or label == "g:lesion" or _both_bones(o_label, label))
            for o_start, o_end, o_label in keys
        )
        if not inside and key not in seen:
            seen.add(key)
            kept.append(ent)
    kept.sort(key=lambda e: (e.start, e.end))
    doc.spans["ents"] = kept
    return doc


# ---------------------------------------------------------------------------------------------- context shortcut
_PLAIN = "cnopad_plain_ents"


_PIECES = re.compile(r"[a-z]+|[0-9]+|[^\sa-z0-9]")


@dataclass(frozen=True, slots=True)
class Triggers:
    """Where a context rule could start a qualifier's scope: phrases (as pieces) and regexes.

    Built from the rules that qualify (preceding, following, bidirectional; not pseudo or termination):
    their phrases, and for a token pattern its most specific required token. ``found_in`` may find more
    than clinlp would match, never less, so a sentence it finds nothing in keeps every default qualifier.
    """

    phrases: dict[str, tuple[tuple[str, ...], ...]]  # first piece -> the phrases starting with it
    regex: re.Pattern[str] | None
    always: bool = False

    def found_in(self, text: str) -> bool:
        """True when a rule might match in this (normalised) text."""
        if self.always:
            return True
        pieces = _PIECES.findall(text)
        for i, piece in enumerate(pieces):
            for phrase in self.phrases.get(piece, ()):
                if tuple(pieces[i : i + len(phrase)]) == phrase:
                    return True
        return self.regex is not None and self.regex.search(text) is not None


def triggers(rules: dict[str, Any]) -> Triggers:
    """The :class:`Triggers` of a set of clinlp context rules."""
    phrases: dict[str, set[tuple[str, ...]]] = {}
    regexes: list[str] = []
    always = False

    def add(phrase: str) -> None:
        pieces = tuple(_PIECES.findall(phrase.lower()))
        if pieces:
            phrases.setdefault(pieces[0], set()).add(pieces)

    for rule in rules["rules"]:
        if rule["direction"] in ("pseudo", "termination"):
            continue
        for pattern in rule["patterns"]:
            if isinstance(pattern, str):
                add(pattern)
                continue
            spec = _most_specific(pattern)
            if spec is None:
                always = True
            elif isinstance(spec, str):
                regexes.append(spec)
            else:
                for word in spec:
                    add(word)
    return Triggers(
        phrases={k: tuple(v) for k, v in phrases.items()},
        regex=re.compile("|".join(f"(?:{r})" for r in regexes)) if regexes else None,
        always=always,
    )


def _most_specific(pattern: list[dict[str, Any]]) -> str | list[str] | None:
    """A token pattern's most specific required token: a regex, or its words; None when not understood."""
    best: str | list[str] | None = None
    best_rank = -1
    for spec in (s for s in pattern if s.get("OP") not in ("?", "*")):
        for key, value in spec.items():
            if key not in ("LOWER", "TEXT", "NORM", "ORTH"):
                continue
            if isinstance(value, str):
                candidate: str | list[str] = [value]
                rank = len(value)
            elif isinstance(value, dict) and "REGEX" in value:
                candidate, rank = str(value["REGEX"]).removeprefix("^").removesuffix("$"), 100
            elif isinstance(value, dict) and "IN" in value:
                candidate = [str(w) for w in value["IN"]]
                rank = min(map(len, candidate))
            else:
                continue
            if rank > best_rank:
                best, best_rank = candidate, rank
    return best


def hide_plain_sentences(doc: Any) -> Any:
    """Before the context algorithm: set aside the matches of sentences in which no context rule can apply."""
    ents = list(doc.spans.get("ents", ()))
    if not ents:
        return doc
    found = _triggers()
    sentences = list(doc.sents)
    starts = [s.start for s in sentences]
    verdict: dict[int, bool] = {}
    kept: list[Any] = []
    plain: list[Any] = []
    for ent in ents:
        sentence = sentences[bisect_right(starts, ent.start) - 1]
        if sentence.start not in verdict:
            verdict[sentence.start] = found.found_in(normalise_word(sentence.text))
        (kept if verdict[sentence.start] else plain).append(ent)
    if plain:
        doc.spans["ents"] = kept
        doc.user_data[_PLAIN] = plain
    return doc


def restore_plain_sentences(doc: Any) -> Any:
    """After the context algorithm: bring back the matches set aside (they keep the default qualifiers)."""
    plain = doc.user_data.pop(_PLAIN, None)
    if plain:
        doc.spans["ents"] = sorted([*doc.spans.get("ents", ()), *plain], key=lambda e: (e.start, e.end))
    return doc


@cache
def _triggers() -> Triggers:
    from cnopad.fhir.report_nlp import context_rules

    return triggers(context_rules(report_terms()))
