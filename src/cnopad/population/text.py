"""Free text: Dutch note mentions that count, found with clinlp's rule-based context algorithm.

The database pre-selects notes containing a term group's stems (a superset of the matcher), a cheap
text test drops those that cannot hold a term, and Python reads the rest in batches with
``spacy.blank("clinlp")``: the clinlp normalizer, sentencizer, rule-based entity matcher and context
algorithm (its default rules plus the few in note_terms.yaml; no transformer models). A mention counts
only with the qualifiers note_terms.yaml allows. The same pipeline names body sites and sides of a bone
complaint (note_terms.yaml ``sites``): in a note together with a counted complaint word in the same
sentence, in the text of a coded condition on its own (the code is the complaint). Only (note_id,
person_id, note_date, term group, site) and (table, row_id, site) leave this module: never the text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa  # type: ignore[import-untyped]

from cnopad.knowledge.casefinding import CaseFinding, casefinding
from cnopad.population.cdm import DOMAINS
from cnopad.population.events import ROW_SITE_SCHEMA, TEXT_HIT_SCHEMA
from cnopad.population.progress import Progress, Silent
from cnopad.population.source import Omop


def stems_pattern(kb: CaseFinding, groups: Iterable[str]) -> str:
    """The regular expression (lower-case stems, alternated) that pre-selects notes for these groups."""
    stems = sorted({stem for g in groups for stem in kb.stems(g)})
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
    terms = {g.id: [t.term for t in g.terms] for g in kb.notes.groups}
    sites = kb.notes.sites
    if sites is not None:
        terms[sites.complaint.id] = [t.term for t in sites.complaint.terms]
        terms.update({sites.label(g.site): [t.term for t in g.terms] for g in sites.groups})
    matcher.add_terms_from_dict(terms)
    nlp.add_pipe("clinlp_context_algorithm", config={"phrase_matcher_attr": "NORM", "rules": rules})
    return nlp


@cache
def _term_pieces() -> tuple[tuple[str, ...], ...]:
    """Each term as its normalised alphanumeric pieces ("SAPHO-syndroom" -> ("sapho", "syndroom"))."""
    notes = casefinding().notes
    terms = [t.term for g in notes.groups for t in g.terms]
    if notes.sites is not None:
        terms += [t.term for g in notes.sites.groups for t in g.terms]
    return tuple(tuple(re.findall(r"[a-z0-9]+", _normalise(t))) for t in terms)


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
    # each distinct piece is looked for once (with the site terms there are over a hundred terms, and testing
    # every term's pieces one by one made this cheap test the slowest part of reading notes)
    present = frozenset(p for p in _distinct_pieces() if p in norm)
    return bool(present) and any(pieces <= present for pieces in _term_piece_sets())


@cache
def _distinct_pieces() -> tuple[str, ...]:
    return tuple(sorted({p for pieces in _term_pieces() for p in pieces}))


@cache
def _term_piece_sets() -> tuple[frozenset[str], ...]:
    return tuple(frozenset(pieces) for pieces in _term_pieces() if pieces)


@dataclass(frozen=True)
class Findings:
    """What one text says in a way that counts: term groups, and body sites of a bone complaint."""

    groups: frozenset[str]
    #: ``region`` or ``region_side`` (``leg_lower_left``); both sides give two sites
    sites: frozenset[str]


def counted_mentions(texts: Iterable[str], *, batch_size: int = 256) -> Iterator[set[str]]:
    """For each text, the term groups it mentions in a way that counts (present, patient, not hypothetical)."""
    for found in findings(texts, batch_size=batch_size):
        yield set(found.groups)


def findings(texts: Iterable[str], *, complaint_needed: bool = True, batch_size: int = 256) -> Iterator[Findings]:
    """For each text, the counted term groups and body sites (a site needs a counted complaint word in its
    sentence when ``complaint_needed``: notes; the text of a coded complaint does not)."""
    kb = casefinding()
    rule = kb.notes.counts_when
    allowed = {"Presence": rule.presence, "Experiencer": rule.experiencer, "Temporality": rule.temporality}
    group_ids = {g.id for g in kb.notes.groups}
    all_texts = list(texts)
    # each distinct text is read once: the pipeline reads each text on its own, so a repeated text (a template,
    # a copied note) has the same mentions every time; template-heavy data then costs the distinct texts only
    distinct = list(dict.fromkeys(all_texts))
    candidates = [t for t in distinct if might_mention(t)]
    read: dict[str, Findings] = {}
    docs = pipeline().pipe(candidates, batch_size=batch_size)
    for text, doc in zip(candidates, docs, strict=True):
        counted = [
            ent
            for ent in doc.spans.get("ents", ())
            if all(
                {q["name"]: q["value"] for q in ent._.qualifiers_dict or ()}.get(name, "") in values
                for name, values in allowed.items()
            )
        ]
        groups = frozenset(e.label_ for e in counted if e.label_ in group_ids)
        read[text] = Findings(groups, frozenset(_sites(doc, counted, complaint_needed=complaint_needed)))
    nothing = Findings(frozenset(), frozenset())
    for text in all_texts:
        yield read.get(text, nothing)


def _sites(doc: Any, counted: list[Any], *, complaint_needed: bool) -> Iterator[str]:
    """The sites (with their side) of the counted site mentions, each in a sentence with a counted complaint."""
    sites = casefinding().notes.sites
    if sites is None:
        return
    prefix = sites.id + ":"
    complaint_sentences = {e.sent.start for e in counted if e.label_ == sites.complaint.id}
    side_of = {_normalise(w): side for side, words in sites.sides.items() for w in words}
    for ent in counted:
        if not ent.label_.startswith(prefix):
            continue
        if complaint_needed and ent.sent.start not in complaint_sentences:
            continue
        region = ent.label_[len(prefix) :]
        side = _nearest_side(doc, ent, side_of, sites.side_window)
        if side == "both":
            yield f"{region}_left"
            yield f"{region}_right"
        else:
            yield f"{region}_{side}" if side else region


def _nearest_side(doc: Any, ent: Any, side_of: Mapping[str, str], window: int) -> str | None:
    """The side word nearest to a site mention within ``window`` tokens in its sentence ("both" wins a tie)."""
    sent = ent.sent
    best: tuple[int, int, str] | None = None
    for tok in doc[max(sent.start, ent.start - window) : min(sent.end, ent.end + window)]:
        if ent.start <= tok.i < ent.end or tok.norm_ not in side_of:
            continue
        side = side_of[tok.norm_]
        distance = ent.start - tok.i if tok.i < ent.start else tok.i - ent.end + 1
        key = (distance, 0 if side == "both" else 1, side)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def note_hits(omop: Omop, kb: CaseFinding, groups: Iterable[str], progress: Progress | None = None) -> pa.Table:
    """Counted mentions in the source's notes for these term groups, one row per (note, group, site).

    The body sites (``sites.id`` among the groups) give one row per site with term_group ``sites.id``.
    """
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
        for i, found in enumerate(findings(texts)):
            for group, site in hit_rows(found, kb, wanted):
                rows["note_id"].append(ids[i])
                rows["person_id"].append(persons[i])
                rows["note_date"].append(dates[i])
                rows["term_group"].append(group)
                rows["site"].append(site)
        progress.advance(len(texts))
    table = pa.table(rows, schema=TEXT_HIT_SCHEMA)
    return table.sort_by([("note_id", "ascending"), ("term_group", "ascending"), ("site", "ascending")])


def hit_rows(found: Findings, kb: CaseFinding, wanted: Iterable[str]) -> list[tuple[str, str | None]]:
    """(term group, site) rows of one note's findings for the wanted groups (the body sites as ``sites.id``)."""
    wanted = set(wanted)
    rows: list[tuple[str, str | None]] = [(g, None) for g in sorted(found.groups & wanted)]
    sites = kb.notes.sites
    if sites is not None and sites.id in wanted:
        rows += [(sites.id, site) for site in sorted(found.sites)]
    return rows


