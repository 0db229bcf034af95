"""The invariant checker itself: it accepts the specification's own examples and catches violations."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from cnopad.api.cds_hooks import models
from support.cds_conformance import check_discovery, check_feedback, check_request, check_response

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cds_hooks"


def _load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())  # type: ignore[no-any-return]


def test_the_specifications_examples_conform() -> None:
    assert check_discovery(_load("discovery.json")) == []
    assert check_request(_load("request-patient-view.json")) == []
    assert check_response(_load("response.json")) == []
    for name in ("feedback-accepted.json", "feedback-overridden.json", "feedback-overridden-reason.json"):
        assert check_feedback(_load(name)) == []


def test_cnopads_models_read_the_specifications_examples() -> None:
    models.HookRequest.model_validate(_load("request-patient-view.json"))
    response = models.HookResponse.model_validate(_load("response.json"))
    for name in ("feedback-accepted.json", "feedback-overridden.json", "feedback-overridden-reason.json"):
        models.FeedbackRequest.model_validate(_load(name))
    assert check_response(response.dump()) == []


VIOLATIONS = [
    ("summary of 140 characters", lambda c: c.update(summary="x" * 140), "must be < 140"),
    ("unknown indicator", lambda c: c.update(indicator="hard-stop"), "indicator"),
    ("no source label", lambda c: c.update(source={"url": "https://example.com"}), "source.label"),
    (
        "suggestions without selectionBehavior (cds-resp-6)",
        lambda c: c.update(suggestions=[{"label": "Do it"}]),
        "cds-resp-6",
    ),
    ("bad selectionBehavior (cds-resp-1)", lambda c: c.update(selectionBehavior="all"), "cds-resp-1"),
    (
        "delete without resourceId (cds-resp-2)",
        lambda c: c.update(
            selectionBehavior="any", suggestions=[{"label": "x", "actions": [{"type": "delete", "description": "d"}]}]
        ),
        "cds-resp-2",
    ),
    (
        "appContext on an absolute link (cds-resp-3)",
        lambda c: c.update(links=[{"label": "l", "url": "https://x", "type": "absolute", "appContext": "{}"}]),
        "cds-resp-3",
    ),
    (
        "override reason without display (cds-resp-4)",
        lambda c: c.update(overrideReasons=[{"system": "s", "code": "c"}]),
        "cds-resp-4",
    ),
    (
        "action without description (cds-resp-5)",
        lambda c: c.update(
            selectionBehavior="any",
            suggestions=[{"label": "x", "actions": [{"type": "create", "resource": {"resourceType": "Task"}}]}],
        ),
        "cds-resp-5",
    ),
    ("null element", lambda c: c.update(detail=None), "null"),
    ("empty list", lambda c: c.update(links=[]), "empty"),
]


@pytest.mark.parametrize(("case", "change", "expected"), VIOLATIONS, ids=[v[0] for v in VIOLATIONS])
def test_the_checker_and_the_models_catch_each_violation(case: str, change: Any, expected: str) -> None:
    body = _load("response.json")
    card = copy.deepcopy(body["cards"][1])
    change(card)
    body["cards"] = [card]
    problems = check_response(body)
    assert any(expected in p for p in problems), problems
    if expected not in ("null", "empty"):
        with pytest.raises(ValidationError):
            models.Card.model_validate(card)
