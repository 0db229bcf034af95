"""The criteria panel template (``_criteria.html``) rendered from a criteria report, in Dutch and English: Jansson
as shipped (points not verified) shows its status and items but no score and no points; the same record with the
weights marked verified (a test copy, the points mechanism) shows the range and the points (the near miss)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from cnopad.domain import PatientRecord
from cnopad.engine.criteria import evaluate_criteria
from cnopad.knowledge import KnowledgeBase
from cnopad.web.rendering import environment
from support.criteria import suspected_crmo_child, with_verified_weights

AS_OF = date(2026, 11, 29)
_POINTS = re.compile(r'<td data-testid="points">([^<]*)</td>')


def _record(kb: KnowledgeBase) -> PatientRecord:
    """A child with suspected CRMO, fever recorded absent and CRP 12 mg/L."""
    return suspected_crmo_child(kb, "synthetic-panel")


def _jansson_card(kb: KnowledgeBase, record: PatientRecord, lang: str) -> str:
    report = evaluate_criteria(record, AS_OF, lang=lang, kb=kb)
    html = environment(lang).get_template("_criteria.html").render(criteria=report)
    start = html.index('data-instrument="jansson-2009"')
    return html[start : html.index("</article>", start)]


@pytest.mark.parametrize(
    ("lang", "label", "score"),
    [
        ("nl", "score niet berekend: gewichten niet geverifieerd", "score 15–63 van 63 (drempel 39)"),
        ("en", "score not computed: weights not verified", "score 15–63 of 63 (threshold 39)"),
    ],
)
def test_jansson_shows_no_score_and_no_points_until_its_weights_are_verified(
    kb: KnowledgeBase, lang: str, label: str, score: str
) -> None:
    record = _record(kb)
    shipped = _jansson_card(kb, record, lang)
    assert 'data-status="not_computed"' in shipped and label in shipped
    assert "score-jansson-2009" not in shipped and not re.search(r"\d+–\d+ (of|van) 63", shipped)
    assert _POINTS.findall(shipped) == [] and ">Points<" not in shipped and ">Punten<" not in shipped  # no column
    assert 'data-item="normal-temperature" data-state="present"' in shipped  # the items are still decided
    # near miss: the same record with the weights marked verified shows the range and the points
    verified = _jansson_card(with_verified_weights(kb, "jansson-2009"), record, lang)
    assert 'data-status="undetermined"' in verified and label not in verified
    assert score in " ".join(verified.split())
    assert _POINTS.findall(verified) == ["13", "10", "10", "9", "8", "7", "6"]
