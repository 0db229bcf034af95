"""Resolve the score's concept sets in the data's own vocabulary tables, and say what could not be resolved.

Codes are looked up in ``concept`` by (vocabulary_id, concept_code) - ICD codes without the dot, ATC and
ICPC in upper case - and, for sources with ``descendants``, extended to their descendants through
``concept_ancestor`` (ATC class -> RxNorm ingredients -> clinical drugs). The value sets' RxNorm ingredient
codes give the drug classes where the vocabulary has no ATC. Nothing uses an OMOP integer id from outside the data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import pyarrow as pa  # type: ignore[import-untyped]

from cnopad.knowledge.casefinding import CaseFinding, CodeSpec, Feature, SignalSource, normalise
from cnopad.population.source import Omop

_ICD = ("ICD10", "ICD10CM")
_UPPER = ("ATC", "ICPC2")


@dataclass(frozen=True)
class SignalStatus:
    """How far one signal resolved in this data."""

    signal: str
    concepts: int
    text: bool
    missing_vocabularies: tuple[str, ...]
    codes_not_found: tuple[str, ...]
    unusable_tables: tuple[str, ...]
    units: int
    negatives: int

    @property
    def resolved(self) -> bool:
        """True when at least one concept or the note text can produce events."""
        return self.concepts > 0 or self.text


@dataclass(frozen=True)
class FeatureStatus:
    """A feature's resolution: resolved, partial (some vocabularies or tables missing) or unresolved."""

    feature: str
    status: str
    reason: str


@dataclass
class Resolution:
    """The concept map to join events on, plus what resolved and what did not."""

    concept_rows: pa.Table
    units: dict[str, dict[int, float]]
    negatives: dict[str, tuple[int, ...]]
    note_groups: dict[str, tuple[str, ...]]
    signals: dict[str, SignalStatus]
    features: dict[str, FeatureStatus] = field(default_factory=dict)
    #: (term group, signal) pairs whose note mentions stand for a negative result (e.g. "kweek negatief")
    note_negative: frozenset[tuple[str, str]] = frozenset()

    def fired_possible(self, feature_id: str) -> bool:
        """True when the feature can fire in this data (resolved or partial)."""
        return self.features[feature_id].status != "unresolved"


@dataclass
class _Lookup:
    present: set[str]
    by_code: dict[tuple[str, str], list[int]]

    def code_of(self) -> dict[int, tuple[str, str]]:
        """Concept id -> (vocabulary, normalised code) of every concept fetched."""
        return {cid: key for key, ids in self.by_code.items() for cid in ids}

    def match(self, spec: CodeSpec) -> list[int]:
        norm = spec.normalised
        if spec.match == "exact":
            return list(self.by_code.get((spec.vocabulary_id, norm), ()))
        return [
            cid for (v, c), ids in self.by_code.items() if v == spec.vocabulary_id and c.startswith(norm) for cid in ids
        ]


def resolve(omop: Omop, kb: CaseFinding) -> Resolution:
    """Resolve every signal of the score against the source's concept and concept_ancestor tables."""
    specs = _all_specs(kb)
    lookup = _lookup(omop.tables["concept"], specs)
    rows: list[tuple[str, str, int, str | None]] = []
    units: dict[str, dict[int, float]] = {}
    negatives: dict[str, tuple[int, ...]] = {}
    note_groups: dict[str, list[str]] = defaultdict(list)
    note_negative: set[tuple[str, str]] = set()
    statuses: dict[str, SignalStatus] = {}
    descend = _descendants(omop, lookup, kb)
    for signal in kb.score.signals:
        concept_ids: set[int] = set()
        missing_vocab: set[str] = set()
        not_found: list[str] = []
        unusable: set[str] = set()
        has_text = False
        sig_units: dict[int, float] = {}
        sig_neg: set[int] = set()
        for source in kb.sources(signal.id):
            for group in source.note_terms:
                if omop.has("note"):
                    has_text = True
                    note_groups[group].append(signal.id)
                    if source.note_result == "negative":
                        note_negative.add((group, signal.id))
                else:
                    unusable.add(f"note ({omop.unusable.get('note', 'absent')})")
            ids, sites, miss, nf = _source_ids(source, kb, lookup, descend)
            missing_vocab |= miss
            not_found += nf
            usable = [t for t in source.tables if omop.has(t)]
            unusable |= {f"{t} ({omop.unusable.get(t, 'absent')})" for t in source.tables if not omop.has(t)}
            for table in usable:
                rows.extend((table, signal.id, cid, sites.get(cid)) for cid in ids)
            if usable:
                concept_ids |= ids
            for u in kb.units(source):
                for cid in lookup.match(CodeSpec(u.vocabulary, u.code, "exact", u.code, u.reference)):
                    sig_units[cid] = u.factor
            for n in source.negative_values:
                sig_neg.update(lookup.match(CodeSpec(n.vocabulary, n.code, "exact", n.display, n.reference)))
        units[signal.id] = sig_units
        negatives[signal.id] = tuple(sorted(sig_neg))
        statuses[signal.id] = SignalStatus(
            signal.id,
            len(concept_ids),
            has_text,
            tuple(sorted(missing_vocab)),
            tuple(dict.fromkeys(not_found)),
            tuple(sorted(unusable)),
            len(sig_units),
            len(sig_neg),
        )
    table = pa.table(
        {
            "omop_table": pa.array([r[0] for r in rows], pa.string()),
            "signal": pa.array([r[1] for r in rows], pa.string()),
            "concept_id": pa.array([r[2] for r in rows], pa.int64()),
            "site": pa.array([r[3] for r in rows], pa.string()),
        }
    )
    resolution = Resolution(
        table,
        units,
        negatives,
        {g: tuple(dict.fromkeys(s)) for g, s in note_groups.items()},
        statuses,
        note_negative=frozenset(note_negative),
    )
    resolution.features = feature_statuses(kb, resolution)
    return resolution


