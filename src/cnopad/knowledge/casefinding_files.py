"""The shapes of the three case-finding files (Pydantic models, validated on load) and code normalisation.

``score.yaml`` (signals, features, rules, site axes, threshold), ``note_terms.yaml`` (Dutch terms and when a
mention counts) and ``synthetic_vocabulary.yaml``. The loader, the cross-reference checks and the
``CaseFinding`` view over them are in ``casefinding.py``, which re-exports these names.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cnopad.domain.codes import SYSTEM_ALIASES
from cnopad.domain.concepts import Concept
from cnopad.knowledge.files import statement_ids
from cnopad.knowledge.valuesets import Text

Scope = Literal["adult", "child", "any"]
TableName = Literal["condition_occurrence", "drug_exposure", "procedure_occurrence", "measurement", "observation"]
Match = Literal["exact", "prefix"]

_FROZEN = ConfigDict(extra="forbid", frozen=True)
#: ICD codes compare without the dot; ATC and ICPC in upper case (as cnopad.domain.codes does for URIs)
_DOTLESS = frozenset({"ICD10", "ICD10CM"})
_UPPER = frozenset({"ICD10", "ICD10CM", "ATC", "ICPC2"})
#: system URI -> the short name used in knowledge files (``icd10``, ``snomed``, ...)
SHORT_NAMES = {system.value: short for short, system in SYSTEM_ALIASES.items()}


def normalise(vocabulary_id: str, code: str) -> str:
    """The comparable form of an OMOP concept_code in a vocabulary (ICD without dot; ICD, ATC, ICPC upper case)."""
    code = code.strip()
    if vocabulary_id in _DOTLESS:
        code = code.replace(".", "")
    return code.upper() if vocabulary_id in _UPPER else code


class CodeRef(BaseModel):
    """One (vocabulary_id, concept_code) pair, or a code prefix, with its display and citation."""

    model_config = _FROZEN
    vocabulary: str = Field(min_length=1)
    code: str = Field(min_length=1)
    match: Match = "exact"
    display: str = Field(min_length=1)
    reference: str = Field(min_length=1)
    site: str | None = None


class UnitRef(BaseModel):
    """A UCUM unit a measurement is read in, and its factor to the rule's unit (from the labs value set)."""

    model_config = _FROZEN
    vocabulary: str = "UCUM"
    code: str = Field(min_length=1)
    factor: float = Field(gt=0)
    reference: str = Field(min_length=1)


class SignalSource(BaseModel):
    """Where a signal's events come from: coded rows in CDM tables, or note terms."""

    model_config = _FROZEN
    tables: tuple[TableName, ...] = ()
    valuesets: tuple[Concept, ...] = ()
    codes: tuple[CodeRef, ...] = ()
    negative_values: tuple[CodeRef, ...] = ()
    note_terms: tuple[str, ...] = ()
    #: what a counted note mention stands for: a result (``negative``: a negative culture), else an event
    note_result: Literal["negative"] | None = None
    descendants: bool = True

    @model_validator(mode="after")
    def _coded_or_text(self) -> SignalSource:
        if self.note_result is not None and not self.note_terms:
            msg = "note_result needs note_terms"
            raise ValueError(msg)
        coded = bool(self.valuesets or self.codes)
        if coded and not self.tables:
            msg = "coded sources need `tables`"
            raise ValueError(msg)
        if not coded and not self.note_terms:
            msg = "give codes (valuesets, codes) or note_terms"
            raise ValueError(msg)
        return self


class Signal(BaseModel):
    """A named concept set: the records that count as one kind of evidence."""

    model_config = _FROZEN
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Text
    sources: tuple[SignalSource, ...] = ()
    include_signals: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _not_empty(self) -> Signal:
        if not self.sources and not self.include_signals:
            msg = "give sources or include_signals"
            raise ValueError(msg)
        return self


class After(BaseModel):
    """A second signal that must be recorded within a window of days after the feature's signal ended.

    A negative ``min_days_after_end`` lets the window start before the end (e.g. a note written during the
    last weeks of a course).
    """

    model_config = _FROZEN
    signal: str
    min_days_after_end: int = Field(ge=-365)
    max_days_after_end: int = Field(ge=1)

    @model_validator(mode="after")
    def _window(self) -> After:
        if self.max_days_after_end < self.min_days_after_end:
            msg = "max_days_after_end must be at least min_days_after_end"
            raise ValueError(msg)
        return self


