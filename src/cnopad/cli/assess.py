"""Commands for the decision engine (``cnopad assess``, ``cnopad explain``)."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from cnopad.bootstrap import utc_now
from cnopad.cli import options
from cnopad.cli.app import app
from cnopad.cli.listing import print_not_understood
from cnopad.domain import input_rules
from cnopad.engine import Assessment
from cnopad.errors import InputError, NotFoundError
from cnopad.knowledge import knowledge
from cnopad.services import assessment as svc

out = Console()

_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}
_TASK_STYLE = {"overdue": "bold red", "due": "yellow", "upcoming": "cyan", "done": "green"}


class Lang(StrEnum):
    """Product languages."""

    NL = "nl"
    EN = "en"


class Format(StrEnum):
    """Output formats of ``cnopad assess``."""

    JSON = "json"
    TEXT = "text"


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read the {what}: {exc.strerror or exc}") from exc


def _day(value: str | None, today: date) -> date:
    if value is None:
        return today
    where = "--as-of"
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(where, f"{value!r} is not a date (YYYY-MM-DD)") from exc
    return input_rules.check_date(where, day, today=today)


@app.command("assess")
def assess_command(
    bundle: Annotated[
        Path, typer.Argument(help="A FHIR R4 Bundle (JSON) with exactly one Patient.", callback=options.path)
    ],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Assessment date, YYYY-MM-DD (default: today).")] = None,
    order: Annotated[
        Path | None,
        typer.Option(
            "--order",
            help="Draft orders to check: a MedicationRequest, ServiceRequest, Immunization or a Bundle.",
            callback=options.path,
        ),
    ] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Output language.")] = Lang.NL,
    fmt: Annotated[Format, typer.Option("--format", help="json (one object on stdout) or text.")] = Format.TEXT,
) -> None:
    """Assess one patient from a FHIR bundle (no database needed): cards, tasks, step plan, information."""
    today = utc_now().date()
    day = _day(as_of, today)
    data = _read(bundle, "bundle")
    orders = _read(order, "orders") if order is not None else None
    report = svc.assess_bundle(data, as_of=day, today=max(today, day), kb=knowledge(), orders=orders, lang=lang.value)
    if fmt is Format.JSON:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    _print(report.assessment)
    print_not_understood(out, report.unrecognized)


def _print(a: Assessment) -> None:
    en = a.lang == "en"
    out.print(f"[bold]{'Patient' if en else 'Patiënt'} {a.patient_id}[/] · {a.as_of.isoformat()} · {a.lang}")
    for card in a.cards:
        style = _STYLE[card.indicator.value]
        title = f"[{style}]{card.indicator.value.upper()}[/] {escape(card.summary)}"
        out.print(
            Panel(Markdown(card.detail), title=title, title_align="left", subtitle=card.rule_id, subtitle_align="right")
        )
    plan = a.step_plan
    escalation = ("escalation indicated" if en else "ophogen aangewezen") if plan.escalation else ""
    out.print(f"[bold]{'Step plan' if en else 'Stappenplan'}:[/] {plan.current.value} {escalation}")
    for line in (*plan.reasons, *plan.prerequisites):
        out.print(f"  · {escape(line)}")
    if a.tasks:
        table = Table(
            "status", "due" if en else "datum", "task" if en else "taak", "statements", title="Tasks" if en else "Taken"
        )
        for task in a.tasks:
            style = _TASK_STYLE[task.status.value]
            table.add_row(
                f"[{style}]{task.status.value}[/]", task.due.isoformat(), escape(task.title), ", ".join(task.statements)
            )
        out.print(table)
    if a.information:
        table = Table("id", "audience", "title", title="Information" if en else "Informatie")
        for item in a.information:
            table.add_row(item.id, item.audience, item.title)
        out.print(table)


@app.command("explain")
def explain_command(
    statement_id: Annotated[
        str, typer.Argument(help="A statement id (e.g. NHG-BP-ONJ-1) or a rule id.", callback=options.text(120))
    ],
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the texts shown.")] = Lang.NL,
) -> None:
    """Show what cnopad does with a statement: its rules, tasks, texts and step-plan lines."""
    kb = knowledge()
    try:
        found = svc.explain(statement_id, kb=kb)
    except NotFoundError:
        rule = svc.rule_statement(statement_id, kb=kb)
        out.print(f"[bold]rule {rule.id}[/] ({rule.kind.value}, {rule.scope.value}): {rule.summary.get(lang.value)}")
        out.print(f"statements: {', '.join(rule.all_statements)}")
        return
    s = found.statement
    out.print(f"[bold]{s.id}[/] · {s.doc} · {s.kind.value} · scope {s.scope.value} · {s.section}")
    out.print(f"says: {escape(s.says)}")
    for label, value in (("when", s.when), ("caution", s.caution), ("inference", s.inference)):
        if value:
            out.print(f"{label}: {escape(value)}")
    rows = [("rule", rule.id, rule.summary.get(lang.value)) for rule in found.rules]
    rows += [("task", schedule.kind, schedule.title.get(lang.value)) for schedule in found.schedules]
    rows += [(f"text ({text.audience.value})", text.id, text.title.get(lang.value)) for text in found.texts]
    rows += [("step plan", line, "") for line in found.step_plan]
    rows += [("value set", meaning, "") for meaning in found.valuesets]
    count = len(found.rules) + len(found.schedules) + len(found.texts)
    out.print(f"[bold]cited by {count}[/] rule(s), task(s) and text(s):")
    for what, ident, description in rows:
        # soft wrap keeps ids whole, so they can be copied and searched
        out.print(f"  {what:<16} {ident}  {escape(description)}", soft_wrap=True, highlight=False)
