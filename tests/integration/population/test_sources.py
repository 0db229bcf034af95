"""The same OMOP data screens the same from Parquet, CSV or a DuckDB file, in any column case, as CDM v5.3 or v5.4."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from cnopad.population import SourceSpec, screen
from support.omop import read_folder, upper, write_csv, write_duckdb, write_parquet


@pytest.fixture(scope="module")
def baseline(small_population: Path) -> pa.Table:
    return screen(SourceSpec(str(small_population / "omop"))).scores


def test_a_csv_folder_with_upper_case_files_and_columns_screens_the_same(
    small_population: Path, tmp_path: Path, baseline: pa.Table
) -> None:
    folder = write_csv(upper(read_folder(small_population / "omop")), tmp_path / "csv")
    assert screen(SourceSpec(str(folder))).scores.equals(baseline)


def test_a_duckdb_file_with_upper_case_columns_screens_the_same(
    small_population: Path, tmp_path: Path, baseline: pa.Table
) -> None:
    path = write_duckdb(upper(read_folder(small_population / "omop")), tmp_path / "omop.duckdb")
    result = screen(SourceSpec(str(path)))
    assert result.scores.equals(baseline)
    assert result.cdm_version == "5.4"


def test_cdm_v53_tables_without_cdm_source_are_told_by_their_columns_and_screen_the_same(
    small_population: Path, tmp_path: Path, baseline: pa.Table
) -> None:
    tables = read_folder(small_population / "omop")
    del tables["cdm_source"]
    visits = tables["visit_occurrence"]
    tables["visit_occurrence"] = visits.rename_columns(
        [{"admitted_from_concept_id": "admitting_source_concept_id", "discharged_to_concept_id": "discharge_to_concept_id"}
         .get(c, c) for c in visits.column_names]
    )  # fmt: skip
    tables["procedure_occurrence"] = tables["procedure_occurrence"].drop_columns(["procedure_end_date"])
    result = screen(SourceSpec(str(write_parquet(tables, tmp_path / "v53"))))
    assert result.cdm_version == "5.3"
    assert result.version_basis == "version-specific columns"
    assert result.scores.equals(baseline)


def test_each_duckdb_screen_spills_to_a_folder_of_its_own_that_is_removed_afterwards(
    small_population: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DuckDB's default spill folder is `.tmp` in the current folder with fixed file names: two screens started
    # from one folder (or a 10-million-person run next to another job) would overwrite each other's spill files
    import tempfile

    from cnopad.population.source import open_omop

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    spec = SourceSpec(str(small_population / "omop"))
    with open_omop(spec) as first, open_omop(spec) as second:
        folders = [
            Path(o.con.raw_sql("SELECT current_setting('temp_directory')").fetchone()[0]) for o in (first, second)
        ]
        assert folders[0] != folders[1]
        assert all(f.is_dir() and f.parent == tmp_path for f in folders)
    assert list(tmp_path.iterdir()) == []
