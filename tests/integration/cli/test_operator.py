"""The command line acts as the installation's operator (not as the admin user role), and the patient's audit
view shows who opened the record by emergency access, when and why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cnopad.bootstrap import build
from cnopad.cli import records as records_cli
from cnopad.domain.access import Actor, Channel, Role
from cnopad.services.emergency_access import request_emergency_access
from support.cli import run_cli
from support.fhir import bundle, care_team, pain, patient

REASON = "Reanimatie op de SEH, dossier nodig voor medicatie"


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("CNOPAD_DATABASE_URL", url)
    monkeypatch.setenv("CNOPAD_USER", "beheerder-os")
    # the audit table unwrapped, so a reason reads as one line (the console was made at import, before COLUMNS)
    monkeypatch.setattr(records_cli.out, "width", 400)
    return url


def test_an_import_on_the_command_line_is_audited_as_the_operator(
    tmp_path: Path, cli_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps(bundle(patient("p1"), pain("o1", 5, "2026-02-01"))), encoding="utf-8")
    assert run_cli(capsys, monkeypatch, "import", str(path)).code == 0
    with build().unit(build().operator()) as uow:
        event = uow.audit.events(patient_id="p1", limit=1)[0]
    assert (event.user, event.role, event.channel, event.action) == ("beheerder-os", "operator", "cli", "import")


def test_the_patients_audit_view_shows_emergency_access_with_its_reason(
    tmp_path: Path, cli_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "b.json"
    team = care_team("ct", ("gp", "Eigen huisarts", "01000001"))
    path.write_text(json.dumps(bundle(patient("p1"), team)), encoding="utf-8")
    run_cli(capsys, monkeypatch, "import", str(path))
    container = build()
    stranger = Actor("waarnemer", Role.GP, Channel.WEB, ("http://fhir.nl/fhir/NamingSystem/agb-z", "01000002"))
    with container.unit(stranger) as uow:
        request_emergency_access(uow, "p1", REASON, hours=4)

    shown = run_cli(capsys, monkeypatch, "audit", "show", "--patient", "p1")

    assert shown.code == 0
    line = next(line for line in shown.out.splitlines() if "break-glass" in line)
    assert "waarnemer" in line and REASON in line and "emergency access" in line
