"""Value sets: which codes (ICD-10, SNOMED CT, ICPC, ATC, RxNorm, LOINC, Dutch role codes, local) mean which
concept, bone, side or care role.

Each value set names the statements it serves and a citation for every code. ATC groups and ICD-10
blocks match by prefix where the group is a prefix (NSAIDs M01A, bisphosphonates M05BA/M05BB, TNF-α
inhibitors L04AB); an ``exclude`` list removes members that are not what the group name suggests.
A body-site code may itself carry a side (``side:``, e.g. a "left tibia" concept); a laboratory code may
name the unit its rules use and the units cnopad converts exactly (``unit:`` and ``convert:``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cnopad.domain.care import CareRole
from cnopad.domain.codes import SYSTEM_ALIASES, Coding, System, normalise_code
from cnopad.domain.concepts import Concept
from cnopad.domain.sites import UNSPECIFIED_BONES, Bone, Side, Site, side_in_text
from cnopad.knowledge.files import knowledge_files, parse, statement_ids

Meaning = Concept | Bone | Side | CareRole
#: meanings are keyed by (enum, value): the enums are StrEnums, so Bone.OTHER == CareRole.OTHER == "other"
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


class UnitConversion(BaseModel):
    """A unit a value may come in and the exact factor to the rule's unit (value_in_rule_unit = value * factor)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    unit: str = Field(min_length=1)
    factor: Decimal = Field(gt=0)
    reference: str = Field(min_length=1)


class CodeEntry(BaseModel):
    """One code (or code prefix) of a value set, with its display and citation."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    system: System
    code: str = Field(min_length=1)
    match: Literal["exact", "prefix"] = "exact"
    display: str = Field(min_length=1)
    reference: str | None = None
    #: a body-site code that names its side itself ("structure of left tibia")
    side: Side | None = None
    #: a laboratory code: the UCUM unit the rules use, and the other units converted to it
    unit: str | None = None
    convert: tuple[UnitConversion, ...] = ()

    @model_validator(mode="after")
    def _unit_before_conversions(self) -> CodeEntry:
        if self.convert and self.unit is None:
            msg = f"code {self.code}: `convert` needs the rule's `unit`"
            raise ValueError(msg)
        return self

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


class Words(BaseModel):
    """Words that name a meaning in free text, per language (lower case; matched as whole words)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    nl: tuple[str, ...] = ()
    en: tuple[str, ...] = ()


class ValueSetModel(BaseModel):
    """The codes that mean one concept, bone (``site``), side or care role."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    concept: Concept | None = None
    site: Bone | None = None
    side: Side | None = None
    role: CareRole | None = None
    title: Text
    statements: tuple[str, ...] = ()
    reference: str | None = None
    text: Words | None = None
    include: tuple[CodeEntry, ...] = Field(min_length=1)
    exclude: tuple[CodeEntry, ...] = ()

    _ids = field_validator("statements")(statement_ids)

    @model_validator(mode="after")
    def _one_meaning_and_cited(self) -> ValueSetModel:
        meanings = [m for m in (self.concept, self.site, self.side, self.role) if m is not None]
        if len(meanings) != 1:
            msg = "give exactly one of concept, site, side or role"
            raise ValueError(msg)
        for entry in (*self.include, *self.exclude):
            if entry.reference is None and self.reference is None:
                msg = f"code {entry.code} has no reference (give one on the code or on the value set)"
                raise ValueError(msg)
            if entry.side is not None and self.site is None:
                msg = f"code {entry.code}: only a body-site code can carry a side"
                raise ValueError(msg)
            if (entry.unit or entry.convert) and self.concept is None:
                msg = f"code {entry.code}: only a concept's code can carry units"
                raise ValueError(msg)
        return self

    @property
    def meaning(self) -> Meaning:
        """The concept, bone, side or role this value set defines."""
        meaning = self.concept or self.site or self.side or self.role
        assert meaning is not None  # noqa: S101 - guaranteed by the validator
        return meaning


class ValueSetFile(BaseModel):
    """One knowledge file of value sets on one topic."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    topic: str
    valuesets: tuple[ValueSetModel, ...]


