"""The command line (Typer): thin commands that call services. Errors become one line and exit code 2."""

from __future__ import annotations

import sys

from rich.console import Console

from cnopad.cli import assess as _assess  # noqa: F401 - registers commands
from cnopad.cli import feedback as _feedback  # noqa: F401 - registers commands
from cnopad.cli import population as _population  # noqa: F401 - registers commands
from cnopad.cli import records as _records  # noqa: F401 - registers commands
from cnopad.cli.app import app
from cnopad.errors import CnopadError

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``cnopad`` command: cnopad errors become one line on stderr and exit code 2."""
    try:
        app()  # standalone: usage errors exit 2 with click's message; typer.Exit codes pass through
    except CnopadError as exc:
        Console(stderr=True).print(f"[bold red]cnopad:[/] {exc.message}", highlight=False, soft_wrap=True)
        sys.exit(2)
