"""The statement catalog: the 98 statements of the two sources with their kind, scope and cautions.

The package holds a copy of ``catalog/statements.yaml`` so that the knowledge base can refuse, at
start-up, a rule or text that cites an unknown id or applies an adult statement to children.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from cnopad.errors import NotFoundError
from cnopad.knowledge.files import STATEMENT_ID_PATTERN, knowledge_file, parse


class Scope(StrEnum):
    """Whom a statement (and so a rule, task or text) applies to; age at the assessment date decides."""

    ADULT = "adult"
    CHILD = "child"
    ANY = "any"


class StatementKind(StrEnum):
    """What the product does with a statement (statements.yaml header)."""

    FACT = "fact"
    ADVICE = "advice"
    SAFETY = "safety"
    SCHEDULE = "schedule"
    DIAGNOSTIC = "diagnostic"
    REFERRAL = "referral"
    PATIENT = "patient"


#: kinds that a rule (a card) covers; schedules are covered by tasks, facts and patient texts by texts
RULE_KINDS = frozenset({StatementKind.ADVICE, StatementKind.SAFETY, StatementKind.DIAGNOSTIC, StatementKind.REFERRAL})
TEXT_KINDS = frozenset({StatementKind.FACT, StatementKind.PATIENT})


class Statement(BaseModel):
    """One statement of a source, paraphrased, with the situation that makes it apply."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=STATEMENT_ID_PATTERN)
    doc: str
    section: str
    kind: StatementKind
    scope: Scope
    says: str
    when: str | None = None
    caution: str | None = None
    inference: str | None = None


class StatementFile(BaseModel):
    """The catalog file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class StatementCatalog:
    """Look-up of statements by id, in catalog order."""

    statements: tuple[Statement, ...]
    by_id: dict[str, Statement]

    def get(self, statement_id: str) -> Statement:
        """The statement with this id; NotFoundError for an unknown id."""
        found = self.by_id.get(statement_id.upper())
        if found is None:
            msg = f"no statement {statement_id!r} in the catalog"
            raise NotFoundError(msg)
        return found

    def __contains__(self, statement_id: object) -> bool:
        return statement_id in self.by_id

    def scope_of(self, statement_ids: tuple[str, ...]) -> Scope:
        """The narrowest scope the statements allow: adult or child if any of them is, else any."""
        scopes = {self.by_id[s].scope for s in statement_ids if s in self.by_id} - {Scope.ANY}
        return scopes.pop() if len(scopes) == 1 else Scope.ANY


def load_statements() -> StatementCatalog:
    """Read and validate the package copy of the catalog; duplicate ids are an error."""
    name, text = knowledge_file("statements.yaml")
    parsed = parse(StatementFile, name, text)
    by_id: dict[str, Statement] = {}
    for statement in parsed.statements:
        if statement.id in by_id:
            from cnopad.errors import KnowledgeBaseError

            msg = f"{name}: statement {statement.id} is listed twice"
            raise KnowledgeBaseError(msg)
        by_id[statement.id] = statement
    return StatementCatalog(parsed.statements, by_id)
