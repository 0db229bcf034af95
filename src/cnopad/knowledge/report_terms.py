"""Report text as data: the words cnopad reads in radiology and pathology reports (``report_terms.yaml``).

Validated when loaded: a concept that is not an imaging finding (or biopsy result, or modality) where one
is expected, a site that is not a domain ``Site``, a term twice in a group, a side word on two sides or
a section both read and skipped fails at start-up with file, item and field in the message. The reader
that applies these terms with clinlp lives in the FHIR adapter (``cnopad.fhir.report_text``): the core
never imports an NLP library.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cnopad.domain.concepts import Concept
from cnopad.domain.sites import Bone
from cnopad.knowledge.files import knowledge_file, parse, statement_ids

_FROZEN = ConfigDict(extra="forbid", frozen=True)

ReportKind = Literal["imaging", "biopsy"]
Qualifier = Literal["Presence", "Temporality", "Experiencer"]
Direction = Literal["preceding", "following", "bidirectional", "pseudo", "termination"]

#: the concepts a report's text may give, per kind of report (the ones the rules read)
FINDINGS: dict[str, frozenset[Concept]] = {
    "imaging": frozenset(
        {
            Concept.IMAGING_ACTIVITY,
            Concept.IMAGING_NO_ACTIVITY,
            Concept.OSTEOLYTIC_LESION,
            Concept.SOFT_TISSUE_INVOLVEMENT,
            Concept.HYPEROSTOSIS,
            Concept.SCLEROSIS,
            Concept.TUMOUR_NOT_EXCLUDED,
            Concept.IMAGING_NORMAL,
        }
    ),
    "biopsy": frozenset(
        {
            Concept.BIOPSY_CONSISTENT_WITH_CNO,
            Concept.BIOPSY_TUMOUR,
            Concept.BIOPSY_INFECTION,
            Concept.BIOPSY_NONSPECIFIC,
        }
    ),
}
#: the kinds of study a report's title may name
MODALITIES = frozenset(
    {
        Concept.XRAY,
        Concept.CT,
        Concept.SPECT_CT,
        Concept.PET,
        Concept.MRI,
        Concept.WHOLE_BODY_MRI,
        Concept.BONE_SCINTIGRAPHY,
        Concept.NUCLEAR_IMAGING,
    }
)


def _lower_unique(value: tuple[str, ...]) -> tuple[str, ...]:
    """Terms are written in lower case, each once (clinlp matches its normalised, lower-case tokens)."""
    seen: set[str] = set()
    for term in value:
        if not term.strip() or term != term.lower():
            msg = f"term {term!r} must be non-empty lower-case text"
            raise ValueError(msg)
        if term in seen:
            msg = f"term {term!r} is listed twice"
            raise ValueError(msg)
        seen.add(term)
    return value


class CountsWhen(BaseModel):
    """The clinlp Experiencer and Temporality values under which a mention is read."""

    model_config = _FROZEN
    experiencer: tuple[str, ...] = Field(min_length=1)
    temporality: tuple[str, ...] = Field(min_length=1)
    inference: str = Field(min_length=1)


class Sections(BaseModel):
    """Section labels (at the start of a line) whose text is read or skipped."""

    model_config = _FROZEN
    read: tuple[str, ...]
    skip: tuple[str, ...]
    inference: str = Field(min_length=1)

    _lower = field_validator("read", "skip")(_lower_unique)

    @model_validator(mode="after")
    def _disjoint(self) -> Sections:
        both = sorted(set(self.read) & set(self.skip))
        if both:
            msg = f"sections both read and skipped: {both}"
            raise ValueError(msg)
        return self


class DefaultPatterns(BaseModel):
    """clinlp default context patterns that do not apply to report text."""

    model_config = _FROZEN
    qualifier: str = Field(pattern=r"^(Presence|Temporality|Experiencer)\.[A-Za-z]+$")
    direction: Direction
    patterns: tuple[str, ...] = Field(min_length=1)
    inference: str = Field(min_length=1)


class ContextRule(BaseModel):
    """A context rule added to clinlp's defaults for report text."""

    model_config = _FROZEN
    qualifier: str = Field(pattern=r"^(Presence|Temporality|Experiencer)\.[A-Za-z]+$")
    direction: Direction
    max_scope: int | None = Field(default=None, ge=1)
    patterns: tuple[str, ...] = Field(min_length=1)
    inference: str = Field(min_length=1)

    _lower = field_validator("patterns")(_lower_unique)


