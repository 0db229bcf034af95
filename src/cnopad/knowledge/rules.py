"""Rules: when a card appears, what it says (nl/en), what it rests on and what it suggests.

One YAML file per topic in ``knowledge/rules``. A rule names the predicate that decides whether it
applies (``when``, a function in ``cnopad.engine.predicates``) or a list of ``items`` (a checklist:
one card listing every item whose predicate holds). Texts are cnopad's own words; anything the rule
adds beyond its statements is its ``inference``, shown as cnopad's own choice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cnopad.domain.concepts import Concept
from cnopad.knowledge.files import index_unique, knowledge_files, parse, statement_ids
from cnopad.knowledge.statements import Scope, StatementKind
from cnopad.knowledge.valuesets import Text

RULE_ID = r"^[a-z0-9][a-z0-9-]*$"
PREDICATE_NAME = r"^[a-z][a-z0-9_]*$"
#: CDS Hooks card.summary must be shorter than 140 characters
SUMMARY_LIMIT = 140


class Population(StrEnum):
    """Which patients a rule looks at, by the state of their CNO diagnosis."""

    CONFIRMED = "confirmed"  # a confirmed CNO diagnosis (any form)
    SUSPECTED = "suspected"  # a suspected CNO diagnosis, not (yet) confirmed
    CNO = "cno"  # suspected or confirmed
    NOT_CONFIRMED = "not_confirmed"  # no confirmed diagnosis (none, suspected or ruled out): case-finding
    ANY = "any"  # every patient in scope


class SuggestionModel(BaseModel):
    """An action a card offers: a FHIR resource to create (a request, a record of something done)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=RULE_ID)
    label: Text
    resource: Literal["ServiceRequest", "Procedure", "Condition"]
    concept: Concept
    recommended: bool = False


class RuleItem(BaseModel):
    """One situation of a rule: a predicate, the statements it rests on and the line it adds to the card."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=RULE_ID)
    when: str = Field(pattern=PREDICATE_NAME)
    statements: tuple[str, ...] = Field(min_length=1)
    text: Text | None = None
    inference: Text | None = None
    params: dict[str, int] = Field(default_factory=dict)

    suggestions: tuple[SuggestionModel, ...] = ()

    _ids = field_validator("statements")(statement_ids)


class Rule(BaseModel):
    """A rule: the situation (one predicate or a checklist of items) and the card it produces."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=RULE_ID)
    scope: Scope
    population: Population
    kind: Literal[StatementKind.ADVICE, StatementKind.SAFETY, StatementKind.DIAGNOSTIC, StatementKind.REFERRAL]
    indicator: Literal["info", "warning", "critical"]
    escalated_indicator: Literal["warning", "critical"] | None = None
    source: str = Field(pattern=RULE_ID)
    references: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    statements: tuple[str, ...] = ()
    when: str | None = Field(default=None, pattern=PREDICATE_NAME)
    params: dict[str, int] = Field(default_factory=dict)
    items: tuple[RuleItem, ...] = ()
    notes: dict[str, Text] = Field(default_factory=dict)
    summary: Text
    detail: Text
    inference: Text | None = None
    off_label: bool = False
    order_check: bool = False
    suggestions: tuple[SuggestionModel, ...] = ()
    selection_behavior: Literal["at-most-one", "any"] | None = None
    override_reasons: tuple[str, ...] = ()

    _ids = field_validator("statements")(statement_ids)

    @model_validator(mode="after")
    def _shape(self) -> Rule:
        if (self.when is None) == (not self.items):
            msg = "give either `when` (one situation) or `items` (a checklist), not both or neither"
            raise ValueError(msg)
        if self.when is not None and not self.statements:
            msg = "a rule with `when` must cite at least one statement"
            raise ValueError(msg)
        for lang in ("nl", "en"):
            if len(self.summary.get(lang)) >= SUMMARY_LIMIT:
                msg = (
                    f"summary.{lang} has {len(self.summary.get(lang))} characters; a card summary needs fewer than 140"
                )
                raise ValueError(msg)
        if self.kind == StatementKind.SAFETY and not self.override_reasons:
            msg = "a safety rule needs override_reasons (curated reasons a clinician may give)"
            raise ValueError(msg)
        if (self.suggestions or any(i.suggestions for i in self.items)) and self.selection_behavior is None:
            msg = "a rule with suggestions needs selection_behavior (at-most-one or any)"
            raise ValueError(msg)
        if len({i.id for i in self.items}) != len(self.items):
            msg = "item ids must be unique within a rule"
            raise ValueError(msg)
        return self

    @property
    def situations(self) -> tuple[RuleItem, ...]:
        """The rule's situations: its items, or one item made of ``when`` and ``statements``."""
        if self.items:
            return self.items
        assert self.when is not None  # noqa: S101 - guaranteed by the validator
        return (RuleItem(id=self.id, when=self.when, statements=self.statements, params=self.params),)

    @property
    def all_statements(self) -> tuple[str, ...]:
        """Every statement the rule may cite (its own and its items'), without repeats, in order."""
        seen: dict[str, None] = dict.fromkeys(self.statements)
        for item in self.items:
            seen.update(dict.fromkeys(item.statements))
        return tuple(seen)


class RuleFile(BaseModel):
    """One topic file of rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    topic: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class RuleBook:
    """Every rule, in file and file order (which is also the order of cards of equal urgency)."""

    rules: tuple[Rule, ...]
    by_id: dict[str, Rule]
    version: str

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)


def load_rules() -> RuleBook:
    """Read and validate every file in ``knowledge/rules``; a rule id used twice is an error."""
    rules: list[Rule] = []
    versions: list[str] = []
    by_id: dict[str, Rule] = {}
    for name, text in knowledge_files("rules"):
        parsed = parse(RuleFile, name, text)
        versions.append(f"{parsed.topic}@{parsed.version}")
        rules.extend(parsed.rules)
        by_id = index_unique(name, "rule", rules, "id")
    return RuleBook(tuple(rules), by_id, ";".join(versions))
