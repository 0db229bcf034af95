"""``cnopad criteria BUNDLE.json`` through the real command line: the JSON contract, the adult notice, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from cnopad.cli import app
from conftest import ROOT

CNOPAD_BIN = Path(sys.executable).parent / "cnopad"
ADULT = ROOT / "examples" / "bundles" / "volwassene-nieuw-vermoeden-cno-scch.json"
CHILD = ROOT / "src" / "cnopad" / "services" / "demo_bundles" / "demo-child-unifocal.json"
runner = CliRunner()


def _criteria(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["criteria", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_criteria_json_has_instruments_path_and_the_adult_notice_for_an_adult() -> None:
    data = _criteria(str(ADULT), "--as-of", "2026-11-29", "--lang", "en")
    assert {"patient", "as_of", "lang", "age_group", "notice", "instruments", "diagnostic_path", "unrecognized"} <= set(
        data
    )
    assert data["age_group"] == "adult"
    assert data["notice"]["statements"] == ["NHG-DX-DELAY-1"]
    jansson = next(i for i in data["instruments"] if i["id"] == "jansson-2009")
    assert jansson["weights_verified"] is False
    assert jansson["score"]["threshold"] == 39 and jansson["score"]["of"] == 63
    assert jansson["score"]["min"] <= jansson["score"]["max"]
    assert {i["state"] for i in jansson["items"]} <= {"present", "absent", "unknown"}
    eular = next(i for i in data["instruments"] if i["id"] == "eular-acr-2025")
    assert eular["status"] == "not_applicable" and eular["items"] == []
    steps = {s["id"]: s for s in data["diagnostic_path"]}
    assert steps["labs"]["state"] == "done" and steps["labs"]["done_on"]
    assert steps["specialist"]["suggestions"][0]["actions"][0]["resource"]["resourceType"] == "ServiceRequest"


def test_criteria_for_a_child_with_one_lesion_say_a_biopsy_is_needed_and_the_eular_score_is_not_computed() -> None:
    data = _criteria(str(CHILD), "--as-of", "2026-11-29")
    assert data["notice"] is None
    eular = next(i for i in data["instruments"] if i["id"] == "eular-acr-2025")
    assert eular["status"] == "not_computed" and eular["status_reason"] == "weights_not_verified"
    biopsy = next(s for s in data["diagnostic_path"] if s["id"] == "biopsy")
    assert biopsy["state"] == "needed"


def test_criteria_text_output_says_the_weights_are_not_verified() -> None:
    result = runner.invoke(app, ["criteria", str(ADULT), "--as-of", "2026-11-29", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "weights NOT verified" in result.stdout
    assert "no validated" in result.stdout


def test_bad_input_exits_2_naming_the_place(tmp_path: Path) -> None:
    bad = ROOT / "examples" / "bad" / "pain-score-12.json"
    result = subprocess.run(
        [str(CNOPAD_BIN), "criteria", str(bad)], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 2
    assert "Bundle.entry[1].resource.valueInteger" in result.stderr
    result = subprocess.run(
        [str(CNOPAD_BIN), "criteria", str(ADULT), "--as-of", "29-11-2026"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 2 and "--as-of" in result.stderr
