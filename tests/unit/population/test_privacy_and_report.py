"""Aggregates below 10 leave the tool as "<10", charts do not draw them to scale, and the report names no person."""

from __future__ import annotations

import re
from datetime import date
from xml.etree import ElementTree

import pytest

from cnopad.knowledge.casefinding import casefinding
from cnopad.population import screen_tables
from cnopad.population.cdm import version_from_columns, version_from_text
from cnopad.population.privacy import ratio, shown
from cnopad.population.report import render
from cnopad.population.svg import horizontal_bars, vertical_bars
from support.omop import OmopBuilder


@pytest.mark.parametrize(("count", "text"), [(0, "<10"), (9, "<10"), (10, "10"), (12345, "12,345")])
def test_counts_below_ten_are_suppressed(count: int, text: str) -> None:
    assert shown(count) == text


def test_a_ratio_made_of_a_small_count_is_not_shown() -> None:
    assert ratio(9, 100) == "not shown (a count below 10)"
    assert ratio(40, 44) == "0.909"


def test_a_chart_never_prints_a_small_count_and_is_valid_svg() -> None:
    svg = vertical_bars("scores", ["0", "1", "2"], [1000, 3, 0], marker=2)
    ElementTree.fromstring(svg)  # noqa: S314 - our own output, not untrusted input
    assert ">3<" not in svg
    assert svg.count("&lt;10") == 2
    ElementTree.fromstring(horizontal_bars("features", ["a", "b"], [15, 2]))  # noqa: S314 - our own output


def _small_population_report() -> tuple[str, list[int]]:
    b = OmopBuilder()
    for pid in (987654301, 987654302, 987654303):
        b.person(pid, date(1980, 1, 1))
        b.condition(pid, date(2015, 1, 1), "ICPC2 L04").condition(pid, date(2015, 6, 1), "ICD10 M94.0")
        b.note(pid, date(2015, 2, 1), "Beeld past bij SCCH.")
    result = screen_tables(b.tables())
    return render(result, casefinding(), lang="nl"), result.ranked.column("person_id").to_pylist()


def test_the_report_of_a_small_population_shows_only_suppressed_counts_and_no_person_ids_or_text() -> None:
    html, listed = _small_population_report()
    assert listed == [987654301, 987654302, 987654303]
    for pid in listed:
        assert str(pid) not in html
    assert "Beeld past bij" not in html
    counts = re.findall(r'<td class="num">([^<]*|&lt;10)</td>', html)
    assert counts
    assert all(c in {"&lt;10", "6", "1", "3", "2", "5", "not shown (a count below 10)"} or "," in c for c in counts)


def test_the_report_uses_the_dutch_feature_titles_when_asked() -> None:
    html, _ = _small_population_report()
    assert "Klacht voorste borstwand" in html


def test_the_cdm_version_is_read_from_cdm_source_text_or_from_version_specific_columns() -> None:
    assert version_from_text("v5.3.1") == "5.3"
    assert version_from_text("CDM v5.4.0") == "5.4"
    assert version_from_text("unknown") is None
    assert version_from_columns({"visit_occurrence": {"admitting_source_concept_id"}}) == "5.3"
    assert version_from_columns({"procedure_occurrence": {"procedure_end_date"}}) == "5.4"
    assert version_from_columns({"person": {"death_datetime"}}) == "6.0"
    assert version_from_columns({"person": {"person_id"}}) is None
