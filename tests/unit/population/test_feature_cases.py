"""Every feature of the screening score fires on its case and stays silent on its near misses (cases/features.yaml)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from cnopad.knowledge.casefinding import casefinding
from cnopad.population import screen_tables
from support.omop import OmopBuilder

CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "cases" / "features.yaml").read_text("utf-8"))


def build(case: dict[str, Any]) -> OmopBuilder:
    b = OmopBuilder().person(1, case["born"])
    for r in case["records"]:
        day: date = r["date"]
        if "condition" in r:
            b.condition(1, day, r["condition"], text=r.get("text"))
        elif "condition_standard" in r:
            b.condition(1, day, r["condition_standard"], column="standard")
        elif "observation" in r:
            b.observation(1, day, r["observation"])
        elif "drug" in r:
            b.drug(1, day, r["drug"], r["days"], ancestors=r.get("ancestors", ()), source=r.get("source"))
        elif "measurement" in r:
            b.measurement(1, day, r["measurement"], value=r.get("value"), unit=r.get("unit"), result=r.get("result"))
        elif "procedure" in r:
            b.procedure(1, day, r["procedure"])
        elif "note" in r:
            b.note(1, day, r["note"])
        else:  # pragma: no cover - a broken case file
            raise AssertionError(f"unknown record {r}")
    return b


def fired(case: dict[str, Any]) -> bool:
    scores = screen_tables(build(case).tables()).scores
    rows = [r for r in scores.to_pylist() if r["person_id"] == 1]
    return bool(rows and rows[0][case["feature"]])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_feature_case(case: dict[str, Any]) -> None:
    assert fired(case) is case["fires"]


def test_every_feature_has_a_case_that_fires_and_a_near_miss() -> None:
    covered = {(c["feature"], c["fires"]) for c in CASES}
    missing = [(f.id, fires) for f in casefinding().features for fires in (True, False) if (f.id, fires) not in covered]
    assert missing == []
