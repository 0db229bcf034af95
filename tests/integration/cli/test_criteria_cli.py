"""``cnopad criteria BUNDLE.json`` through the real command line: the JSON contract, the adult notice, Jansson not
computed while its points are not verified (and a range with them marked verified, the near miss), errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import cnopad.cli.criteria as criteria_cli
from cnopad.cli import app
from cnopad.knowledge import knowledge
from conftest import ROOT
from support.criteria import with_verified_weights

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
    assert jansson["status"] == "not_computed" and jansson["status_reason"] == "weights_not_verified"
    assert jansson["score"] is None and jansson["open_items"] == []
    assert [i["points"] for i in jansson["items"]] == [None] * 7
    assert {i["state"] for i in jansson["items"]} == {"present", "absent", "unknown"}
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


def _jansson_text(stdout: str) -> tuple[str, list[str], list[str]]:
    """The Jansson block of the text output: the block, its table's column names and the second cell of each row."""
    block = stdout[stdout.index("Clinical score for nonbacterial osteitis") : stdout.index("EULAR/ACR")]
    header = next(line for line in block.splitlines() if line.startswith("┃"))
    columns = [cell.strip() for cell in header.strip("┃").split("┃")]
    cells = [line.split("│")[2].strip() for line in block.splitlines() if line.startswith("│")]
    return block, columns, cells


def test_criteria_text_output_says_the_score_is_not_computed_and_shows_no_points() -> None:
    result = runner.invoke(app, ["criteria", str(ADULT), "--as-of", "2026-11-29", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "no validated" in result.stdout
    block, columns, cells = _jansson_text(result.stdout)
    flat = " ".join(block.split())
    assert "(Jansson 2009) · score not computed: weights not verified" in flat
    assert "/ 63" not in flat and "threshold 39" not in flat
    assert "Normal blood cell count" in block and "present" in block and "unknown" in block
    assert columns == ["item", "state", "value"]  # no points column: no unverified number, not even a blank one
    assert not any(cell.isdigit() for cell in cells)


def test_near_miss_with_the_weights_marked_verified_the_text_shows_the_range_and_the_points(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(criteria_cli, "knowledge", lambda: with_verified_weights(knowledge(), "jansson-2009"))
    result = runner.invoke(app, ["criteria", str(ADULT), "--as-of", "2026-11-29", "--lang", "en"])
    assert result.exit_code == 0, result.output
    block, columns, points = _jansson_text(result.stdout)
    flat = " ".join(block.split())
    assert "undetermined (unknown items decide) · 15-57 / 63 (threshold 39)" in flat and "not computed" not in flat
    assert "would change the result: Normal blood cell count; Symmetric bone lesions" in flat  # texts, not ids
    assert columns == ["item", "points", "state", "value"]
    assert {"13", "10", "9", "8", "7", "6"} <= set(points)


def test_the_dutch_text_output_says_states_headings_and_statuses_in_dutch() -> None:
    result = runner.invoke(app, ["criteria", str(ADULT), "--as-of", "2026-11-29", "--lang", "nl"])
    assert result.exit_code == 0, result.output
    block, columns, cells = _jansson_text(
        result.stdout.replace(
            "Klinische score voor non-bacteriële osteïtis", "Clinical score for nonbacterial osteitis"
        )
    )
    flat = " ".join(block.split())
    assert "(Jansson 2009) · score niet berekend: gewichten niet geverifieerd" in flat
    assert columns == ["item", "stand", "waarde"]
    assert {"onbekend", "aanwezig", "afwezig"} <= set(cells) and not {"unknown", "present", "absent"} & set(cells)
    assert "· volwassene" in result.stdout.splitlines()[0]
    path = result.stdout[result.stdout.index("Diagnostisch pad") :]
    assert "┃ stap" in path and "┃ stand" in path and "bronnen" in path and "statements" not in path


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
