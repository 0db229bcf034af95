"""``cnopad criteria BUNDLE.json``: the criteria panel and the diagnostic path on the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cnopad.bootstrap import utc_now
from cnopad.cli import options
from cnopad.cli.app import app
from cnopad.cli.assess import Format, Lang, _day, _read
from cnopad.cli.listing import print_not_understood
from cnopad.engine.criteria import CriteriaReport, InstrumentResult
from cnopad.knowledge import knowledge
from cnopad.services.criteria import criteria_for_bundle

out = Console()
_STATE_STYLE = {"present": "green", "absent": "red", "unknown": "yellow"}
#: item states and age groups as the text output says them (the JSON format keeps the codes)
_WORDS = {
    "en": {"present": "present", "absent": "absent", "unknown": "unknown", "adult": "adult", "child": "child"},
    "nl": {"present": "aanwezig", "absent": "afwezig", "unknown": "onbekend", "adult": "volwassene", "child": "kind"},
}


@app.command("criteria")
def criteria_command(
    bundle: Annotated[
        Path, typer.Argument(help="A FHIR R4 Bundle (JSON) with exactly one Patient.", callback=options.path)
    ],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Assessment date, YYYY-MM-DD (default: today).")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Output language.")] = Lang.NL,
    fmt: Annotated[Format, typer.Option("--format", help="json (one object on stdout) or text.")] = Format.TEXT,
) -> None:
    """Criteria (Jansson 2009, EULAR/ACR 2025, Bristol 2016, SAPHO) and the diagnostic path, from a FHIR bundle."""
    today = utc_now().date()
    day = _day(as_of, today)
    outcome = criteria_for_bundle(
        _read(bundle, "bundle"), as_of=day, today=max(today, day), kb=knowledge(), lang=lang.value
    )
    if fmt is Format.JSON:
        typer.echo(json.dumps(outcome.as_dict(), ensure_ascii=False, indent=2))
        return
    _print(outcome.report)
    print_not_understood(out, outcome.unrecognized)


def _score(r: InstrumentResult, en: bool) -> str:
    """The score range, only ever computed from verified weights (the status label says why there is none)."""
    if r.score_min is None:
        return ""
    return f" · {r.score_min}-{r.score_max} / {r.max_points} ({'threshold' if en else 'drempel'} {r.threshold})"


def _print(report: CriteriaReport) -> None:
    en = report.lang == "en"
    words = _WORDS[report.lang]
    who = "Patient" if en else "Patiënt"
    out.print(f"[bold]{who} {report.patient_id}[/] · {report.as_of.isoformat()} · {words[report.age_group]}")
    if report.notice:
        out.print(f"[bold yellow]{escape(report.notice)}[/] ({', '.join(report.notice_statements)})")
    for r in report.instruments:
        out.print(f"\n[bold]{escape(r.title)}[/] · {escape(r.status_label)}{_score(r, en)}")
        out.print(f"  {escape(r.purpose_text)}")
        if r.caution:
            out.print(f"  [yellow]{escape(r.caution)}[/]")
        if not r.weights_verified:
            label = "weights not verified" if en else "gewichten niet geverifieerd"
            out.print(f"  [yellow]{label}:[/] {escape(r.weights_where)}")
        if not r.content_verified:
            label = "content not verified" if en else "inhoud niet geverifieerd"
            out.print(f"  [yellow]{label}:[/] {escape(r.content_where)}")
        # a points column only beside a computed score: unverified points are shown nowhere, not even as blanks
        points = r.score_min is not None
        headers = ("item", "points", "state", "value") if en else ("item", "punten", "stand", "waarde")
        table = Table(*(h for h in headers if points or h not in ("points", "punten")))
        for item in r.items:
            style = _STATE_STYLE[item.state.value]
            state = words[item.state.value]
            cells = [escape(item.text), f"[{style}]{state}[/]", escape(item.value or item.note or "")]
            if points:
                cells.insert(1, "" if item.points is None else str(item.points))
            table.add_row(*cells)
        out.print(table)
        if r.open_items:
            changing = "; ".join(escape(i.text) for i in r.items if i.id in r.open_items)
            out.print(f"  {'would change the result' if en else 'zou de uitkomst veranderen'}: {changing}")
    title = "Diagnostic path" if en else "Diagnostisch pad"
    columns = (
        ("step", "state", "date", "result / suggestion", "statements")
        if en
        else ("stap", "stand", "datum", "uitslag / voorstel", "bronnen")
    )
    table = Table(*columns, title=title)
    for step in report.path:
        what = step.result or "; ".join(s.label for s in step.suggestions) or ""
        table.add_row(
            escape(step.text),
            step.state_label,
            step.done_on.isoformat() if step.done_on else "",
            escape(what),
            ", ".join(step.statements),
        )
    out.print(table)
