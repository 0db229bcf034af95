"""`cnopad population generate` and `screen` from the command line: outputs, and bad input answered cleanly."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from cnopad.population.outputs import FILES
from support.cli import run_cli
from support.omop import read_folder, write_parquet


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    outcome = run_cli(capsys, monkeypatch, *args)
    return outcome.code, outcome.out, outcome.err


def test_screen_writes_the_ranked_list_the_lists_apart_and_a_report_with_recall_and_precision(
    population: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "screen"
    code, stdout, _ = run(
        monkeypatch, capsys, "population", "screen", "--omop", str(population / "omop"),
        "--truth", str(population / "truth.parquet"), "--out", str(out),
    )  # fmt: skip
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    ranked = pacsv.read_csv(out / "ranked.csv")
    assert ranked.column_names[:3] == ["rank", "person_id", "score"]
    assert ranked.num_rows > 10
    assert (
        pq.read_table(out / "ranked.parquet").column("person_id").to_pylist() == ranked.column("person_id").to_pylist()
    )
    assert min(ranked.column("score").to_pylist()) >= 6
    assert all(s for s in ranked.column("statements").to_pylist())
    html = (out / "report.html").read_text("utf-8")
    assert "Recall" in html and "<svg" in html and "http" not in html.split("<body>")[0]
    assert json.loads((out / "run.json").read_text("utf-8"))["cdm_version"] == "5.4"
    assert "recall" in stdout


def test_generate_writes_tables_and_truth_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, _ = run(
        monkeypatch, capsys, "population", "generate", "--persons", "300", "--seed", "5", "--out", str(tmp_path / "g")
    )
    assert code == 0
    assert (tmp_path / "g" / "truth.parquet").is_file()
    assert pq.read_table(tmp_path / "g" / "omop" / "person.parquet").num_rows == 300
    assert "condition_occurrence" in stdout


Damage = Callable[[dict[str, pa.Table]], None]


def _drop_table(name: str) -> Damage:
    return lambda t: t.pop(name)


def _drop_column(table: str, column: str) -> Damage:
    def damage(t: dict[str, pa.Table]) -> None:
        t[table] = t[table].drop_columns([column])

    return damage


def _set_version(text: str) -> Damage:
    def damage(t: dict[str, pa.Table]) -> None:
        t["cdm_source"] = t["cdm_source"].set_column(
            t["cdm_source"].column_names.index("cdm_version"), "cdm_version", pa.array([text])
        )

    return damage


def _empty(name: str) -> Damage:
    def damage(t: dict[str, pa.Table]) -> None:
        t[name] = t[name].slice(0, 0)

    return damage


def _bad_date(t: dict[str, pa.Table]) -> None:
    c = t["condition_occurrence"]
    i = c.column_names.index("condition_start_date")
    t["condition_occurrence"] = c.set_column(i, "condition_start_date", pa.array(["2015-13-45"] * c.num_rows))


BAD_SOURCES = [
    ("person table missing", _drop_table("person"), "person: table is missing"),
    ("concept table missing", _drop_table("concept"), "concept: table is missing"),
    ("a required column missing", _drop_column("condition_occurrence", "condition_source_concept_id"), "condition_occurrence.condition_source_concept_id: column is missing"),
    ("a column missing from an optional table", _drop_column("drug_exposure", "days_supply"), "drug_exposure.days_supply: column is missing"),
    ("CDM v6.0", _set_version("v6.0"), "cdm_source.cdm_version: is 'v6.0'; cnopad reads OMOP CDM v5.3 and v5.4"),
    ("CDM v5.2", _set_version("5.2.2"), "cdm_source.cdm_version: is '5.2.2'"),
    ("empty person table", _empty("person"), "person: table is empty"),
    ("a date that is not a date", _bad_date, "condition_occurrence.condition_start_date: value '2015-13-45' is not a valid date"),
]  # fmt: skip


def _assert_clean_refusal(code: int, stderr: str, expected: str, out: Path) -> None:
    assert code == 2
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert expected in lines[0]
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}")]


@pytest.mark.parametrize(("why", "damage", "expected"), BAD_SOURCES, ids=[b[0] for b in BAD_SOURCES])
def test_bad_omop_input_is_one_clear_line_exit_code_2_and_no_output(
    why: str,
    damage: Damage,
    expected: str,
    small_population: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tables = read_folder(small_population / "omop")
    damage(tables)
    source = write_parquet(tables, tmp_path / "omop")
    out = tmp_path / "results"
    code, _, stderr = run(monkeypatch, capsys, "population", "screen", "--omop", str(source), "--out", str(out))
    _assert_clean_refusal(code, stderr, expected, out)


def test_an_unreadable_parquet_file_is_refused_naming_the_file(
    small_population: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "omop"
    shutil.copytree(small_population / "omop", source)
    (source / "measurement.parquet").write_bytes(b"PAR1 this is not parquet")
    out = tmp_path / "results"
    code, _, stderr = run(monkeypatch, capsys, "population", "screen", "--omop", str(source), "--out", str(out))
    _assert_clean_refusal(code, stderr, "measurement.parquet: cannot read table measurement", out)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--backend", "oracle"], "--backend: unknown backend 'oracle'"),
        (["--backend", "postgres"], "--omop: the postgres backend needs a PostgreSQL URL"),
        (["--threshold", "0"], "--threshold: must be at least 1"),
        (["--truth", "/nonexistent/truth.parquet"], "/nonexistent/truth.parquet: cannot read the truth file"),
    ],
)
def test_bad_options_are_one_clear_line_and_exit_code_2(
    args: list[str],
    expected: str,
    small_population: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "results"
    code, _, stderr = run(
        monkeypatch, capsys, "population", "screen", "--omop", str(small_population / "omop"), "--out", str(out), *args
    )
    _assert_clean_refusal(code, stderr, expected, out)


def test_a_source_that_does_not_exist_and_an_unreachable_database_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results"
    code, _, stderr = run(
        monkeypatch, capsys, "population", "screen", "--omop", str(tmp_path / "nowhere"), "--out", str(out)
    )
    _assert_clean_refusal(code, stderr, "no such file or folder", out)
    url = "postgresql://nobody:secret@127.0.0.1:1/none?schema=cdm"
    code, _, stderr = run(monkeypatch, capsys, "population", "screen", "--omop", url, "--out", str(out))
    _assert_clean_refusal(code, stderr, "postgresql://nobody@127.0.0.1:1/none", out)
    assert "secret" not in stderr


def test_an_output_folder_that_is_not_empty_is_never_overwritten(
    small_population: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results"
    out.mkdir()
    (out / "keep.txt").write_text("mine", "utf-8")
    code, _, stderr = run(
        monkeypatch, capsys, "population", "screen", "--omop", str(small_population / "omop"), "--out", str(out)
    )
    assert code == 2
    assert "exists and is not an empty folder" in stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_generate_refuses_zero_persons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "g"
    code, _, stderr = run(monkeypatch, capsys, "population", "generate", "--persons", "0", "--out", str(out))
    _assert_clean_refusal(code, stderr, "--persons: must be at least 1", out)
