"""``cnopad feedback report``: how often each rule's cards are overridden (CDS Hooks and web app), and why."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cnopad.bootstrap import build
from cnopad.cli.app import app
from cnopad.services.feedback import feedback_report

feedback_app = typer.Typer(help="Clinicians' feedback on cards (CDS Hooks and web app).", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("report")
def report(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Per rule: cards accepted, overridden and snoozed (CDS Hooks and web app), override rate, reasons given."""
    container = build()
    with container.unit(container.operator()) as uow:
        rules = feedback_report(uow)
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in rules], indent=2, ensure_ascii=False))
        return
    if not rules:
        Console().print("No feedback received yet.")
        return
    table = Table(
        "rule",
        "accepted",
        "overridden",
        "snoozed",
        "override rate",
        "reasons (most given first)",
        title="Feedback on cards per rule (CDS Hooks and web app)",
    )
    for r in rules:
        reasons = ", ".join(f"{reason} ({n})" for reason, n in r.reasons.most_common(5))
        table.add_row(r.rule_id, str(r.accepted), str(r.overridden), str(r.snoozed), f"{r.override_rate:.0%}", reasons)
    Console().print(table)