def _all_specs(kb: CaseFinding) -> list[CodeSpec]:
    specs: list[CodeSpec] = []
    for signal in kb.score.signals:
        for source in signal.sources:
            inc, exc, _ = kb.codes(source)
            specs += [*inc, *exc]
            specs += [CodeSpec(u.vocabulary, u.code, "exact", u.code, u.reference) for u in kb.units(source)]
            specs += [CodeSpec(n.vocabulary, n.code, "exact", n.display, n.reference) for n in source.negative_values]
    return specs


def _normalised_code(concept: ir.Table, vocabulary: str) -> ir.StringValue:
    code = concept.concept_code.strip()
    if vocabulary in _ICD:
        return code.replace(".", "").upper()
    return code.upper() if vocabulary in _UPPER else code


def _lookup(concept: ir.Table, specs: Iterable[CodeSpec]) -> _Lookup:
    """Fetch the concept rows any spec can match (one query), keyed by (vocabulary, normalised code)."""
    exact: dict[str, set[str]] = defaultdict(set)
    prefix: dict[str, set[str]] = defaultdict(set)
    for s in specs:
        (exact if s.match == "exact" else prefix)[s.vocabulary_id].add(s.normalised)
    vocabularies = sorted(set(exact) | set(prefix))
    present = set(
        concept.filter(concept.vocabulary_id.isin(vocabularies))
        .select("vocabulary_id")
        .distinct()
        .to_pyarrow()
        .column("vocabulary_id")
        .to_pylist()
    )
    conditions = []
    for v in vocabularies:
        if v not in present:
            continue
        code = _normalised_code(concept, v)
        match = code.isin(sorted(exact[v])) if exact[v] else ibis.literal(False)
        for p in sorted(prefix[v]):
            match = match | code.startswith(p)
        conditions.append((concept.vocabulary_id == v) & match)
    by_code: dict[tuple[str, str], list[int]] = defaultdict(list)
    if conditions:
        cond = conditions[0]
        for c in conditions[1:]:
            cond = cond | c
        found = concept.filter(cond).select("vocabulary_id", "concept_code", "concept_id").to_pyarrow()
        for v, c, cid in zip(*(found.column(i).to_pylist() for i in range(3)), strict=True):
            by_code[(v, normalise(v, c))].append(int(cid))
    return _Lookup(present, dict(by_code))


def _descendants(omop: Omop, lookup: _Lookup, kb: CaseFinding) -> dict[int, set[int]]:
    """Ancestor -> descendants for every concept a `descendants: true` source matched (one query)."""
    if not omop.has("concept_ancestor"):
        return {}
    roots: set[int] = set()
    for signal in kb.score.signals:
        for source in signal.sources:
            if not source.descendants:
                continue
            inc, exc, _ = kb.codes(source)
            for spec in (*inc, *exc):
                roots.update(lookup.match(spec))
    if not roots:
        return {}
    ca = omop.tables["concept_ancestor"]
    pairs = (
        ca.filter(ca.ancestor_concept_id.isin(sorted(roots)))
        .select("ancestor_concept_id", "descendant_concept_id")
        .to_pyarrow()
    )
    out: dict[int, set[int]] = defaultdict(set)
    for a, d in zip(pairs.column(0).to_pylist(), pairs.column(1).to_pylist(), strict=True):
        out[int(a)].add(int(d))
    return out


