"""Inline SVG bar charts for the HTML report (no plotting library, no CDN, works offline).

Counts below 10 are never drawn to scale: their bar is an outline labelled "<10", so a chart cannot
reveal what the numbers hide.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from cnopad.population.privacy import showable, shown

_FILL, _MARK, _TEXT = "#2f6f8f", "#c0392b", "#222"


def vertical_bars(title: str, labels: Sequence[str], counts: Sequence[int], *, marker: int | None = None) -> str:
    """A column chart (e.g. persons per score); ``marker`` draws a line before that label index."""
    width, height, left, bottom, top = 640, 260, 50, 40, 30
    n = max(len(labels), 1)
    step = (width - left - 10) / n
    biggest = max([c for c in counts if showable(c)], default=1)
    parts = [_open(width, height, title), _text(width / 2, 18, title, anchor="middle", weight="bold")]
    base = height - bottom
    for i, (label, count) in enumerate(zip(labels, counts, strict=True)):
        x = left + i * step + 2
        w = max(step - 4, 1)
        if showable(count):
            h = (height - bottom - top) * count / biggest
            parts.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{_FILL}"/>')
            parts.append(_text(x + w / 2, base - h - 4, shown(count), anchor="middle", size=10))
        else:
            parts.append(
                f'<rect x="{x:.1f}" y="{base - 12:.1f}" width="{w:.1f}" height="12" fill="none" stroke="{_FILL}"/>'
            )
            parts.append(_text(x + w / 2, base - 16, shown(count), anchor="middle", size=10))
        parts.append(_text(x + w / 2, base + 14, label, anchor="middle", size=10))
    if marker is not None:
        mx = left + marker * step
        parts.append(
            f'<line x1="{mx:.1f}" y1="{top}" x2="{mx:.1f}" y2="{base}" stroke="{_MARK}" stroke-dasharray="4 3"/>'
        )
        parts.append(_text(mx + 4, top + 10, "threshold", size=10, fill=_MARK))
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="{_TEXT}"/>')
    parts.append("</svg>")
    return "".join(parts)


def horizontal_bars(title: str, labels: Sequence[str], counts: Sequence[int]) -> str:
    """A bar chart with one row per label (e.g. persons per feature)."""
    row, left, width, top = 20, 290, 720, 30
    height = top + row * max(len(labels), 1) + 10
    biggest = max([c for c in counts if showable(c)], default=1)
    span = width - left - 70
    parts = [_open(width, height, title), _text(width / 2, 18, title, anchor="middle", weight="bold")]
    for i, (label, count) in enumerate(zip(labels, counts, strict=True)):
        y = top + i * row
        parts.append(_text(left - 6, y + 13, label, anchor="end", size=11))
        if showable(count):
            w = span * count / biggest
            parts.append(f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{_FILL}"/>')
        else:
            w = 14
            parts.append(f'<rect x="{left}" y="{y + 3}" width="{w}" height="{row - 6}" fill="none" stroke="{_FILL}"/>')
        parts.append(_text(left + w + 6, y + 13, shown(count), size=11))
    parts.append("</svg>")
    return "".join(parts)


def ratio_groups(title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]]) -> str:
    """Grouped columns of proportions (0..1) per label, e.g. recall and PPV per threshold.

    A proportion that may not be shown (a count below 10 behind it) is None and drawn as an outline.
    """
    width, height, left, bottom, top = 640, 260, 50, 40, 40
    colours = ("#2f6f8f", "#d98c1f", "#6b8e23")
    n = max(len(labels), 1)
    step = (width - left - 10) / n
    each = max((step - 6) / max(len(series), 1), 1)
    base = height - bottom
    parts = [_open(width, height, title), _text(width / 2, 18, title, anchor="middle", weight="bold")]
    for k, name in enumerate(series):
        parts.append(f'<rect x="{left + k * 110}" y="26" width="10" height="10" fill="{colours[k % 3]}"/>')
        parts.append(_text(left + k * 110 + 14, 35, name, size=11))
    for i, label in enumerate(labels):
        x0 = left + i * step + 3
        for k, values in enumerate(series.values()):
            v = values[i]
            x = x0 + k * each
            if v is None:
                parts.append(
                    f'<rect x="{x:.1f}" y="{base - 12:.1f}" width="{each - 2:.1f}" height="12" fill="none" '
                    f'stroke="{colours[k % 3]}"/>'
                )
                continue
            h = (base - top - 10) * max(min(v, 1.0), 0.0)
            colour = colours[k % 3]
            parts.append(
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{each - 2:.1f}" height="{h:.1f}" fill="{colour}"/>'
            )
            parts.append(_text(x + (each - 2) / 2, base - h - 3, f"{v:.2f}", anchor="middle", size=9))
        parts.append(_text(x0 + (step - 6) / 2, base + 14, label, anchor="middle", size=10))
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="{_TEXT}"/>')
    parts.append("</svg>")
    return "".join(parts)


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="sans-serif">'
        f"<title>{escape(title)}</title>"
    )


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", size: int = 12, weight: str = "normal", fill: str = _TEXT
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
        f'fill="{fill}">{escape(text)}</text>'
    )
