"""Diagnostic and classification criteria as data (issue 13), and the diagnostic path of the two sources.

``knowledge/criteria/*.yaml`` holds one instrument per file (Jansson 2009, EULAR/ACR 2025, Bristol 2016, SAPHO
Kahn 2003): its purpose, population, performance, what was verified where, and items that each name a record
*fact*. ``knowledge/criteria_facts.yaml`` says how each fact is decided from the record;
``knowledge/diagnostic_path.yaml`` holds the steps of the sources' diagnostic path and the adult notice
(NHG-DX-DELAY-1: no validated criteria for CNO-SCCH). Everything is validated on load; the evaluators live in
``cnopad.engine.criteria`` (a fact named here without an evaluator fails at start-up there).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cnopad.domain import CareRole, Concept
from cnopad.errors import KnowledgeBaseError
from cnopad.knowledge.files import index_unique, knowledge_file, knowledge_files, parse, statement_ids
from cnopad.knowledge.valuesets import Text

ItemRole = Literal["item", "entry", "exclusion", "domain"]
Method = Literal["points", "entry_exclusion_domains", "logic"]
Purpose = Literal["diagnostic_aid", "classification"]
AgeGroupName = Literal["child", "adult"]
_ID = r"^[a-z0-9][a-z0-9-]*$"
_FACT = r"^[a-z][a-z0-9_]*$"


class Checked(BaseModel):
    """Whether a part of an instrument was verified against a source, and where (shown on every output)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    verified: bool
    where: Text


class Item(BaseModel):
    """One criterion: what it says, which record fact decides it, and its points where the method has points."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=_ID)
    fact: str = Field(pattern=_FACT)
    text: Text
    role: ItemRole = "item"
    points: int | None = Field(default=None, ge=0)


class Expr(BaseModel):
    """A three-valued expression over item ids: all / any / none of its parts."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    op: Literal["all", "any", "none"]
    of: tuple[Expr | str, ...] = Field(min_length=1)

    def item_ids(self) -> set[str]:
        """Every item id the expression names."""
        out: set[str] = set()
        for part in self.of:
            out |= part.item_ids() if isinstance(part, Expr) else {part}
        return out


class Instrument(BaseModel):
    """One criteria set or score (``knowledge/criteria/<id>.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=_ID)
    version: str
    rank: int = Field(ge=1)  # display order
    title: Text
    citation: str = Field(min_length=10)
    doi: str | None = None
    purpose: Purpose
    purpose_text: Text
    population: Text
    performance: Text | None = None
    ages: tuple[AgeGroupName, ...] = Field(min_length=1)
    adult_caution: Text | None = None
    method: Method
    threshold: int | None = None
    max_points: int | None = None
    weights: Checked
    content: Checked
    interpretation: Text
    logic: Expr | None = None
    items: tuple[Item, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Instrument:
        ids = [i.id for i in self.items]
        if len(set(ids)) != len(ids):
            msg = "items: an item id is used twice"
            raise ValueError(msg)
        if self.method == "points":
            if self.threshold is None or self.max_points is None or any(i.points is None for i in self.items):
                msg = "a points instrument needs threshold, max_points and points on every item"
                raise ValueError(msg)
            if sum(i.points or 0 for i in self.items) != self.max_points:
                msg = f"the item points do not sum to max_points {self.max_points}"
                raise ValueError(msg)
        if self.method == "logic":
            if self.logic is None:
                msg = "a logic instrument needs `logic`"
                raise ValueError(msg)
            unknown = self.logic.item_ids() - set(ids)
            if unknown:
                msg = f"logic names unknown items {sorted(unknown)}"
                raise ValueError(msg)
        if self.method == "entry_exclusion_domains" and not any(i.role == "entry" for i in self.items):
            msg = "an entry/exclusion/domain instrument needs at least one entry item"
            raise ValueError(msg)
        if "adult" in self.ages and self.adult_caution is None:
            msg = "an instrument shown to adults needs adult_caution (NHG-DX-DELAY-1: no validated criteria)"
            raise ValueError(msg)
        return self


class FactText(BaseModel):
    """How one record fact is decided (``mapping``) and the notes its evaluator may add."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    mapping: Text
    notes: dict[str, Text] = Field(default_factory=dict)


