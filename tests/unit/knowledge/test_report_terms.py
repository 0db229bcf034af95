"""knowledge/report_terms.yaml is validated on load: a wrong concept, site, duplicate or side stops start-up."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from cnopad.errors import KnowledgeBaseError
from cnopad.knowledge import KnowledgeBase
from cnopad.knowledge.files import knowledge_file, parse
from cnopad.knowledge.report_terms import FINDINGS, ReportTerms, report_terms

NAME, TEXT = knowledge_file("report_terms.yaml")


def _parse(change: Any) -> ReportTerms:
    data = yaml.safe_load(TEXT)
    change(data)
    return parse(ReportTerms, NAME, yaml.safe_dump(data, allow_unicode=True))


def _group(data: dict[str, Any], group_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(g for g in data["groups"] if g["id"] == group_id)
    return found


def test_the_shipped_file_loads_and_is_part_of_the_knowledge_base(kb: KnowledgeBase) -> None:
    assert kb.report_terms is report_terms()
    assert "report_terms@" in kb.version
    readable = {c for g in kb.report_terms.groups for c in g.reads.concepts()}
    assert readable == FINDINGS["imaging"] | FINDINGS["biopsy"], "every finding the rules read can come from text"


def test_every_statement_the_file_cites_is_in_the_catalog(kb: KnowledgeBase) -> None:
    assert set(kb.report_terms.statements) <= set(kb.statements.by_id)


def test_an_imaging_group_reading_a_biopsy_result_is_refused_naming_the_group() -> None:
    def change(data: dict[str, Any]) -> None:
        _group(data, "osteolysis")["reads"] = {"present": "biopsy_tumour"}

    with pytest.raises(KnowledgeBaseError, match=r"report_terms\.yaml: groups\[\d+\] \(osteolysis\).*biopsy_tumour"):
        _parse(change)


def test_a_term_listed_twice_is_refused() -> None:
    def change(data: dict[str, Any]) -> None:
        _group(data, "sclerosis")["terms"].append("sclerose")

    with pytest.raises(KnowledgeBaseError, match=r"sclerose.*listed twice"):
        _parse(change)


def test_a_site_that_is_not_a_domain_site_is_refused() -> None:
    def change(data: dict[str, Any]) -> None:
        data["sites"][0]["bone"] = "shin"

    with pytest.raises(KnowledgeBaseError, match=r"sites\[0\]\.bone"):
        _parse(change)


def test_a_side_word_on_two_sides_is_refused() -> None:
    def change(data: dict[str, Any]) -> None:
        data["sides"]["right"].append("links")

    with pytest.raises(KnowledgeBaseError, match="links"):
        _parse(change)


def test_a_group_that_gives_a_concept_without_a_statement_reference_or_inference_is_refused() -> None:
    def change(data: dict[str, Any]) -> None:
        group = _group(data, "hyperostosis")
        group.pop("statements")
        group.pop("inference", None)

    with pytest.raises(KnowledgeBaseError, match="needs statements, a reference or an inference"):
        _parse(change)
