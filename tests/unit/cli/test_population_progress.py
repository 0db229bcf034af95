"""A long population run written to a log file (not a terminal) still says where it is."""

from __future__ import annotations

import io

from rich.console import Console
from rich.progress import Progress

from cnopad.cli.population import RichProgress


def _run(*, terminal: bool, quiet_for: float) -> str:
    out = io.StringIO()
    console = Console(file=out, force_terminal=terminal, width=200)
    with Progress(console=console, transient=True) as bar:
        shown = RichProgress(bar, quiet_for=quiet_for)
        shown.stage("Reading notes (clinlp)", 1000)
        for _ in range(10):
            shown.advance(100)
        shown.stage("Scoring (Ibis on duckdb)")
        shown.finish()
    return out.getvalue()


def test_a_long_run_in_a_log_file_writes_each_stage_and_each_tenth_as_a_plain_line() -> None:
    lines = _run(terminal=False, quiet_for=0).strip().splitlines()
    assert any(line.endswith("Reading notes (clinlp) (1,000)") for line in lines)
    assert sum("Reading notes (clinlp):" in line for line in lines) == 10
    assert any(line.endswith("] Scoring (Ibis on duckdb)") for line in lines)
    assert all(line.startswith("[") and " s] " in line for line in lines)


def test_a_short_run_in_a_log_file_writes_nothing_so_a_refusal_stays_one_line() -> None:
    assert _run(terminal=False, quiet_for=3600).strip() == ""