class DroppedQualifier(BaseModel):
    """A clinlp qualifier class whose default rules do not apply to report text (its default value stays)."""

    model_config = _FROZEN
    qualifier: Qualifier
    inference: str = Field(min_length=1)


class Lists(BaseModel):
    """Words that join findings into a list a negation or hedge runs over."""

    model_config = _FROZEN
    connectors: tuple[str, ...] = Field(min_length=1)
    inference: str = Field(min_length=1)

    _lower = field_validator("connectors")(_lower_unique)


class Exceptions(BaseModel):
    """Words that make an exception to a negation in the same sentence."""

    model_config = _FROZEN
    words: tuple[str, ...] = Field(min_length=1)
    inference: str = Field(min_length=1)

    _lower = field_validator("words")(_lower_unique)


class ContextChanges(BaseModel):
    """What report text changes in clinlp's default context rules."""

    model_config = _FROZEN
    drop_default_qualifiers: tuple[DroppedQualifier, ...] = ()
    drop_default_patterns: tuple[DefaultPatterns, ...] = ()
    extra_rules: tuple[ContextRule, ...] = ()


class Reads(BaseModel):
    """The concept a mention gives for each qualified presence (none: the mention is not read)."""

    model_config = _FROZEN
    present: Concept | None = None
    uncertain: Concept | None = None
    absent: Concept | None = None

    def concepts(self) -> set[Concept]:
        """Every concept this group can give."""
        return {c for c in (self.present, self.uncertain, self.absent) if c is not None}


class TermGroup(BaseModel):
    """Words that mean one finding, and what a present, hedged or negated mention of them gives."""

    model_config = _FROZEN
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    applies_to: tuple[ReportKind, ...] = Field(min_length=1)
    locates: bool = False
    alone: bool = False
    reads: Reads
    statements: tuple[str, ...] = ()
    reference: str | None = None
    inference: str | None = None
    terms: tuple[str, ...] = Field(min_length=1)
    pseudo: tuple[str, ...] = ()

    _ids = field_validator("statements")(statement_ids)
    _lower = field_validator("terms", "pseudo")(_lower_unique)

    @model_validator(mode="after")
    def _fits_kind(self) -> TermGroup:
        allowed = frozenset().union(*(FINDINGS[k] for k in self.applies_to))
        wrong = sorted(c.value for c in self.reads.concepts() - allowed)
        if wrong:
            msg = f"reads {wrong}, which a {'/'.join(self.applies_to)} report cannot give"
            raise ValueError(msg)
        if self.reads.concepts() and not (self.statements or self.reference or self.inference):
            msg = "a group that gives a concept needs statements, a reference or an inference"
            raise ValueError(msg)
        return self


class Precedence(BaseModel):
    """A concept read from a report's text that drops others read from the same text."""

    model_config = _FROZEN
    concept: Concept
    drops: tuple[Concept, ...] = Field(min_length=1)


class CountWords(BaseModel):
    """Words that state a number of lesions by themselves ("unifocaal", "multifocal")."""

    model_config = _FROZEN
    count: int = Field(ge=1)
    terms: tuple[str, ...] = Field(min_length=1)

    _lower = field_validator("terms")(_lower_unique)


class LesionCount(BaseModel):
    """How a number of lesions is read: number words, the lesion nouns they count, words that are a count."""

    model_config = _FROZEN
    numbers: dict[str, int]
    max_digits: int = Field(ge=1)
    nouns: tuple[str, ...] = Field(min_length=1)
    not_between: tuple[str, ...] = ()
    words: tuple[CountWords, ...] = ()
    inference: str = Field(min_length=1)
    statements: tuple[str, ...] = ()

    _ids = field_validator("statements")(statement_ids)
    _lower = field_validator("nouns", "not_between")(_lower_unique)

    @field_validator("numbers")
    @classmethod
    def _positive_words(cls, value: dict[str, int]) -> dict[str, int]:
        for word, number in value.items():
            if word != word.lower() or " " in word or number < 1:
                msg = f"number word {word!r}: one lower-case word with a count of 1 or more"
                raise ValueError(msg)
        return value


