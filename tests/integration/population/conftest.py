"""Synthetic OMOP populations shared by the population integration tests (generated once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnopad.population.synthetic import generate


@pytest.fixture(scope="session")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 synthetic persons (seed 7): omop/ and truth.parquet."""
    return generate(20_000, 7, tmp_path_factory.mktemp("population") / "p20k").out


@pytest.fixture(scope="session")
def small_population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,500 synthetic persons (seed 3), for comparing sources and backends."""
    return generate(2_500, 3, tmp_path_factory.mktemp("population") / "p2500").out
