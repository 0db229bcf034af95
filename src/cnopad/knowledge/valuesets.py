"""Value sets: which codes (ICD-10, SNOMED CT, ICPC, ATC, LOINC, local) mean which concept, site or role.

Each value set names the statements it serves and a citation for every code. ATC groups and ICD-10
blocks match by prefix where the group is a prefix (NSAIDs M01A, bisphosphonates M05BA/M05BB, TNF-α
inhibitors L04AB); an ``exclude`` list removes members that are not what the group name suggests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cnopad.domain.care import CareRole
from cnopad.domain.codes import SYSTEM_ALIASES, Coding, System, normalise_code
from cnopad.domain.concepts import Concept
from cnopad.domain.sites import Site
from cnopad.knowledge.files import knowledge_files, parse, statement_ids

Meaning = Concept | Site | CareRole
#: meanings are keyed by (enum, value): the enums are StrEnums, so Site.OTHER == CareRole.OTHER == "other"
MeaningKey = tuple[type, str]


def meaning_key(meaning: Meaning) -> MeaningKey:
    """A dictionary key that keeps equal-valued members of different enums apart."""
    return (type(meaning), meaning.value)


class Text(BaseModel):
    """A text in both product languages."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        """The text in ``lang`` ('nl' or 'en')."""
        return self.en if lang == "en" else self.nl


class CodeEntry(BaseModel):
    """One code (or code prefix) of a value set, with its display and citation."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    system: System
    code: str = Field(min_length=1)
    match: Literal["exact", "prefix"] = "exact"
    display: str = Field(min_length=1)
    reference: str | None = None

    @field_validator("system", mode="before")
    @classmethod
    def _alias(cls, value: object) -> object:
        if isinstance(value, str) and value in SYSTEM_ALIASES:
            return SYSTEM_ALIASES[value]
        if isinstance(value, str) and value not in {s.value for s in System}:
            msg = f"unknown code system {value!r}; use one of {', '.join(sorted(SYSTEM_ALIASES))}"
            raise ValueError(msg)
        return value

    @property
    def key(self) -> tuple[str, str]:
        """(system URI, normalised code)."""
        return (self.system.value, normalise_code(self.system.value, self.code))


class ValueSetModel(BaseModel):
    """The codes that mean one concept, site or care role."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    concept: Concept | None = None
    site: Site | None = None
    role: CareRole | None = None
    title: Text
    statements: tuple[str, ...] = ()
    reference: str | None = None
    include: tuple[CodeEntry, ...] = Field(min_length=1)
    exclude: tuple[CodeEntry, ...] = ()

    _ids = field_validator("statements")(statement_ids)

    @model_validator(mode="after")
    def _one_meaning_and_cited(self) -> ValueSetModel:
        meanings = [m for m in (self.concept, self.site, self.role) if m is not None]
        if len(meanings) != 1:
            msg = "give exactly one of concept, site or role"
            raise ValueError(msg)
        for entry in (*self.include, *self.exclude):
            if entry.reference is None and self.reference is None:
                msg = f"code {entry.code} has no reference (give one on the code or on the value set)"
                raise ValueError(msg)
        return self

    @property
    def meaning(self) -> Meaning:
        """The concept, site or role this value set defines."""
        meaning = self.concept or self.site or self.role
        assert meaning is not None  # noqa: S101 - guaranteed by the validator
        return meaning


class ValueSetFile(BaseModel):
    """One knowledge file of value sets on one topic."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    topic: str
    valuesets: tuple[ValueSetModel, ...]


