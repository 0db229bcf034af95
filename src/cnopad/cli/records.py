"""Commands for records, the demo data, the audit log, users, the database and serving."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cnopad.bootstrap import Container, build
from cnopad.cli import options
from cnopad.cli.app import app, audit_app, db_app, user_app
from cnopad.cli.listing import print_not_understood
from cnopad.domain import input_rules
from cnopad.domain.access import Role
from cnopad.errors import InputError
from cnopad.services import audit as audit_svc
from cnopad.services import demo as demo_svc
from cnopad.services import records as svc
from cnopad.services import users as user_svc

out = Console()


class UserRole(StrEnum):
    """The roles a person can have (the CDS client role is for EHRs, not people)."""

    GP = Role.GP.value
    SPECIALIST = Role.SPECIALIST.value
    EXPERTISE_CENTRE = Role.EXPERTISE_CENTRE.value
    RESEARCHER = Role.RESEARCHER.value
    ADMIN = Role.ADMIN.value


def _container() -> Container:
    return build()


def _read_file(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read the {what}: {exc.strerror or exc}") from exc


_PURPOSE = options.text(input_rules.LIMITS["purpose"])
_PATIENT = options.text(input_rules.LIMITS["patient_id"])


@app.command("import")
def import_(
    bundle: Annotated[
        Path, typer.Argument(help="A FHIR R4 Bundle (JSON) with exactly one Patient.", callback=options.path)
    ],
    purpose: Annotated[
        str, typer.Option(help="Why the record is imported (recorded in the audit log).", callback=_PURPOSE)
    ] = "import",
) -> None:
    """Import a FHIR R4 Bundle: validated, stored in one transaction; re-importing updates what changed."""
    data = _read_file(bundle, "bundle")
    container = _container()
    with container.unit(container.operator()) as uow:
        report = svc.import_bundle(
            uow, data, valuesets=container.knowledge.valuesets, today=container.today(), purpose=purpose
        )
    s = report.stats
    out.print(
        f"Imported patient [bold]{report.patient_id}[/]: {s.created} new, {s.updated} changed, {s.unchanged} unchanged "
        f"({report.resources} resources)."
    )
    print_not_understood(out, report.unrecognized)


@app.command("export")
def export(
    patient_id: Annotated[str, typer.Argument(help="The patient's id (FHIR Patient.id).", callback=_PATIENT)],
    output: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write to this file instead of standard output.", callback=options.path),
    ] = None,
    purpose: Annotated[
        str, typer.Option(help="Why the record is exported (recorded in the audit log).", callback=_PURPOSE)
    ] = "export",
) -> None:
    """Export a stored record as a valid FHIR R4 Bundle."""
    container = _container()
    with container.unit(container.operator()) as uow:
        bundle = svc.export_bundle(uow, patient_id, valuesets=container.knowledge.valuesets, purpose=purpose)
    text = json.dumps(bundle, indent=2, ensure_ascii=False)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        out.print(f"Wrote {len(bundle['entry'])} resources to {output}", highlight=False)


@app.command("demo")
def demo(
    shift: Annotated[bool, typer.Option(help="Move the demo dates so the scenarios are current today.")] = True,
) -> None:
    """Load the synthetic demo patients (idempotent)."""
    container = _container()
    reports = demo_svc.load_demo(
        lambda: container.unit(container.operator()),
        valuesets=container.knowledge.valuesets,
        today=container.today(),
        shift=shift,
    )
    for r in reports:
        out.print(
            f"{r.patient_id}: {r.stats.created} new, {r.stats.updated} changed, {r.stats.unchanged} unchanged",
            highlight=False,
        )
    out.print(f"Loaded {len(reports)} synthetic demo patients.")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit log: its guards, its hash chain and its checkpoints; exit code 1 names each problem."""
    container = _container()
    with container.unit(container.operator()) as uow:
        report = audit_svc.verify_audit(uow)
    if report.ok:
        checkpoints = (
            f"checkpoints match (last at seq {report.last_checkpoint})"
            if report.last_checkpoint is not None
            else "no checkpoint yet"
        )
        out.print(
            f"Audit log intact: {report.rows} rows checked, guards present, {checkpoints}.",
            highlight=False,
            soft_wrap=True,
        )
        return
    err = Console(stderr=True)
    for problem in report.problems[:_SHOWN_PROBLEMS]:
        err.print(f"[red]problem:[/] {problem}", highlight=False, soft_wrap=True)
    if len(report.problems) > _SHOWN_PROBLEMS:
        err.print(f"... and {len(report.problems) - _SHOWN_PROBLEMS} more problems", highlight=False)
    err.print(f"Audit log NOT intact: {len(report.problems)} problem(s), {report.rows} rows checked.", highlight=False)
    raise typer.Exit(1)


#: problems printed by ``audit verify`` (a log re-hashed from an early row has one per row)
_SHOWN_PROBLEMS = 50


@audit_app.command("rotate-key")
def audit_rotate_key() -> None:
    """Add a new key to the audit key file; it signs new rows once cnopad restarts, old keys keep verifying."""
    container = _container()
    with container.unit(container.operator()) as uow:
        key_id = audit_svc.rotate_audit_key(uow, container.settings.audit_key_path)
    out.print(
        f"Added audit key {key_id} to {container.settings.audit_key_path}. Restart every cnopad process so new "
        "rows are signed with it; keep the older keys, they verify the rows they signed. Back up the key file now.",
        highlight=False,
        soft_wrap=True,
    )


