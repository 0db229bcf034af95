"""The decision engine: ``assess(record, as_of, orders) -> Assessment``; pure and deterministic."""

from cnopad.engine.assess import assess
from cnopad.engine.assessment import (
    Action,
    Assessment,
    Card,
    Indicator,
    InformationItem,
    OverrideReason,
    Source,
    Step,
    StepPeriod,
    StepPlan,
    Suggestion,
    Task,
    TaskStatus,
)
from cnopad.engine.serialize import assessment_dict

__all__ = [
    "Action",
    "Assessment",
    "Card",
    "Indicator",
    "InformationItem",
    "OverrideReason",
    "Source",
    "Step",
    "StepPeriod",
    "StepPlan",
    "Suggestion",
    "Task",
    "TaskStatus",
    "assess",
    "assessment_dict",
]
