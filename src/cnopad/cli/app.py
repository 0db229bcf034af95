"""The Typer application and its sub-command groups."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="cnopad",
    help="cnopad: care support for chronic non-bacterial osteomyelitis (CNO-SCCH, CRMO). "
    "It suggests; a clinician decides.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
audit_app = typer.Typer(help="Check and read the NEN 7513 audit log.", no_args_is_help=True)
user_app = typer.Typer(help="Manage users, roles and API tokens.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(user_app, name="user")
app.add_typer(db_app, name="db")