def row_sites(omop: Omop, kb: CaseFinding, concept_rows: pa.Table, progress: Progress | None = None) -> pa.Table:
    """Body sites written in the text of the coded rows of signals counted by site, one row per (row, site).

    Only rows whose concept belongs to such a signal (``kb.site_signals()``) and whose text holds a site stem
    are read; the text's sites count without a complaint word (the code is the complaint).
    """
    progress = progress or Silent()
    sites = kb.notes.sites
    out: dict[str, list[Any]] = {name: [] for name in ROW_SITE_SCHEMA.names}
    if sites is None:
        return ROW_SITE_SCHEMA.empty_table()
    wanted = set(kb.site_signals())
    pattern = stems_pattern(kb, [sites.id])
    for table in ("condition_occurrence", "observation"):
        domain = DOMAINS[table]
        if domain.text is None or not omop.has(table):
            continue
        ids = sorted(
            {
                cid
                for t, sig, cid in zip(
                    concept_rows.column("omop_table").to_pylist(),
                    concept_rows.column("signal").to_pylist(),
                    concept_rows.column("concept_id").to_pylist(),
                    strict=True,
                )
                if t == table and sig in wanted
            }
        )
        if not ids:
            continue
        t = omop.tables[table]
        text = t[domain.text]
        selected = t.filter(
            (t[domain.concept].isin(ids) | t[domain.source_concept].isin(ids)) & text.lower().re_search(pattern)
        ).select(row_id=t[domain.row_id], text=text)
        progress.stage(f"Reading {table} text (clinlp)")
        for batch in _batches(selected):
            texts = [x or "" for x in batch.column("text").to_pylist()]
            rids = batch.column("row_id").to_pylist()
            for rid, found in zip(rids, findings(texts, complaint_needed=False), strict=True):
                for site in sorted(found.sites):
                    out["omop_table"].append(table)
                    out["row_id"].append(rid)
                    out["site"].append(site)
    result = pa.table(out, schema=ROW_SITE_SCHEMA)
    return result.sort_by([("omop_table", "ascending"), ("row_id", "ascending"), ("site", "ascending")])


def _batches(expr: ir.Table, size: int = 2000) -> Iterator[pa.RecordBatch]:
    reader = expr.to_pyarrow_batches(chunk_size=size)
    yield from reader
