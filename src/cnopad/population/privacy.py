"""Small-count suppression: every aggregate count below 10 leaves the tool as "<10"."""

from __future__ import annotations

#: counts below this are never shown
MIN_COUNT = 10
SUPPRESSED = "<10"


def shown(count: int) -> str:
    """A count as it may be shown: the number from 10 up, else "<10" (0 included)."""
    return f"{count:,}" if count >= MIN_COUNT else SUPPRESSED


def showable(*counts: int) -> bool:
    """True when every count is large enough to show (ratios made of them may then be shown too)."""
    return all(c >= MIN_COUNT for c in counts)


def ratio(numerator: int, denominator: int) -> str:
    """A proportion, shown only when both counts may be shown."""
    if denominator == 0 or not showable(numerator, denominator):
        return "not shown (a count below 10)"
    return f"{numerator / denominator:.3f}"
