"""Task schedules (``knowledge/schedules.yaml``): which generator computes which tasks, and their wording."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cnopad.knowledge.files import index_unique, knowledge_file, parse, statement_ids
from cnopad.knowledge.rules import PREDICATE_NAME
from cnopad.knowledge.statements import Scope
from cnopad.knowledge.valuesets import Text


class ScheduleModel(BaseModel):
    """One kind of task: its generator, statements, wording and intervals."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: str = Field(pattern=PREDICATE_NAME)
    scope: Scope
    generator: str = Field(pattern=PREDICATE_NAME)
    statements: tuple[str, ...] = Field(min_length=1)
    params: dict[str, int] = Field(default_factory=dict)
    title: Text
    notes: dict[str, Text] = Field(default_factory=dict)
    inference: Text | None = None

    _ids = field_validator("statements")(statement_ids)


class ScheduleFile(BaseModel):
    """``knowledge/schedules.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    schedules: tuple[ScheduleModel, ...]


@dataclass(frozen=True)
class ScheduleBook:
    """Task kinds in file order, by kind."""

    schedules: tuple[ScheduleModel, ...]
    by_kind: dict[str, ScheduleModel]
    version: str


def load_schedules() -> ScheduleBook:
    """Read and validate ``knowledge/schedules.yaml``; a kind defined twice is an error."""
    name, text = knowledge_file("schedules.yaml")
    parsed = parse(ScheduleFile, name, text)
    return ScheduleBook(parsed.schedules, index_unique(name, "task kind", parsed.schedules, "kind"), parsed.version)
