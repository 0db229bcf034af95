"""Everything a user can set or run is documented in the README."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from cnopad.cli import app
from cnopad.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


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
