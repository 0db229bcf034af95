"""The command line (Typer): thin commands that call services. Errors become one line and exit code 2."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import DBAPIError

from cnopad.cli import assess as _assess  # noqa: F401 - registers commands
from cnopad.cli import criteria as _criteria  # noqa: F401 - registers commands
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
    except OSError as exc:
        # a file or folder the user named cannot be read or written (no such folder, no permission, a full
        # disk): that is their input, so one line naming the path and exit code 2, as for any bad input
        where = f"{exc.filename}: " if exc.filename else ""
        Console(stderr=True).print(
            f"[bold red]cnopad:[/] {escape(where + str(exc.strerror or exc))}", highlight=False, soft_wrap=True
        )
        sys.exit(2)
    except DBAPIError as exc:
        # the database failed (unreachable, locked, damaged): one line, never a traceback; the driver's own
        # message only, because SQLAlchemy's text would also print the statement's parameters (patient data)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        Console(stderr=True).print(
            f"[bold red]cnopad:[/] the database cannot be used: {reason}", highlight=False, soft_wrap=True
        )
        sys.exit(1)
