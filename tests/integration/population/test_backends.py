"""The score, written once in Ibis, gives identical results on DuckDB, PostgreSQL and PySpark (local[2])."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cnopad.population import SourceSpec, screen
from support.omop import read_folder
from support.postgres import omop_schema


@pytest.mark.postgres
def test_postgresql_gives_the_same_scores_and_ranking_as_duckdb(small_population: Path) -> None:
    duck = screen(SourceSpec(str(small_population / "omop")))
    with omop_schema(read_folder(small_population / "omop")) as url:
        pg = screen(SourceSpec(url))
    assert pg.backend == "postgres"
    assert duck.ranked.num_rows > 0
    assert pg.scores.equals(duck.scores)
    assert pg.ranked.equals(duck.ranked)
    assert pg.diagnosed.equals(duck.diagnosed)


@pytest.mark.postgres
def test_postgresql_screens_as_of_a_date_like_duckdb(small_population: Path) -> None:
    as_of = date(2016, 7, 1)
    duck = screen(SourceSpec(str(small_population / "omop")), as_of=as_of)
    with omop_schema(read_folder(small_population / "omop")) as url:
        pg = screen(SourceSpec(url), as_of=as_of)
    assert duck.ranked.num_rows > 0
    assert pg.persons == duck.persons
    assert pg.scores.equals(duck.scores)
    assert pg.ranked.equals(duck.ranked)


@pytest.mark.spark
def test_spark_local_gives_the_same_scores_and_ranking_as_duckdb(small_population: Path) -> None:
    duck = screen(SourceSpec(str(small_population / "omop")))
    spark = screen(SourceSpec(str(small_population / "omop"), backend="spark"))
    assert spark.backend == "spark"
    assert duck.ranked.num_rows > 0
    assert spark.scores.equals(duck.scores)
    assert spark.ranked.equals(duck.ranked)
