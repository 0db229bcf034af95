"""Run the ``cnopad`` command in-process, the way a user runs it, and capture its exit code and output."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pytest

from cnopad.cli import main


@dataclass
class Outcome:
    """Exit code, standard output and standard error of one command."""

    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> Outcome:
    """Invoke ``cnopad ARGS`` and return what the user would see."""
    monkeypatch.setattr(sys, "argv", ["cnopad", *args])
    capsys.readouterr()
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)
