"""Commands for population case-finding (``cnopad population ...``)."""

from __future__ import annotations

import typer

from cnopad.cli.app import app

population_app = typer.Typer(help="Find people who may have undiagnosed CNO in OMOP CDM data.", no_args_is_help=True)
app.add_typer(population_app, name="population")