@audit_app.command("show")
def audit_show(
    patient: Annotated[str | None, typer.Option(help="Only events about this patient id.", callback=_PATIENT)] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000, help="How many of the newest events.")] = 50,
) -> None:
    """Show the newest audit events."""
    container = _container()
    with container.unit(container.operator()) as uow:
        events = audit_svc.audit_events(uow, patient_id=patient, limit=limit)
    table = Table("seq", "when (UTC)", "user", "role", "channel", "action", "patient", "purpose", "detail")
    for e in events:
        table.add_row(
            str(e.seq),
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            e.user,
            e.role,
            e.channel,
            e.action,
            e.patient_id or "",
            e.purpose,
            e.detail,
        )
    out.print(table)


def _practitioner(value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    system, sep, ident = value.rpartition("|")
    if not sep or not ident:
        msg = "--practitioner"
        raise InputError(msg, "give SYSTEM|VALUE, e.g. http://fhir.nl/fhir/NamingSystem/agb-z|01000001")
    if max(len(system), len(ident)) > input_rules.LIMITS["identifier"]:
        msg = "--practitioner"
        raise InputError(msg, f"SYSTEM and VALUE may each be at most {input_rules.LIMITS['identifier']} characters")
    return system, ident


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Login name.", callback=options.text(input_rules.LIMITS["user_name"]))],
    role: Annotated[UserRole, typer.Option(help="The user's role.")],
    practitioner: Annotated[
        str | None,
        typer.Option(
            help="SYSTEM|VALUE identifier (e.g. AGB code) that links the user to care teams.",
            callback=options.text(2 * input_rules.LIMITS["identifier"] + 1),
        ),
    ] = None,
) -> None:
    """Create a user and print their API token once (only its hash is stored)."""
    container = _container()
    with container.unit(container.operator()) as uow:
        user, token = user_svc.add_user(uow, name, Role(role.value), practitioner=_practitioner(practitioner))
    out.print(
        f"User [bold]{user.name}[/] ({user.role.value}) created. API token (shown once, store it safely):",
        highlight=False,
    )
    typer.echo(token)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the newest version."""
    container = build(migrate_schema=True)
    out.print(f"Database schema up to date ({container.settings.database.split('@')[-1]}).", highlight=False)


@app.command("serve")
def serve(
    host: Annotated[
        str | None,
        typer.Option(
            help="Address to listen on (default CNOPAD_HOST); also the default public URL's host.",
            callback=options.text(253),
        ),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help="Port (default CNOPAD_PORT); also the default public URL's port."),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
) -> None:
    """Run the web service (API and web app) in production form."""
    import os

    import uvicorn

    container = _container()
    host = host or container.settings.host
    port = port or container.settings.port
    # the app is built again in each worker process from the environment: hand the options on, so the CDS
    # Hooks JWT audience and the card links (CNOPAD_BASE_URL's default http://HOST:PORT) name this host and port
    os.environ["CNOPAD_HOST"] = host
    os.environ["CNOPAD_PORT"] = str(port)
    uvicorn.run(
        "cnopad.api.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level=container.settings.log_level,
        access_log=False,
        # a worker that loads the knowledge base on a busy machine answers the supervisor's first ping late;
        # uvicorn's 5 s default then kills and restarts it in a loop, so the service never comes up
        timeout_worker_healthcheck=60,
    )


@app.command("run")
def run() -> None:
    """Start the product on its embedded default: migrate, load the demo when empty, create demo users, serve."""
    import uvicorn

    container = _container()
    with container.unit(container.operator()) as uow:
        empty = uow.records.count() == 0
    if empty:
        reports = demo_svc.load_demo(
            lambda: container.unit(container.operator()),
            valuesets=container.knowledge.valuesets,
            today=container.today(),
        )
        out.print(
            f"Loaded {len(reports)} synthetic demo patients into {container.settings.database}.",
            highlight=False,
        )
    from cnopad.services.demo_users import ensure_demo_users

    logins = ensure_demo_users(container)
    out.print(
        f"\ncnopad runs at [bold]{container.settings.public_url}[/]  (API docs: {container.settings.public_url}/docs)",
        highlight=False,
    )
    table = Table(title="Demo users (synthetic data only)")
    for column in ("user", "role", "web password (this run)", "API token (this run)"):
        table.add_column(column, overflow="fold")  # a secret is never cut short in a narrow terminal
    for login in logins:
        table.add_row(login.name, login.role, login.password, login.token)
    out.print(table)
    out.print(
        f"Sign in to the web app at {container.settings.public_url}/login with a user and its password, "
        "e.g. demo-huisarts (GP). demo-beheer (admin) manages users and opens no patient record; "
        "demo-onderzoeker (researcher) sees no identified record; a GP outside a care team opens a record "
        "only by emergency access.",
        highlight=False,
    )
    uvicorn.run(
        "cnopad.api.asgi:app",
        host=container.settings.host,
        port=container.settings.port,
        log_level="warning",
        access_log=False,
    )
