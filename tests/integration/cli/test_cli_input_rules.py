"""Input rules on the command line: an implausible date, invalid text or a malformed size stops the command with
exit code 2 and one line naming the option (or the bundle element), never a traceback; on SQLite and PostgreSQL
nothing is stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from cnopad.store.tables import patients, users
from support.cli import Outcome, run_cli
from support.fhir import bundle, pain, patient


def _write(tmp_path: Path, data: dict[str, Any] | str, name: str = "bundle.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _record(**patient_fields: Any) -> dict[str, Any]:
    return bundle(patient("p-cli", **patient_fields), pain("o1", 3, "2024-05-01", pid="p-cli"), pid="p-cli")


def _refused(outcome: Outcome, name: str) -> None:
    assert outcome.code == 2, outcome
    assert name in " ".join(outcome.err.split()), outcome.err
    assert "Traceback" not in outcome.err + outcome.out


@pytest.fixture
def cli_db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CNOPAD_DATABASE_URL", database_url)
    monkeypatch.setenv("CNOPAD_USER", "test-operator")
    return database_url


def _count(url: str, table: Any) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.parametrize("as_of", ["0001-01-01", "1899-12-31", "9999-12-31"])
def test_assess_with_an_implausible_as_of_exits_2_naming_the_option(
    as_of: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome = run_cli(capsys, monkeypatch, "assess", str(_write(tmp_path, _record())), "--as-of", as_of)
    _refused(outcome, "--as-of")


def test_assess_of_a_bundle_with_a_birth_date_in_year_one_names_the_element(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome = run_cli(capsys, monkeypatch, "assess", str(_write(tmp_path, _record(birth="0001-01-01"))))
    _refused(outcome, "Bundle.entry[0].resource.birthDate")


@pytest.mark.parametrize("limit", ["lots", "4", "-1GB", "1e9GB", "4 GB; DROP", "\x00"])
def test_population_screen_with_a_malformed_memory_limit_exits_2_naming_it(
    limit: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("population", "screen", "--omop", str(tmp_path), "--out", str(tmp_path / "out"), "--memory-limit", limit)
    _refused(run_cli(capsys, monkeypatch, *args), "--memory-limit")
    assert not (tmp_path / "out").exists()


def test_population_generate_with_a_negative_seed_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("population", "generate", "--persons", "10", "--out", str(tmp_path / "out"), "--seed", "-1")
    _refused(run_cli(capsys, monkeypatch, *args), "--seed")


def test_import_of_a_megabyte_name_exits_2_naming_the_element_and_stores_nothing(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome = run_cli(capsys, monkeypatch, "import", str(_write(tmp_path, _record(name="A" * 1_000_000))))
    _refused(outcome, "Bundle.entry[0].resource.name")
    assert _count(cli_db, patients) == 0


def test_import_of_a_birth_date_in_year_one_exits_2_and_stores_nothing(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome = run_cli(capsys, monkeypatch, "import", str(_write(tmp_path, _record(birth="0001-01-01"))))
    _refused(outcome, "Bundle.entry[0].resource.birthDate")
    assert _count(cli_db, patients) == 0


def test_import_of_a_lone_surrogate_exits_2_naming_the_element(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = json.dumps(_record(name="SURROGATE")).replace("SURROGATE", "Jan \\ud800")
    outcome = run_cli(capsys, monkeypatch, "import", str(_write(tmp_path, text)))
    _refused(outcome, "Bundle.entry[0].resource.name[0].text")
    assert _count(cli_db, patients) == 0


@pytest.mark.parametrize("purpose", ["x" * 81, "zorg\x00", "zorg\udcff"])
def test_import_with_an_unusable_purpose_exits_2_naming_it(
    purpose: str, cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome = run_cli(capsys, monkeypatch, "import", str(_write(tmp_path, _record())), "--purpose", purpose)
    _refused(outcome, "--purpose")
    assert _count(cli_db, patients) == 0


@pytest.mark.parametrize("name", ["n" * 121, "jan\x00", "jan\udcff"])
def test_user_add_with_an_unusable_name_exits_2_and_creates_nobody(
    name: str, cli_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome = run_cli(capsys, monkeypatch, "user", "add", name, "--role", "gp")
    assert outcome.code == 2, outcome
    assert "NAME" in outcome.err or "name" in outcome.err.lower()
    assert "Traceback" not in outcome.err
    assert _count(cli_db, users) == 0


def test_user_add_with_an_over_long_practitioner_value_exits_2_naming_it(
    cli_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome = run_cli(capsys, monkeypatch, "user", "add", "jan", "--role", "gp", "--practitioner", "s|" + "1" * 201)
    _refused(outcome, "--practitioner")
    assert _count(cli_db, users) == 0