def _source_ids(
    source: SignalSource, kb: CaseFinding, lookup: _Lookup, descend: dict[int, set[int]]
) -> tuple[set[int], dict[int, str], set[str], list[str]]:
    """(concept ids, site per id, vocabularies absent, codes not found) of one source."""
    inc, exc, _ = kb.codes(source)
    include = list(inc)
    ids: set[int] = set()
    sites: dict[int, str] = {}
    missing: set[str] = set()
    not_found: list[str] = []
    code_of = lookup.code_of() if kb.score.site_axes else {}
    for spec in include:
        if spec.vocabulary_id not in lookup.present:
            missing.add(spec.vocabulary_id)
            continue
        found = lookup.match(spec)
        if not found:
            not_found.append(f"{spec.vocabulary_id} {spec.code}")
        for cid in found:
            family = {cid} | (descend.get(cid, set()) if source.descendants else set())
            ids |= family
            # a site given with the code, else the site its characters spell (ICD-10-CM M86.161: tibia, right)
            site = spec.site or _site_from_code(kb, code_of.get(cid))
            if site:
                for member in family:
                    sites.setdefault(member, site)
    for spec in exc:
        for cid in lookup.match(spec):
            ids -= {cid} | (descend.get(cid, set()) if source.descendants else set())
    return ids, {k: v for k, v in sites.items() if k in ids}, missing, not_found


def _site_from_code(kb: CaseFinding, code: tuple[str, str] | None) -> str | None:
    if code is None:
        return None
    for axis in kb.score.site_axes:
        site = axis.site_of(*code)
        if site is not None:
            return site
    return None


def feature_statuses(kb: CaseFinding, resolution: Resolution) -> dict[str, FeatureStatus]:
    """Each feature's status, in file order (requirements are resolved before the features that need them)."""
    out: dict[str, FeatureStatus] = {}
    for feature in kb.in_dependency_order():
        out[feature.id] = _feature_status(feature, resolution, out)
    return {f.id: out[f.id] for f in kb.features}


def _feature_status(feature: Feature, res: Resolution, known: dict[str, FeatureStatus]) -> FeatureStatus:
    sig = res.signals[feature.signal]
    reasons: list[str] = []
    if not sig.resolved:
        reasons.append(_signal_problem(sig))
    rule = feature.rule
    if rule.max_value is not None and sig.resolved and sig.units == 0:
        reasons.append(f"no unit concept for {rule.unit} (UCUM) in the concept table: values cannot be read")
    if rule.all_negative and sig.resolved and sig.negatives == 0 and not sig.text:
        reasons.append("no negative-result concepts (SNOMED) in the concept table and no notes")
    missing_after = [a.signal for a in rule.after if not res.signals[a.signal].resolved]
    if rule.after and len(missing_after) == len(rule.after):
        reasons += [f"signal {s}: {_signal_problem(res.signals[s])}" for s in missing_after]
    if feature.requires and all(known[r].status == "unresolved" for r in feature.requires):
        reasons.append(f"needs {' or '.join(feature.requires)}, which cannot be resolved")
    if reasons:
        return FeatureStatus(feature.id, "unresolved", "; ".join(reasons))
    gaps: list[str] = []
    if sig.missing_vocabularies:
        gaps.append(f"vocabularies absent from concept: {', '.join(sig.missing_vocabularies)}")
    if sig.unusable_tables:
        gaps.append(f"tables not usable: {', '.join(sig.unusable_tables)}")
    if missing_after:
        gaps.append(f"following signals not resolved: {', '.join(missing_after)}")
    if gaps:
        return FeatureStatus(feature.id, "partial", "; ".join(gaps))
    return FeatureStatus(feature.id, "resolved", f"{sig.concepts} concepts" + (" + note text" if sig.text else ""))


def _signal_problem(sig: SignalStatus) -> str:
    parts: list[str] = []
    if sig.missing_vocabularies:
        parts.append(f"vocabularies absent from concept: {', '.join(sig.missing_vocabularies)}")
    if sig.codes_not_found:
        shown = ", ".join(sig.codes_not_found[:6]) + (" ..." if len(sig.codes_not_found) > 6 else "")
        parts.append(f"codes not in concept: {shown}")
    if sig.unusable_tables:
        parts.append(f"tables not usable: {', '.join(sig.unusable_tables)}")
    return "; ".join(parts) or "nothing to match"
