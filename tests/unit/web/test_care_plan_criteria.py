"""The printed care plan carries the source's diagnostic path while CNO is only suspected (issue 13), and not
once the diagnosis is confirmed. Synthetic records; the HTML the PDF is made from is checked."""

from __future__ import annotations

from datetime import date

import pytest

from cnopad.domain import Concept, Condition, Patient, PatientRecord, Verification
from cnopad.engine import assess
from cnopad.engine.criteria import evaluate_criteria
from cnopad.knowledge import knowledge
from cnopad.reports.care_plan import build_care_plan, care_plan_html
from cnopad.web.i18n import translations

AS_OF = date(2026, 11, 29)


def _html(verification: Verification, lang: str) -> str:
    kb = knowledge()
    coding = kb.valuesets.coding_for(Concept.CNO_SCCH)
    dx = Condition(
        "dx",
        (coding,),
        frozenset({Concept.CNO_SCCH}),
        verification=verification,
        onset=date(2021, 1, 1),
        recorded=date(2026, 10, 1),
    )
    record = PatientRecord.build(Patient("synthetic-plan", date(1980, 2, 2), synthetic=True), [dx])
    catalog = translations(lang)
    plan = build_care_plan(
        record,
        assess(record, AS_OF, lang=lang, kb=kb),
        valuesets=kb.valuesets,
        sources=kb.sources,
        catalog=catalog,
        today=AS_OF,
        criteria=evaluate_criteria(record, AS_OF, lang=lang, kb=kb),
    )
    return care_plan_html(plan, catalog)


@pytest.mark.parametrize(
    ("lang", "heading", "notice"),
    [
        ("nl", "Diagnostisch pad volgens de bron", "geen gevalideerde"),
        ("en", "Diagnostic path of the source", "no validated"),
    ],
)
def test_a_suspected_adults_care_plan_prints_the_diagnostic_path_and_the_notice(
    lang: str, heading: str, notice: str
) -> None:
    html = _html(Verification.SUSPECTED, lang)
    assert heading in html and notice in html
    assert "NHG-DX-WHO-1" in html and "NHG-REFERRAL-LUMC-1" in html


def test_a_confirmed_diagnosis_prints_no_diagnostic_path() -> None:
    assert "Diagnostic path of the source" not in _html(Verification.CONFIRMED, "en")
