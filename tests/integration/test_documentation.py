"""Everything a user can set or run is documented in the README."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from cnopad.cli import app
from cnopad.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_in_the_readme() -> None:
    missing = [f"CNOPAD_{name.upper()}" for name in Settings.model_fields if f"`CNOPAD_{name.upper()}`" not in README]
    assert missing == []


def test_every_setting_has_a_help_text() -> None:
    assert [name for name, field in Settings.model_fields.items() if not field.description] == []


def _commands(group: Any, prefix: str) -> list[str]:
    found = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group (typer vendors its own click)
            found.extend(_commands(command, f"{prefix} {name}"))
        else:
            found.append(f"{prefix} {name}")
    return found


def test_every_command_is_documented_in_the_readme() -> None:
    commands = _commands(typer.main.get_command(app), "cnopad")
    assert commands, "the command list must not be empty"
    assert [c for c in commands if f"`{c}`" not in README] == []


def test_every_input_limit_is_in_the_input_rules_table_with_its_number() -> None:
    from cnopad.domain.input_rules import EARLIEST_DATE, HORIZON_YEARS, LIMITS

    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    section = text.split("## Input rules", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "`" in line]
    for name, limit in LIMITS.items():
        row = next((r for r in rows if f"`{name}`" in r.split("|")[2]), None)
        assert row is not None, f"LIMITS[{name!r}] is not in the table of docs/security.md, Input rules"
        assert str(limit) in row.split("|")[3], f"docs/security.md gives another limit for {name!r}"
    assert EARLIEST_DATE.isoformat() in section
    assert f"today + {HORIZON_YEARS} years" in section