class SiteTerms(BaseModel):
    """Words for one bone (the domain's ``Bone``); the side is read from separate words (``sides``)."""

    model_config = _FROZEN
    bone: Bone
    terms: tuple[str, ...] = Field(min_length=1)
    prefixes: tuple[str, ...] = ()

    _lower = field_validator("terms", "prefixes")(_lower_unique)


class Sides(BaseModel):
    """One-word names of the left, the right and both sides, and those that stand before their bone."""

    model_config = _FROZEN
    left: tuple[str, ...] = Field(min_length=1)
    right: tuple[str, ...] = Field(min_length=1)
    both: tuple[str, ...] = Field(min_length=1)
    before: tuple[str, ...] = ()

    _lower = field_validator("left", "right", "both", "before")(_lower_unique)

    @model_validator(mode="after")
    def _one_side_each(self) -> Sides:
        words = [*self.left, *self.right, *self.both]
        twice = sorted({w for w in words if words.count(w) > 1})
        if twice:
            msg = f"side words on more than one side: {twice}"
            raise ValueError(msg)
        loose = sorted({w for w in words if not re.fullmatch(r"[a-z]+", w)} | set(self.before) - set(words))
        if loose:
            msg = f"side words must be single lower-case words listed on a side: {loose}"
            raise ValueError(msg)
        return self

    def items(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """(side, words) for each side."""
        yield from (("left", self.left), ("right", self.right), ("both", self.both))


class ModalityTerms(BaseModel):
    """Words in a report's title that name the kind of study."""

    model_config = _FROZEN
    concept: Concept
    terms: tuple[str, ...] = Field(min_length=1)

    _lower = field_validator("terms")(_lower_unique)

    @field_validator("concept")
    @classmethod
    def _a_modality(cls, value: Concept) -> Concept:
        if value not in MODALITIES:
            msg = f"{value.value!r} is not a kind of imaging study"
            raise ValueError(msg)
        return value


class ReportTerms(BaseModel):
    """``report_terms.yaml``."""

    model_config = _FROZEN
    version: str
    topic: Literal["report_terms"]
    counts_when: CountsWhen
    sections: Sections
    context: ContextChanges
    lists: Lists
    exceptions: Exceptions
    groups: tuple[TermGroup, ...] = Field(min_length=1)
    precedence: tuple[Precedence, ...] = ()
    lesion_count: LesionCount
    sites: tuple[SiteTerms, ...] = Field(min_length=1)
    sides: Sides
    side_window: int = Field(ge=1, le=10)
    sites_inference: str = Field(min_length=1)
    modalities: tuple[ModalityTerms, ...] = ()
    imaging_titles: tuple[str, ...] = ()

    _titles = field_validator("imaging_titles")(_lower_unique)

    @model_validator(mode="after")
    def _consistent(self) -> ReportTerms:
        ids = [g.id for g in self.groups]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            msg = f"term groups defined twice: {twice}"
            raise ValueError(msg)
        readable = set().union(*(g.reads.concepts() for g in self.groups))
        for rule in self.precedence:
            unknown = sorted(c.value for c in {rule.concept, *rule.drops} - readable)
            if unknown:
                msg = f"precedence of {rule.concept.value}: no term group reads {unknown}"
                raise ValueError(msg)
        return self

    def groups_for(self, kind: ReportKind) -> tuple[TermGroup, ...]:
        """The term groups read in a report of this kind."""
        return tuple(g for g in self.groups if kind in g.applies_to)

    @property
    def statements(self) -> tuple[str, ...]:
        """Every statement id this file cites."""
        cited = [s for g in self.groups for s in g.statements]
        return tuple(dict.fromkeys([*cited, *self.lesion_count.statements]))


@cache
def report_terms() -> ReportTerms:
    """Load and validate ``report_terms.yaml`` (once per process); raises KnowledgeBaseError when invalid."""
    name, text = knowledge_file("report_terms.yaml")
    return parse(ReportTerms, name, text)
