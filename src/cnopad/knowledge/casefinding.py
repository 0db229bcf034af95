"""Population case-finding as data: the screening score, its concept sets and the note terms (YAML).

Three files in ``knowledge/casefinding``: ``score.yaml`` (signals = concept sets, features = points and
rules, the threshold), ``note_terms.yaml`` (Dutch terms and when a mention counts) and
``synthetic_vocabulary.yaml`` (the codes of the synthetic population). Their shapes are in
``casefinding_files.py``; here they are loaded and cross-checked: an unknown value set, signal, feature or
term group, a cycle, or a threshold without its ``inference`` fails at start-up with file, item and field
in the message.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from cnopad.domain.codes import SYSTEM_ALIASES
from cnopad.errors import KnowledgeBaseError
from cnopad.knowledge.base import knowledge
from cnopad.knowledge.casefinding_files import (
    SHORT_NAMES,
    After,
    CodeRef,
    ContextRuleSpec,
    CountsWhen,
    Feature,
    Match,
    NoteTerm,
    NoteTermsFile,
    Rule,
    Scope,
    ScoreFile,
    Signal,
    SignalSource,
    SiteAxis,
    SiteGroup,
    SiteTerms,
    SyntheticCode,
    SyntheticConcept,
    SyntheticDrug,
    SyntheticVocabularyFile,
    TableName,
    TermGroup,
    Threshold,
    UnitRef,
    VocabularyMap,
    normalise,
)
from cnopad.knowledge.files import knowledge_files, parse

__all__ = [
    "After",
    "CaseFinding",
    "CodeRef",
    "CodeSpec",
    "ContextRuleSpec",
    "CountsWhen",
    "Feature",
    "Match",
    "NoteTerm",
    "NoteTermsFile",
    "Rule",
    "Scope",
    "ScoreFile",
    "Signal",
    "SignalSource",
    "SiteAxis",
    "SiteGroup",
    "SiteTerms",
    "SkippedCode",
    "SyntheticCode",
    "SyntheticConcept",
    "SyntheticDrug",
    "SyntheticVocabularyFile",
    "TableName",
    "TermGroup",
    "Threshold",
    "UnitRef",
    "VocabularyMap",
    "casefinding",
    "check_references",
    "normalise",
]


@dataclass(frozen=True)
class CodeSpec:
    """One code a signal looks for in the concept table, after value sets are expanded."""

    vocabulary_id: str
    code: str
    match: Match
    display: str
    reference: str
    site: str | None = None
    origin: str = ""

    @property
    def normalised(self) -> str:
        """The code in comparable form."""
        return normalise(self.vocabulary_id, self.code)


@dataclass(frozen=True)
class SkippedCode:
    """A value-set code that is not in an OMOP vocabulary (cnopad local codes, Orphanet, ...)."""

    system: str
    code: str
    origin: str


@dataclass(frozen=True)
class CaseFinding:
    """The validated case-finding knowledge."""

    score: ScoreFile
    notes: NoteTermsFile
    synthetic: SyntheticVocabularyFile

    @property
    def version(self) -> str:
        """The versions of the three files."""
        return f"casefinding@{self.score.version};note_terms@{self.notes.version};synthetic@{self.synthetic.version}"

    @property
    def features(self) -> tuple[Feature, ...]:
        """Every feature, in file order."""
        return self.score.features

    def in_dependency_order(self) -> list[Feature]:
        """The features, each after the features it requires (the loader refuses cycles)."""
        done: dict[str, Feature] = {}
        pending = list(self.score.features)
        while pending:
            for f in list(pending):
                if all(r in done for r in f.requires):
                    done[f.id] = f
                    pending.remove(f)
        return list(done.values())

    def signal(self, signal_id: str) -> Signal:
        """The signal with this id."""
        for s in self.score.signals:
            if s.id == signal_id:
                return s
        msg = f"no signal {signal_id!r}"
        raise LookupError(msg)

    def feature(self, feature_id: str) -> Feature:
        """The feature with this id."""
        for f in self.score.features:
            if f.id == feature_id:
                return f
        msg = f"no feature {feature_id!r}"
        raise LookupError(msg)

    def term_group(self, group_id: str) -> TermGroup:
        """The note-term group with this id."""
        for g in self.notes.groups:
            if g.id == group_id:
                return g
        msg = f"no note-term group {group_id!r}"
        raise LookupError(msg)

    def stems(self, group_id: str) -> tuple[str, ...]:
        """The stems that pre-select texts for a term group, or for the body sites (``sites.id``)."""
        sites = self.notes.sites
        if sites is not None and group_id == sites.id:
            return tuple(dict.fromkeys(stem for g in sites.groups for stem in g.stems))
        return self.term_group(group_id).stems

    def site_signals(self) -> tuple[str, ...]:
        """The signals whose events a rule counts by body site (``min_sites``): their condition text is read."""
        wanted = {f.signal for f in self.features if f.rule.min_sites is not None}
        return tuple(s.id for s in self.score.signals if s.id in wanted)

    def sources(self, signal_id: str) -> Iterator[SignalSource]:
        """The sources of a signal, with those of the signals it includes."""
        sig = self.signal(signal_id)
        yield from sig.sources
        for inner in sig.include_signals:
            yield from self.sources(inner)

    def codes(self, source: SignalSource) -> tuple[tuple[CodeSpec, ...], tuple[CodeSpec, ...], tuple[SkippedCode, ...]]:
        """(included, excluded, skipped) codes of a source, with value sets expanded to OMOP vocabularies."""
        vmap = self.score.omop_vocabularies.map
        index = knowledge().valuesets
        include: list[CodeSpec] = []
        exclude: list[CodeSpec] = []
        skipped: list[SkippedCode] = []
        for concept in source.valuesets:
            vs = index.valueset(concept)
            if vs is None:  # pragma: no cover - guaranteed by the loader
                continue
            for entries, target in ((vs.include, include), (vs.exclude, exclude)):
                for e in entries:
                    short = SHORT_NAMES.get(e.system.value, e.system.value)
                    vocabulary = vmap.get(short)
                    origin = f"valueset:{concept.value}"
                    if vocabulary is None:
                        if target is include:
                            skipped.append(SkippedCode(short, e.code, origin))
                        continue
                    ref = e.reference or vs.reference or ""
                    target.append(CodeSpec(vocabulary, e.code, e.match, e.display, ref, None, origin))
        for c in source.codes:
            include.append(CodeSpec(c.vocabulary, c.code, c.match, c.display, c.reference, c.site, "code"))
        return tuple(include), tuple(exclude), tuple(skipped)

    @staticmethod
    def units(source: SignalSource) -> tuple[UnitRef, ...]:
        """The UCUM units a source's measurements are read in, with their factor to the rule's unit.

        They come from the value sets (``unit`` and ``convert`` on a LOINC code in labs.yaml), the one
        table the FHIR reader converts with too.
        """
        index = knowledge().valuesets
        found: dict[str, UnitRef] = {}
        for concept in source.valuesets:
            vs = index.valueset(concept)
            if vs is None:  # pragma: no cover - guaranteed by the loader
                continue
            for entry in vs.include:
                if entry.unit is None:
                    continue
                ref = entry.reference or vs.reference or ""
                found.setdefault(entry.unit, UnitRef(code=entry.unit, factor=1, reference=ref))
                for c in entry.convert:
                    found.setdefault(c.unit, UnitRef(code=c.unit, factor=float(c.factor), reference=c.reference))
        return tuple(found.values())


def _fail(name: str, where: str, reason: str) -> KnowledgeBaseError:
    return KnowledgeBaseError(f"{name}: {where}: {reason}")


def check_references(score: ScoreFile, notes: NoteTermsFile, name: str) -> None:
    """Cross-references: signals, features, term groups, value sets; no cycles; the vocabulary map is known."""
    signals = {s.id for s in score.signals}
    features = {f.id for f in score.features}
    if len(signals) != len(score.signals) or len(features) != len(score.features):
        raise _fail(name, "signals/features", "ids must be unique")
    unknown_systems = set(score.omop_vocabularies.map) - set(SYSTEM_ALIASES)
    if unknown_systems:
        raise _fail(name, "omop_vocabularies.map", f"unknown systems {sorted(unknown_systems)}")
    if score.diagnosed_signal not in signals:
        raise _fail(name, "diagnosed_signal", f"no signal {score.diagnosed_signal!r}")
    for s in score.signals:
        groups = {g.id for g in notes.groups} | ({notes.sites.id} if notes.sites is not None else set())
        _check_signal(s, signals, groups, name)
    for f in score.features:
        _check_feature(f, signals, features, name)
    _check_acyclic({s.id: s.include_signals for s in score.signals}, name, "signals")
    _check_acyclic({f.id: f.requires for f in score.features}, name, "features")


def _check_signal(s: Signal, signals: set[str], groups: set[str], name: str) -> None:
    index = knowledge().valuesets
    for inner in s.include_signals:
        if inner not in signals:
            raise _fail(name, f"signals ({s.id}).include_signals", f"no signal {inner!r}")
    for src in s.sources:
        for concept in src.valuesets:
            if index.valueset(concept) is None:
                raise _fail(name, f"signals ({s.id}).valuesets", f"no value set defines {concept.value!r}")
        for group in src.note_terms:
            if group not in groups:
                raise _fail(name, f"signals ({s.id}).note_terms", f"no note-term group {group!r}")


def _check_feature(f: Feature, signals: set[str], features: set[str], name: str) -> None:
    if f.signal not in signals:
        raise _fail(name, f"features ({f.id}).signal", f"no signal {f.signal!r}")
    for after in f.rule.after:
        if after.signal not in signals:
            raise _fail(name, f"features ({f.id}).rule.after", f"no signal {after.signal!r}")
    for r in f.requires:
        if r not in features:
            raise _fail(name, f"features ({f.id}).requires", f"no feature {r!r}")


def _check_acyclic(graph: dict[str, tuple[str, ...]], name: str, what: str) -> None:
    state: dict[str, int] = {}

    def visit(node: str, path: tuple[str, ...]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            raise _fail(name, what, f"cycle {' -> '.join((*path, node))}")
        state[node] = 1
        for nxt in graph.get(node, ()):
            visit(nxt, (*path, node))
        state[node] = 2

    for node in graph:
        visit(node, ())


@cache
def casefinding() -> CaseFinding:
    """Load and validate the case-finding knowledge (once per process); raises KnowledgeBaseError when invalid."""
    files = dict(knowledge_files("casefinding"))
    score_name = "knowledge/casefinding/score.yaml"
    notes_name = "knowledge/casefinding/note_terms.yaml"
    synthetic_name = "knowledge/casefinding/synthetic_vocabulary.yaml"
    for name in (score_name, notes_name, synthetic_name):
        if name not in files:
            msg = f"{name}: missing"
            raise KnowledgeBaseError(msg)
    score = parse(ScoreFile, score_name, files[score_name])
    notes = parse(NoteTermsFile, notes_name, files[notes_name])
    synthetic = parse(SyntheticVocabularyFile, synthetic_name, files[synthetic_name])
    check_references(score, notes, score_name)
    found = CaseFinding(score=score, notes=notes, synthetic=synthetic)
    _check_units(found, score_name)
    return found


def _check_units(kb: CaseFinding, name: str) -> None:
    """A feature's rule unit must be the unit its signal's value set reads values in (labs.yaml)."""
    for f in kb.features:
        if f.rule.unit is None:
            continue
        base = {u.code for source in kb.sources(f.signal) for u in kb.units(source) if u.factor == 1}
        if f.rule.unit not in base:
            raise _fail(name, f"features ({f.id}).rule.unit", f"{f.rule.unit!r} is not the unit of its value set")