@dataclass(frozen=True)
class ValueSetIndex:
    """Fast look-up from codes to meanings, built once at start-up."""

    sets: tuple[ValueSetModel, ...]
    version: str
    _exact: dict[tuple[str, str], tuple[Meaning, ...]] = field(default_factory=dict, repr=False)
    _prefix: dict[str, dict[str, tuple[Meaning, ...]]] = field(default_factory=dict, repr=False)
    _prefix_lengths: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False)
    _exclude: dict[MeaningKey, tuple[CodeEntry, ...]] = field(default_factory=dict, repr=False)
    _by_meaning: dict[MeaningKey, ValueSetModel] = field(default_factory=dict, repr=False)
    _memo: dict[tuple[str, str], tuple[Meaning, ...]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, sets: Iterable[ValueSetModel], version: str) -> ValueSetIndex:
        """Index the value sets; a meaning defined twice is an error."""
        from cnopad.errors import KnowledgeBaseError

        all_sets = tuple(sets)
        exact: dict[tuple[str, str], list[Meaning]] = defaultdict(list)
        prefix: dict[str, dict[str, list[Meaning]]] = defaultdict(lambda: defaultdict(list))
        by_meaning: dict[MeaningKey, ValueSetModel] = {}
        for vs in all_sets:
            key = meaning_key(vs.meaning)
            if key in by_meaning:
                msg = f"knowledge/valuesets: {vs.meaning!s} is defined twice"
                raise KnowledgeBaseError(msg)
            by_meaning[key] = vs
            for entry in vs.include:
                system, code = entry.key
                if entry.match == "prefix":
                    prefix[system][code].append(vs.meaning)
                else:
                    exact[(system, code)].append(vs.meaning)
        return cls(
            sets=all_sets,
            version=version,
            _exact={k: tuple(v) for k, v in exact.items()},
            _prefix={s: {p: tuple(m) for p, m in d.items()} for s, d in prefix.items()},
            _prefix_lengths={s: tuple(sorted({len(p) for p in d})) for s, d in prefix.items()},
            _exclude={meaning_key(vs.meaning): vs.exclude for vs in all_sets if vs.exclude},
            _by_meaning=by_meaning,
        )

    def meanings(self, coding: Coding) -> tuple[Meaning, ...]:
        """Every meaning of one coding (exact codes and matching prefixes, minus exclusions)."""
        key = coding.key
        found = self._memo.get(key)
        if found is None:
            found = self._lookup(*key)
            if len(self._memo) < _MEMO_LIMIT:  # codes in real data are few; the bound keeps memory flat
                self._memo[key] = found
        return found

    def _lookup(self, system: str, code: str) -> tuple[Meaning, ...]:
        found: list[Meaning] = list(self._exact.get((system, code), ()))
        table = self._prefix.get(system)
        if table:
            for length in self._prefix_lengths[system]:
                if length <= len(code):
                    found.extend(table.get(code[:length], ()))
        return tuple(m for m in found if not self._excluded(m, system, code))

    def _excluded(self, meaning: Meaning, system: str, code: str) -> bool:
        for entry in self._exclude.get(meaning_key(meaning), ()):
            esys, ecode = entry.key
            if esys == system and (code == ecode or (entry.match == "prefix" and code.startswith(ecode))):
                return True
        return False

    def concepts(self, codings: Iterable[Coding]) -> frozenset[Concept]:
        """The concepts a list of codings means."""
        return frozenset(m for c in codings for m in self.meanings(c) if isinstance(m, Concept))

    def sites(self, codings: Iterable[Coding]) -> tuple[Site, ...]:
        """The skeletal sites a list of codings names, in order, without repeats."""
        seen: dict[Site, None] = {}
        for c in codings:
            for m in self.meanings(c):
                if isinstance(m, Site):
                    seen[m] = None
        return tuple(seen)

    def roles(self, codings: Iterable[Coding]) -> frozenset[CareRole]:
        """The care roles a list of codings names."""
        return frozenset(m for c in codings for m in self.meanings(c) if isinstance(m, CareRole))

    def understood(self, coding: Coding) -> bool:
        """True when the coding means anything to cnopad."""
        return bool(self.meanings(coding))

    @staticmethod
    def known_system(system: str | None) -> bool:
        """True for the code systems cnopad reads (unknown systems are refused at import)."""
        return system in _KNOWN_SYSTEMS

    def coding_for(self, meaning: Meaning) -> Coding:
        """The preferred coding to write for a meaning: the first exact code of its value set."""
        vs = self._by_meaning.get(meaning_key(meaning))
        if vs is None:
            msg = f"no value set defines {meaning!s}"
            raise LookupError(msg)
        for entry in vs.include:
            if entry.match == "exact":
                return Coding(entry.system.value, entry.code, entry.display)
        msg = f"the value set of {meaning!s} has no exact code to write"
        raise LookupError(msg)

    def title(self, meaning: Meaning, lang: str) -> str:
        """The display title of a meaning in ``lang``."""
        vs = self._by_meaning.get(meaning_key(meaning))
        return vs.title.get(lang) if vs else str(meaning)

    def valueset(self, meaning: Meaning) -> ValueSetModel | None:
        """The value set that defines a meaning, if any."""
        return self._by_meaning.get(meaning_key(meaning))


_KNOWN_SYSTEMS = frozenset(s.value for s in System)
_MEMO_LIMIT = 100_000


def load_valuesets() -> ValueSetIndex:
    """Read and validate every file in ``knowledge/valuesets``."""
    sets: list[ValueSetModel] = []
    versions: list[str] = []
    for name, text in knowledge_files("valuesets"):
        parsed = parse(ValueSetFile, name, text)
        sets.extend(parsed.valuesets)
        versions.append(f"{parsed.topic}@{parsed.version}")
    return ValueSetIndex.build(sets, version=";".join(versions))
