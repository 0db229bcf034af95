"""Wording of the step plan (``knowledge/step_plan.yaml``): step labels, reasons and prerequisites in nl/en."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cnopad.knowledge.files import knowledge_file, parse, statement_ids
from cnopad.knowledge.valuesets import Text

StepName = Literal["none", "nsaid", "bisphosphonate", "tnf", "other"]


class StepLine(BaseModel):
    """One line of the step plan (a reason or a prerequisite) and the statements it rests on."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    statements: tuple[str, ...] = Field(min_length=1)
    text: Text

    _ids = field_validator("statements")(statement_ids)


class StepPlanSide(BaseModel):
    """The wording for one age group (adults: NHG leaflet; children: CRMO parent information)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    always: StepLine
    reasons: dict[str, StepLine]
    prerequisites: dict[str, StepLine] = Field(default_factory=dict)


class StepPlanWording(BaseModel):
    """``knowledge/step_plan.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    params: dict[str, int]
    labels: dict[StepName, Text]
    states: dict[Literal["done", "missing"], Text]
    adult: StepPlanSide
    child: StepPlanSide

    @property
    def all_statements(self) -> tuple[str, ...]:
        """Every statement the step plan may cite."""
        seen: dict[str, None] = {}
        for side in (self.adult, self.child):
            for line in (side.always, *side.reasons.values(), *side.prerequisites.values()):
                seen.update(dict.fromkeys(line.statements))
        return tuple(seen)


def load_step_plan() -> StepPlanWording:
    """Read and validate ``knowledge/step_plan.yaml``."""
    name, text = knowledge_file("step_plan.yaml")
    return parse(StepPlanWording, name, text)
