"""Population case-finding on OMOP CDM data (Ibis: DuckDB, PySpark, PostgreSQL) and a synthetic population generator.

The score is knowledge (``cnopad/knowledge/casefinding``); this package resolves it in a source's own
vocabulary, reads Dutch notes with clinlp, scores every person with one Ibis expression, and writes the
ranked list and an HTML report. It suggests records for review; a clinician decides.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from cnopad.population.backends import BACKENDS, SourceSpec, open_arrow
from cnopad.population.screening import ScreenResult, screen, screen_omop
from cnopad.population.source import check_opened

__all__ = ["BACKENDS", "ScreenResult", "SourceSpec", "screen", "screen_tables"]


def screen_tables(
    tables: Mapping[str, Any], *, threshold: int | None = None, as_of: date | None = None
) -> ScreenResult:
    """Screen OMOP tables given as Arrow tables (in-memory DuckDB): for tests and notebooks."""
    with check_opened(open_arrow(tables)) as omop:
        return screen_omop(omop, threshold=threshold, as_of=as_of)
