"""The command line (Typer): thin commands that call services. Errors become one line and exit code 2."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from cnopad.cli import assess as _assess  # noqa: F401 - registers commands
from cnopad.cli import population as _population  # noqa: F401 - registers commands
from cnopad.cli import records as _records  # noqa: F401 - registers commands
from cnopad.cli.app import app
from cnopad.errors import CnopadError

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``cnopad`` command."""
    try:
        app(standalone_mode=False)
    except CnopadError as exc:
        Console(stderr=True).print(f"[bold red]cnopad:[/] {exc.message}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Abort:
        Console(stderr=True).print("cnopad: aborted")
        sys.exit(1)
    except (typer.Exit, SystemExit) as exc:
        code = exc.exit_code if isinstance(exc, typer.Exit) else exc.code
        sys.exit(code if isinstance(code, int) else 0)
    except Exception as exc:  # click usage errors come through here in non-standalone mode
        from click import ClickException

        if isinstance(exc, ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