@dataclass(frozen=True)
class UnitSpec:
    """The unit a laboratory code's rules use and the units cnopad converts to it exactly."""

    unit: str
    factors: dict[str, Decimal]

    def factor(self, unit: str | None) -> Decimal | None:
        """The factor from ``unit`` to the rule's unit, None when cnopad cannot convert it."""
        if unit is None:
            return None
        return Decimal(1) if unit == self.unit else self.factors.get(unit)


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
    _sides: dict[tuple[str, str], Side] = field(default_factory=dict, repr=False)
    _units: dict[tuple[str, str], UnitSpec] = field(default_factory=dict, repr=False)
    _bone_words: tuple[tuple[re.Pattern[str], Bone], ...] = field(default=(), repr=False)
    _memo: dict[tuple[str, str], tuple[Meaning, ...]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, sets: Iterable[ValueSetModel], version: str) -> ValueSetIndex:
        """Index the value sets; a meaning defined twice is an error."""
        from cnopad.errors import KnowledgeBaseError

        all_sets = tuple(sets)
        exact: dict[tuple[str, str], list[Meaning]] = defaultdict(list)
        prefix: dict[str, dict[str, list[Meaning]]] = defaultdict(lambda: defaultdict(list))
        by_meaning: dict[MeaningKey, ValueSetModel] = {}
        sides: dict[tuple[str, str], Side] = {}
        units: dict[tuple[str, str], UnitSpec] = {}
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
                if entry.side is not None:
                    sides[(system, code)] = entry.side
                if entry.unit is not None:
                    units[(system, code)] = UnitSpec(entry.unit, {c.unit: c.factor for c in entry.convert})
        return cls(
            sets=all_sets,
            version=version,
            _exact={k: tuple(v) for k, v in exact.items()},
            _prefix={s: {p: tuple(m) for p, m in d.items()} for s, d in prefix.items()},
            _prefix_lengths={s: tuple(sorted({len(p) for p in d})) for s, d in prefix.items()},
            _exclude={meaning_key(vs.meaning): vs.exclude for vs in all_sets if vs.exclude},
            _by_meaning=by_meaning,
            _sides=sides,
            _units=units,
            _bone_words=_bone_patterns(all_sets),
        )

    def meanings(self, coding: Coding) -> tuple[Meaning, ...]:
        """Every meaning of one coding (exact codes and matching prefixes, minus exclusions)."""
        # memoised by the code as written: normalising it (``coding.key``) is only needed the first time, and
        # this is asked for every coding of every resource read
        raw = (coding.system, coding.code)
        found = self._memo.get(raw)
        if found is None:
            found = self._lookup(*coding.key)
            if len(self._memo) < _MEMO_LIMIT:  # codes in real data are few; the bound keeps memory flat
                self._memo[raw] = found
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
        """The lesion sites a list of codings names, in order, without repeats.

        A code may name its side itself ("left tibia"). A bone that says only "some long bone" or "some
        bone" is dropped when a named bone stands beside it: codings in one CodeableConcept are
        translations of one another, not extra sites.
        """
        seen: dict[Site, None] = {}
        for c in codings:
            for m in self.meanings(c):
                if isinstance(m, Bone):
                    seen[Site(m, self._sides.get(c.key, Side.UNKNOWN))] = None
        named = [s for s in seen if s.bone not in UNSPECIFIED_BONES]
        return tuple(named) if named else tuple(seen)

    def side(self, codings: Iterable[Coding]) -> Side | None:
        """The side a list of codings names (a laterality qualifier), None when none does."""
        for c in codings:
            for m in self.meanings(c):
                if isinstance(m, Side):
                    return m
        return None

    def sites_in_text(self, text: str) -> tuple[Site, ...]:
        """The bones a Dutch or English text names (``text:`` words in sites.yaml), each on the side the
        text names; the longest words win ("eerste rib" over "rib"). One side for the whole text."""
        lowered = text.lower()
        spans: list[tuple[int, int, Bone]] = []
        for pattern, bone in self._bone_words:
            spans.extend((m.start(), m.end(), bone) for m in pattern.finditer(lowered))
        taken: list[tuple[int, int, Bone]] = []
        for start, end, bone in sorted(spans, key=lambda sp: (sp[0] - sp[1], sp[0])):
            if all(end <= a or start >= b for a, b, _ in taken):
                taken.append((start, end, bone))
        if not taken:
            return ()
        side = side_in_text(lowered)
        return tuple(dict.fromkeys(Site(bone, side) for _, _, bone in sorted(taken)))

    def unit_spec(self, codings: Iterable[Coding]) -> UnitSpec | None:
        """The unit the rules read a laboratory code's values in, with the exact conversions cnopad knows."""
        for c in codings:
            spec = self._units.get(c.key)
            if spec is not None:
                return spec
        return None

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
        """The preferred coding to write for a meaning: the first exact code of its value set without a side."""
        vs = self._by_meaning.get(meaning_key(meaning))
        if vs is None:
            msg = f"no value set defines {meaning!s}"
            raise LookupError(msg)
        for entry in vs.include:
            if entry.match == "exact" and entry.side is None:
                return Coding(entry.system.value, entry.code, entry.display)
        msg = f"the value set of {meaning!s} has no exact code to write"
        raise LookupError(msg)

    def title(self, meaning: Meaning | Site, lang: str) -> str:
        """The display title of a meaning in ``lang``; a site is its bone, then its side ("Tibia, links")."""
        if isinstance(meaning, Site):
            bone = self.title(meaning.bone, lang)
            if meaning.side in (Side.UNKNOWN, Side.MIDLINE):
                return bone
            return f"{bone}, {self.title(meaning.side, lang).lower()}"
        vs = self._by_meaning.get(meaning_key(meaning))
        return vs.title.get(lang) if vs else str(meaning)

    def valueset(self, meaning: Meaning) -> ValueSetModel | None:
        """The value set that defines a meaning, if any."""
        return self._by_meaning.get(meaning_key(meaning))


def _bone_patterns(sets: Iterable[ValueSetModel]) -> tuple[tuple[re.Pattern[str], Bone], ...]:
    """One pattern per bone word; Dutch compounds with a side prefix count ("linkertibia")."""
    out: list[tuple[re.Pattern[str], Bone]] = []
    for vs in sets:
        if vs.site is None or vs.text is None:
            continue
        for word in (*vs.text.nl, *vs.text.en):
            body = r"\s+".join(re.escape(part) for part in word.lower().split())
            out.append((re.compile(rf"\b(?:linker|rechter)?{body}(?:s|e|en|ae|n)?\b"), vs.site))
    return tuple(out)


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