class Rule(BaseModel):
    """When a feature's signal counts; every field left out is no condition."""

    model_config = _FROZEN
    min_span_days: int | None = Field(default=None, ge=1)
    min_sites: int | None = Field(default=None, ge=2)
    within_days: int | None = Field(default=None, ge=1)
    min_days: int | None = Field(default=None, ge=1)
    course_days: int | None = Field(default=None, ge=1)
    max_value: float | None = None
    unit: str | None = None
    all_negative: bool = False
    #: any one of these following signals, each in its own window, is enough
    after: tuple[After, ...] = ()

    @field_validator("after", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        if (self.max_value is None) != (self.unit is None):
            msg = "max_value and unit go together"
            raise ValueError(msg)
        if self.within_days is not None and self.min_span_days is None and self.min_sites is None:
            msg = "within_days bounds min_span_days or min_sites: give one of them"
            raise ValueError(msg)
        if self.within_days is not None and self.min_span_days is not None and self.within_days < self.min_span_days:
            msg = "within_days must be at least min_span_days"
            raise ValueError(msg)
        if self.course_days is not None and self.min_days is None:
            msg = "course_days bounds min_days: give it"
            raise ValueError(msg)
        return self

    @property
    def has_threshold(self) -> bool:
        """True when the rule holds a number a product owner chose."""
        values = (self.min_span_days, self.min_sites, self.within_days, self.min_days, self.course_days, self.max_value)
        return bool(self.after) or any(v is not None for v in values)

    @property
    def windowed(self) -> bool:
        """True when the rule looks at pairs of records or at courses (not at whole-record totals)."""
        return self.within_days is not None or self.course_days is not None


class Feature(BaseModel):
    """One scored feature: points when its signal meets its rule, in its age scope."""

    model_config = _FROZEN
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    scope: Scope
    points: int = Field(ge=1, le=10)
    signal: str
    rule: Rule = Rule()
    requires: tuple[str, ...] = ()
    title: Text
    statements: tuple[str, ...] = ()
    reference: str | None = None
    inference: str | None = None

    _ids = field_validator("statements")(statement_ids)

    @model_validator(mode="after")
    def _cited_and_explained(self) -> Feature:
        if not self.statements and not self.reference:
            msg = "cite statements or a reference"
            raise ValueError(msg)
        if (self.rule.has_threshold or self.requires) and not self.inference:
            msg = "a threshold or a requirement is a product choice: explain it in `inference`"
            raise ValueError(msg)
        return self


class Threshold(BaseModel):
    """The points from which a person is listed for review."""

    model_config = _FROZEN
    points: int = Field(ge=1)
    inference: str = Field(min_length=1)


class SiteAxis(BaseModel):
    """Where a code system spells the body site and side in a code's characters (e.g. ICD-10-CM M86.161).

    Positions count the characters of the code without its dot, from 1 (M86161: 5 = site, 6 = side).
    """

    model_config = _FROZEN
    vocabulary: str = Field(min_length=1)
    prefixes: tuple[str, ...] = Field(min_length=1)
    site_character: int = Field(ge=1)
    sites: dict[str, str]
    side_character: int | None = Field(default=None, ge=1)
    sides: dict[str, str] = Field(default_factory=dict)
    reference: str = Field(min_length=1)

    @field_validator("sites", "sides")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value.values():
            if not re.fullmatch(r"[a-z][a-z_]*", name):
                msg = f"site or side {name!r} must be lower-case letters and underscores"
                raise ValueError(msg)
        return value

    def site_of(self, vocabulary_id: str, code: str) -> str | None:
        """The site (``region`` or ``region_side``) a code names, or None when it names none."""
        norm = normalise(vocabulary_id, code)
        if vocabulary_id != self.vocabulary or not norm.startswith(
            tuple(normalise(self.vocabulary, p) for p in self.prefixes)
        ):
            return None
        if len(norm) < self.site_character:
            return None
        region = self.sites.get(norm[self.site_character - 1])
        if region is None:
            return None
        side = None
        if self.side_character is not None and len(norm) >= self.side_character:
            side = self.sides.get(norm[self.side_character - 1])
        return f"{region}_{side}" if side else region


class VocabularyMap(BaseModel):
    """cnopad value-set systems to OMOP vocabulary_id."""

    model_config = _FROZEN
    reference: str = Field(min_length=1)
    map: dict[str, str]


class ScoreFile(BaseModel):
    """``score.yaml``: signals, features, threshold."""

    model_config = _FROZEN
    version: str
    topic: Literal["casefinding"]
    adult_age: int = Field(ge=1)
    age_inference: str
    omop_vocabularies: VocabularyMap
    threshold: Threshold
    diagnosed_signal: str
    site_axes: tuple[SiteAxis, ...] = ()
    signals: tuple[Signal, ...]
    features: tuple[Feature, ...]


class ContextRuleSpec(BaseModel):
    """A context rule added to clinlp's defaults."""

    model_config = _FROZEN
    qualifier: str = Field(pattern=r"^(Presence|Temporality|Experiencer)\.[A-Za-z]+$")
    direction: Literal["preceding", "following", "bidirectional", "pseudo", "termination"]
    max_scope: int | None = Field(default=None, ge=1)
    patterns: tuple[str, ...] = Field(min_length=1)
    inference: str = Field(min_length=1)


class CountsWhen(BaseModel):
    """The clinlp qualifier values under which a mention counts."""

    model_config = _FROZEN
    presence: tuple[str, ...]
    experiencer: tuple[str, ...]
    temporality: tuple[str, ...]
    inference: str = Field(min_length=1)


class NoteTerm(BaseModel):
    """One Dutch term."""

    model_config = _FROZEN
    term: str = Field(min_length=2)


class _StemmedTerms(BaseModel):
    """Terms, and the stems that pre-select texts for them (shared by term groups and site groups)."""

    model_config = _FROZEN
    stems: tuple[str, ...] = Field(min_length=1)
    terms: tuple[NoteTerm, ...] = Field(min_length=1)

    @field_validator("stems")
    @classmethod
    def _ascii_lower(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _ascii_stems(value)


class TermGroup(_StemmedTerms):
    """Terms that mean one thing, and the stems that pre-select notes for them."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")


def _ascii_stems(value: tuple[str, ...]) -> tuple[str, ...]:
    """Stems pre-select texts with a lower-case regular expression: plain ASCII letters only."""
    for stem in value:
        if not re.fullmatch(r"[a-z]{3,}", stem):
            msg = f"stem {stem!r} must be at least 3 lower-case ASCII letters"
            raise ValueError(msg)
    return value


_SITE_NAME = r"^[a-z][a-z_]*$"


class SiteGroup(_StemmedTerms):
    """Words (Dutch and English) that name one body site, and the stems that pre-select texts for them."""

    site: str = Field(pattern=_SITE_NAME)


class SiteTerms(BaseModel):
    """Body sites and sides of a bone complaint read from free text (notes and the text of coded conditions)."""

    model_config = _FROZEN
    #: the term-group id a signal names in ``note_terms`` to receive note mentions of a site
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    statements: tuple[str, ...] = Field(min_length=1)
    reference: str = Field(min_length=1)
    inference: str = Field(min_length=1)
    #: how many tokens either side of a site word a side word may stand
    side_window: int = Field(ge=1, le=10)
    sides: dict[Literal["left", "right", "both"], tuple[str, ...]]
    #: a note names a site only with one of these words, counted, in the same sentence
    complaint: TermGroup
    groups: tuple[SiteGroup, ...] = Field(min_length=1)

    _ids = field_validator("statements")(statement_ids)

    @field_validator("sides")
    @classmethod
    def _all_sides(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        if set(value) != {"left", "right", "both"} or not all(value.values()):
            msg = "give words for left, right and both"
            raise ValueError(msg)
        return value

    def label(self, site: str) -> str:
        """The clinlp entity label of a site group."""
        return f"{self.id}:{site}"


class NoteTermsFile(BaseModel):
    """``note_terms.yaml``."""

    model_config = _FROZEN
    version: str
    topic: Literal["note_terms"]
    counts_when: CountsWhen
    extra_context_rules: tuple[ContextRuleSpec, ...] = ()
    groups: tuple[TermGroup, ...]
    sites: SiteTerms | None = None

    @model_validator(mode="after")
    def _distinct_ids(self) -> NoteTermsFile:
        ids = [g.id for g in self.groups]
        if self.sites is not None:
            ids += [self.sites.id, self.sites.complaint.id]
        if len(set(ids)) != len(ids):
            msg = "term group ids (with sites.id and sites.complaint.id) must be unique"
            raise ValueError(msg)
        return self


class SyntheticConcept(BaseModel):
    """A concept the synthetic population uses."""

    model_config = _FROZEN
    key: str
    vocabulary: str
    code: str
    name: str
    domain: str
    standard: bool = False
    reference: str = Field(min_length=1)


class SyntheticCode(BaseModel):
    """An RxNorm code and name."""

    model_config = _FROZEN
    code: str
    name: str


class SyntheticDrug(BaseModel):
    """A drug: its ATC classes (broad to narrow), RxNorm ingredient and one clinical drug."""

    model_config = _FROZEN
    key: str
    atc: tuple[str, ...] = Field(min_length=1)
    ingredient: SyntheticCode
    product: SyntheticCode
    reference: str = Field(min_length=1)


class SyntheticVocabularyFile(BaseModel):
    """``synthetic_vocabulary.yaml``."""

    model_config = _FROZEN
    version: str
    topic: Literal["synthetic_vocabulary"]
    concepts: tuple[SyntheticConcept, ...]
    drugs: tuple[SyntheticDrug, ...]
