"""Dates of the synthetic population as day numbers since 1970-01-01 (NumPy int64)."""

from __future__ import annotations

from datetime import date

import numpy as np

_EPOCH = date(1970, 1, 1)


def day(d: date) -> int:
    """The day number of a date."""
    return (d - _EPOCH).days


#: the data window: records run from START to END (inclusive)
START = day(date(2008, 1, 1))
END = day(date(2025, 12, 31))


def birth_parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, day) arrays of day numbers."""
    d = days.astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    dom = (d - months).astype(np.int64) + 1
    return year.astype(np.int32), month.astype(np.int32), dom.astype(np.int32)
