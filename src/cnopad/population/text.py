"""Free text: Dutch note mentions that count, found with clinlp's rule-based context algorithm.

The database pre-selects notes containing a term group's stems (a superset of the matcher), a cheap
text test drops those that cannot hold a term, and Python reads the rest in batches with
``spacy.blank("clinlp")``: the clinlp normalizer, sentencizer, rule-based entity matcher and context
algorithm (its default rules plus the few in note_terms.yaml; no transformer models). A mention counts
only with the qualifiers note_terms.yaml allows. Only (note_id, person_id, note_date, term group) leaves
this module: never the text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa  # type: ignore[import-untyped]

from cnopad.knowledge.casefinding import CaseFinding, casefinding
from cnopad.population.events import TEXT_HIT_SCHEMA
from cnopad.population.progress import Progress, Silent
from cnopad.population.source import Omop


def stems_pattern(kb: CaseFinding, groups: Iterable[str]) -> str:
    """The regular expression (lower-case stems, alternated) that pre-selects notes for these groups."""
    stems = sorted({stem for g in groups for stem in kb.term_group(g).stems})
    return "|".join(stems)


@cache
def pipeline() -> Any:
    """The clinlp pipeline (built once per process): normalizer, sentencizer, term matcher, context algorithm."""
    import clinlp  # noqa: F401 - registers the "clinlp" language and its pipes
    import spacy

    kb = casefinding()
    rules = json.loads(resources.files("clinlp").joinpath("resources/context_rules.json").read_text(encoding="utf-8"))
    for extra in kb.notes.extra_context_rules:
        rule: dict[str, Any] = {
            "qualifier": extra.qualifier,
            "direction": extra.direction,
            "patterns": list(extra.patterns),
        }
        if extra.max_scope is not None:
            rule["max_scope"] = extra.max_scope
        rules["rules"].append(rule)
    nlp = spacy.blank("clinlp")
    nlp.add_pipe("clinlp_normalizer")
    nlp.add_pipe("clinlp_sentencizer")
    matcher: Any = nlp.add_pipe("clinlp_rule_based_entity_matcher", config={"attr": "NORM", "fuzzy": 0})
    matcher.add_terms_from_dict({g.id: [t.term for t in g.terms] for g in kb.notes.groups})
    nlp.add_pipe("clinlp_context_algorithm", config={"phrase_matcher_attr": "NORM", "rules": rules})
    return nlp


@cache
def _term_pieces() -> tuple[tuple[str, ...], ...]:
    """Each term as its normalised alphanumeric pieces ("SAPHO-syndroom" -> ("sapho", "syndroom"))."""
    groups = casefinding().notes.groups
    return tuple(tuple(re.findall(r"[a-z0-9]+", _normalise(t.term))) for g in groups for t in g.terms)


def _normalise(text: str) -> str:
    """clinlp's own token normalisation (casefold, non-ASCII to ASCII), applied to a whole text."""
    from clinlp.normalizer import Normalizer

    return text.casefold() if text.isascii() else str(Normalizer().normalize(text))


def might_mention(text: str) -> bool:
    """A cheap necessary condition for clinlp to match a term: all of one term's pieces occur in the text.

    clinlp matches a term when the normalised tokens of the text equal the term's; each token's
    normalised form is then part of the whole text's normalised form, so a text failing this test can
    hold no match and skips the spaCy pipeline (most pre-selected notes, e.g. "acne vulgaris").
    """
    norm = _normalise(text)
    return any(all(p in norm for p in pieces) for pieces in _term_pieces())


def counted_mentions(texts: Iterable[str], *, batch_size: int = 256) -> Iterator[set[str]]:
    """For each text, the term groups it mentions in a way that counts (present, patient, not hypothetical)."""
    rule = casefinding().notes.counts_when
    allowed = {"Presence": rule.presence, "Experiencer": rule.experiencer, "Temporality": rule.temporality}
    all_texts = list(texts)
    # each distinct text is read once: the pipeline reads each text on its own, so a repeated text (a template,
    # a copied note) has the same mentions every time; template-heavy data then costs the distinct texts only
    distinct = list(dict.fromkeys(all_texts))
    candidates = [t for t in distinct if might_mention(t)]
    found: dict[str, frozenset[str]] = {}
    docs = pipeline().pipe(candidates, batch_size=batch_size)
    for text, doc in zip(candidates, docs, strict=True):
        groups = set()
        for ent in doc.spans.get("ents", ()):
            qualifiers = {q["name"]: q["value"] for q in ent._.qualifiers_dict or ()}
            if all(qualifiers.get(name, "") in values for name, values in allowed.items()):
                groups.add(ent.label_)
        found[text] = frozenset(groups)
    for text in all_texts:
        yield set(found.get(text, ()))


def note_hits(omop: Omop, kb: CaseFinding, groups: Iterable[str], progress: Progress | None = None) -> pa.Table:
    """Counted mentions in the source's notes for these term groups, one row per (note, group)."""
    progress = progress or Silent()
    wanted = sorted(set(groups))
    if not wanted or not omop.has("note"):
        return TEXT_HIT_SCHEMA.empty_table()
    note = omop.tables["note"]
    selected = note.filter(note.note_text.lower().re_search(stems_pattern(kb, wanted))).select(
        "note_id", "person_id", "note_date", "note_text"
    )
    total = int(selected.count().to_pyarrow().as_py())
    progress.stage("Reading notes (clinlp)", total)
    rows: dict[str, list[Any]] = {name: [] for name in TEXT_HIT_SCHEMA.names}
    for batch in _batches(selected):
        texts = [t or "" for t in batch.column("note_text").to_pylist()]
        ids = batch.column("note_id").to_pylist()
        persons = batch.column("person_id").to_pylist()
        dates = batch.column("note_date").to_pylist()
        for i, found in enumerate(counted_mentions(texts)):
            for group in sorted(found & set(wanted)):
                rows["note_id"].append(ids[i])
                rows["person_id"].append(persons[i])
                rows["note_date"].append(dates[i])
                rows["term_group"].append(group)
        progress.advance(len(texts))
    table = pa.table(rows, schema=TEXT_HIT_SCHEMA)
    return table.sort_by([("note_id", "ascending"), ("term_group", "ascending")])


def _batches(expr: ir.Table, size: int = 2000) -> Iterator[pa.RecordBatch]:
    reader = expr.to_pyarrow_batches(chunk_size=size)
    yield from reader