class FactBook(BaseModel):
    """``knowledge/criteria_facts.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    facts: dict[str, FactText]


class DoneWhen(BaseModel):
    """What in the record makes a step done: events of these concepts, imaging of these modalities, a referral
    to these targets, or a care-team member with these roles."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    concepts: tuple[Concept, ...] = ()
    imaging: tuple[Concept, ...] = ()
    referrals: tuple[Concept, ...] = ()
    roles: tuple[CareRole, ...] = ()


class StepSuggestion(BaseModel):
    """A draft FHIR ServiceRequest a card offers for a step not yet done."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    concept: Concept
    label: Text


class PathStep(BaseModel):
    """One step of the diagnostic path, with the statements it rests on."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=_ID)
    kind: Literal["check", "results", "note", "biopsy"]
    statements: tuple[str, ...] = Field(min_length=1)
    text: Text
    done_when: DoneWhen = DoneWhen()
    suggest: tuple[StepSuggestion, ...] = ()

    _ids = field_validator("statements")(statement_ids)


class Notice(BaseModel):
    """A fixed message with its statements (the adult 'no validated criteria' notice)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    statements: tuple[str, ...] = Field(min_length=1)
    text: Text

    _ids = field_validator("statements")(statement_ids)


StepState = Literal["done", "todo", "note", "needed", "may_be_avoided", "consider"]
StatusName = Literal["met", "not_met", "undetermined", "not_computed", "excluded", "not_applicable"]


class CardWording(BaseModel):
    """Fixed words of the diagnostic-path card (CDS patient-view) in both languages."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    summary: Text
    path_heading: Text
    criteria_heading: Text
    weights_unverified: Text
    content_unverified: Text
    unknown_items: Text
    result: Text
    purposes: dict[Purpose, Text]

    @field_validator("summary")
    @classmethod
    def _placeholders(cls, value: Text) -> Text:
        for text in (value.nl, value.en):
            if "{done}" not in text or "{total}" not in text:
                msg = "the summary needs the placeholders {done} and {total}"
                raise ValueError(msg)
        return value


class DiagnosticPath(BaseModel):
    """``knowledge/diagnostic_path.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    adult_notice: Notice
    states: dict[StepState, Text]
    card: CardWording
    statuses: dict[StatusName, Text]
    adult: tuple[PathStep, ...] = Field(min_length=1)
    child: tuple[PathStep, ...] = Field(min_length=1)

    @property
    def all_statements(self) -> tuple[str, ...]:
        """Every statement the path and the notice cite."""
        seen: dict[str, None] = dict.fromkeys(self.adult_notice.statements)
        for step in (*self.adult, *self.child):
            seen.update(dict.fromkeys(step.statements))
        return tuple(seen)


class CriteriaBook:
    """The instruments (in file order), the fact texts and the diagnostic path."""

    __slots__ = ("facts", "instruments", "path", "version")

    def __init__(self, instruments: tuple[Instrument, ...], facts: FactBook, path: DiagnosticPath) -> None:
        self.instruments = instruments
        self.facts = facts
        self.path = path
        names = ",".join(f"{i.id}@{i.version}" for i in instruments)
        self.version = f"criteria[{names}];facts@{facts.version};path@{path.version}"

    def get(self, instrument_id: str) -> Instrument:
        """An instrument by id (KeyError when unknown)."""
        for instrument in self.instruments:
            if instrument.id == instrument_id:
                return instrument
        raise KeyError(instrument_id)

    @property
    def all_statements(self) -> tuple[str, ...]:
        """Every statement the criteria knowledge cites."""
        return self.path.all_statements


def load_criteria() -> CriteriaBook:
    """Read and validate the criteria, the fact texts and the diagnostic path; KnowledgeBaseError when invalid."""
    instruments = tuple(
        sorted((parse(Instrument, name, text) for name, text in knowledge_files("criteria")), key=lambda i: i.rank)
    )
    index_unique("knowledge/criteria", "instrument", instruments, "id")
    name, text = knowledge_file("criteria_facts.yaml")
    facts = parse(FactBook, name, text)
    for instrument in instruments:
        for item in instrument.items:
            if item.fact not in facts.facts:
                msg = (
                    f"knowledge/criteria/{instrument.id}.yaml: item {item.id!r} names fact {item.fact!r}, "
                    "which criteria_facts.yaml does not describe"
                )
                raise KnowledgeBaseError(msg)
    name, text = knowledge_file("diagnostic_path.yaml")
    return CriteriaBook(instruments, facts, parse(DiagnosticPath, name, text))
