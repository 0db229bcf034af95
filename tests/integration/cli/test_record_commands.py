"""The record commands as a user runs them: import, export, demo, audit verify, user add."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from cnopad.store import make_engine, migrate
from support.cli import run_cli
from support.fhir import bundle, condition, pain, patient


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    migrate(make_engine(url))
    monkeypatch.setenv("CNOPAD_DATABASE_URL", url)
    monkeypatch.setenv("CNOPAD_USER", "test-operator")
    return url


def _bundle_file(tmp_path: Path) -> Path:
    content = bundle(
        patient("p1"),
        condition("c1", "http://hl7.org/fhir/sid/icd-10", "M86.3", onset="2019-01-01", recorded="2024-01-01"),
        condition("c2", "http://hl7.org/fhir/sid/icd-10", "J45.9", onset="2010-01-01"),
        pain("o1", 5, "2024-02-01"),
        {
            "resourceType": "Coverage",
            "id": "cov",
            "status": "active",
            "beneficiary": {"reference": "Patient/p1"},
            "payor": [{"display": "Zorgverzekeraar (synthetisch)"}],
        },
    )
    path = tmp_path / "b.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def test_import_reports_counts_and_what_it_did_not_understand(
    tmp_path: Path, cli_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome = run_cli(capsys, monkeypatch, "import", str(_bundle_file(tmp_path)))
    assert outcome.code == 0, outcome.err
    assert "Imported patient p1: 4 new, 0 changed, 0 unchanged" in outcome.out
    assert "J45.9" in outcome.out  # a known system, a code cnopad does not use: reported, kept
    assert "Coverage" in outcome.out  # a resource type cnopad does not read: reported


def test_importing_twice_is_idempotent(
    tmp_path: Path, cli_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _bundle_file(tmp_path)
    run_cli(capsys, monkeypatch, "import", str(path))
    outcome = run_cli(capsys, monkeypatch, "import", str(path))
    assert "0 new, 0 changed, 4 unchanged" in outcome.out


def test_export_writes_a_bundle_that_imports_again(
    tmp_path: Path, cli_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run_cli(capsys, monkeypatch, "import", str(_bundle_file(tmp_path)))
    out_file = tmp_path / "export.json"
    exported = run_cli(capsys, monkeypatch, "export", "p1", "--out", str(out_file))
    again = run_cli(capsys, monkeypatch, "import", str(out_file))
    assert exported.code == 0
    assert json.loads(out_file.read_text())["resourceType"] == "Bundle"
    assert "0 new, 0 changed, 4 unchanged" in again.out


def test_exporting_an_unknown_patient_says_so_with_exit_code_2(
    cli_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome = run_cli(capsys, monkeypatch, "export", "nobody")
    assert outcome.code == 2
    assert "no patient with id 'nobody'" in outcome.err


def test_audit_verify_passes_then_catches_tampering(
    tmp_path: Path, cli_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run_cli(capsys, monkeypatch, "import", str(_bundle_file(tmp_path)))
    run_cli(capsys, monkeypatch, "export", "p1", "--out", str(tmp_path / "e.json"))
    intact = run_cli(capsys, monkeypatch, "audit", "verify")
    with create_engine(cli_db).begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(text("UPDATE audit_events SET user_name = 'someone' WHERE seq = 1"))
    tampered = run_cli(capsys, monkeypatch, "audit", "verify")
    assert intact.code == 0
    assert re.fullmatch(
        r"Audit log intact: (\d+) rows checked, guards present, checkpoints match \(last at seq \1\)\.\n", intact.out
    ), intact.out
    assert tampered.code == 1
    assert "row 1: contents changed" in tampered.err
    assert "guard missing: trigger audit_events_no_update" in tampered.err
    assert "Audit log NOT intact: 2 problem(s)" in tampered.err


def test_audit_rotate_key_adds_a_key_and_the_log_still_verifies(
    tmp_path: Path, cli_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "keys" / "audit.key"
    monkeypatch.setenv("CNOPAD_AUDIT_KEY_FILE", str(key_file))
    run_cli(capsys, monkeypatch, "import", str(_bundle_file(tmp_path)))
    rotated = run_cli(capsys, monkeypatch, "audit", "rotate-key")
    run_cli(capsys, monkeypatch, "export", "p1", "--out", str(tmp_path / "e.json"))  # signed with the new key
    verified = run_cli(capsys, monkeypatch, "audit", "verify")
    assert rotated.code == 0 and f"Added audit key k2 to {key_file}" in rotated.out
    assert [line.split()[0] for line in key_file.read_text().splitlines() if not line.startswith("#")] == ["k1", "k2"]
    assert verified.code == 0, verified.err
    with create_engine(cli_db).connect() as conn:
        keys = conn.execute(text("SELECT key_id, action FROM audit_events ORDER BY seq")).all()
    assert ("k1", "audit-key-added") in keys and keys[-2][0] == "k2"


def test_a_too_short_audit_key_stops_a_command_with_one_line_naming_the_setting(
    tmp_path: Path, cli_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "short.key"
    key_file.write_text("k1 00112233\n")
    monkeypatch.setenv("CNOPAD_AUDIT_KEY_FILE", str(key_file))
    outcome = run_cli(capsys, monkeypatch, "audit", "verify")
    assert outcome.code == 2
    assert outcome.err.startswith("cnopad: CNOPAD_AUDIT_KEY_FILE: key 'k1' (line 1 of")
    assert "is 4 bytes; at least 32 bytes" in outcome.err


def test_user_add_prints_a_token_once_and_stores_only_its_hash(
    cli_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome = run_cli(
        capsys,
        monkeypatch,
        "user",
        "add",
        "dr-jansen",
        "--role",
        "gp",
        "--practitioner",
        "http://fhir.nl/fhir/NamingSystem/agb-z|01000001",
    )
    token = outcome.out.strip().splitlines()[-1]
    with create_engine(cli_db).connect() as conn:
        stored = conn.execute(
            text("SELECT token_hash, role, practitioner_value FROM users WHERE name = 'dr-jansen'")
        ).one()
    assert outcome.code == 0
    assert token.startswith("cnp_")
    assert token not in stored.token_hash
    assert (stored.role, stored.practitioner_value) == ("gp", "01000001")


def test_user_add_refuses_a_taken_name_and_an_unknown_role(
    cli_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run_cli(capsys, monkeypatch, "user", "add", "dr-jansen", "--role", "gp")
    taken = run_cli(capsys, monkeypatch, "user", "add", "dr-jansen", "--role", "gp")
    bad_role = run_cli(capsys, monkeypatch, "user", "add", "dr-x", "--role", "surgeon")
    assert taken.code == 2 and "already exists" in taken.err
    assert bad_role.code == 2


def test_an_unreachable_database_is_one_line_and_exit_code_1_never_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CNOPAD_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
    outcome = run_cli(capsys, monkeypatch, "audit", "verify")
    assert outcome.code == 1
    assert "the database cannot be used" in outcome.err
    assert "Traceback" not in outcome.err and len(outcome.err.strip().splitlines()) <= 2
