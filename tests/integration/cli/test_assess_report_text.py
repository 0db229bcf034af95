"""``cnopad assess`` on bundles whose imaging exists only as free report text (synthetic patients)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from cnopad.cli import app
from support.reports import (
    ADULT_REMISSION_SENTENCE,
    CHILD_LESION_SENTENCE,
    adult_with_free_text_bone_scan,
    child_with_free_text_mri,
)

runner = CliRunner()


def _assess(tmp_path: Path, data: dict[str, Any], *args: str) -> dict[str, Any]:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["assess", str(path), "--as-of", "2026-11-01", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    out: dict[str, Any] = json.loads(result.stdout)
    return out


def _card(data: dict[str, Any], rule: str) -> dict[str, Any]:
    found = [c for c in data["cards"] if c["rule_id"] == rule]
    assert found, f"{rule} did not fire: {[c['rule_id'] for c in data['cards']]}"
    return found[0]


def test_a_child_with_one_osteolytic_lesion_in_a_free_text_mri_gets_the_biopsy_card_with_the_sentence(
    tmp_path: Path,
) -> None:
    data = _assess(tmp_path, child_with_free_text_mri())
    card = _card(data, "child-unifocal-lesion")
    assert card["evidence"] == ["mri1"]
    assert f"«{CHILD_LESION_SENTENCE}»" in card["detail"] and "Gelezen uit de verslagtekst" in card["detail"]
    no_mri = "Er staat nog geen MRI of scintigrafie in het dossier"
    assert no_mri not in _card(data, "child-workup")["detail"], "the report's title says MRI"
    untitled = child_with_free_text_mri()
    untitled["entry"][-1]["resource"]["code"]["text"] = "Radiologisch onderzoek"
    assert no_mri in _card(_assess(tmp_path, untitled), "child-workup")["detail"]
    english = _card(_assess(tmp_path, child_with_free_text_mri(), "--lang", "en"), "child-unifocal-lesion")
    assert "Read from the report text" in english["detail"]


def test_an_adult_bone_scan_saying_no_increased_activity_any_more_is_remission(tmp_path: Path) -> None:
    data = _assess(tmp_path, adult_with_free_text_bone_scan())
    card = _card(data, "remission-with-pain")
    assert card["evidence"] == ["scan1"] and f"«{ADULT_REMISSION_SENTENCE}»" in card["detail"]
    assert data["step_plan"]["escalation"] is False
