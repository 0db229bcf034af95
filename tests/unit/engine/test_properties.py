"""Invariants of the engine over generated records (Hypothesis): citations, summaries, languages, scope, determinism."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnopad.engine import Assessment, assess
from cnopad.knowledge import KnowledgeBase, knowledge
from cnopad.knowledge.statements import Scope
from unit.engine.casefiles import Builder

KB = knowledge()
AS_OF = date(2026, 11, 23)

#: the pool of entries a generated record draws from: every concept the rules look at appears somewhere
_POOL: list[dict[str, Any]] = [
    {"condition": "concept:cno_scch"},
    {"condition": "concept:crmo"},
    {"condition": "concept:cno", "verification": "suspected"},
    {"condition": "concept:cno_scch", "verification": "ruled_out"},
    {"condition": "icd10:M94.0"},
    {"condition": "icd10:R07.3"},
    {"condition": "icd10:M79.7"},
    {"condition": "icd10:L40.3"},
    {"condition": "concept:arthritis"},
    {"condition": "concept:chronic_pain"},
    {"condition": "concept:peptic_ulcer"},
    {"condition": "concept:vertebral_compression"},
    {"condition": "concept:subclavian_vein_thrombosis"},
    {"condition": "concept:jaw_osteonecrosis"},
    {"medication": "atc:M01AE02"},
    {"medication": "atc:M05BA03", "every_months": 3, "days": 3},
    {"medication": "atc:L04AB04"},
    {"medication": "atc:L04AX03"},
    {"medication": "atc:H02AB06"},
    {"medication": "atc:A02BC01"},
    {"medication": "atc:B01AC06"},
    {"medication": "atc:J07BD52"},
    {"medication": "atc:M05BA03", "status": "draft"},
    {"administration": "atc:M05BA03"},
    {"observation": "loinc:72514-3", "value": 6},
    {"observation": "loinc:72514-3", "value": 0},
    {"observation": "concept:flare", "value": True},
    {"observation": "concept:disease_activity", "value": "concept:remission"},
    {"observation": "snomed:386661006", "value": True},
    {"observation": "concept:jaw_complaint", "value": True},
    {"observation": "concept:arm_oedema", "value": True},
    {"observation": "concept:new_complaint", "value": True},
    {"observation": "concept:fatigue", "value": True},
    {"observation": "concept:pregnancy_wish", "value": True},
    {"observation": "loinc:72166-2", "value": "snomed:77176002"},
    {"observation": "concept:work_situation", "value": "concept:sick_leave"},
    {"observation": "loinc:1988-5", "value": 4.0},
    {"observation": "loinc:24356-8", "value": "normaal"},
    {"observation": "concept:infusion_site_complaint", "value": True},
    {"imaging": "concept:spect_ct", "findings": ["concept:imaging_activity"]},
    {"imaging": "concept:xray", "findings": ["concept:imaging_normal"]},
    {"imaging": "concept:mri", "findings": ["concept:tumour_not_excluded"], "lesions": 1},
    {"imaging": "concept:whole_body_mri", "findings": ["concept:osteolytic_lesion"], "lesions": 3},
    {"biopsy": "bone"},
    {"procedure": "concept:dental_check"},
    {"procedure": "concept:physiotherapy"},
    {"procedure": "concept:tb_screening"},
    {"procedure": "concept:invasive_dental_procedure", "status": "preparation"},
    {"procedure": "concept:patient_association_informed"},
    {"referral": "concept:referral_physiotherapy"},
    {"encounter": "concept:gp_contact"},
    {"encounter": "concept:expertise_centre_review", "status": "planned"},
    {"goal": "concept:goal_less_pain"},
    {"member": ["gp", "coordinator"]},
    {"member": ["expertise_centre", "main_treating"]},
]
_ORDERS: list[dict[str, Any]] = [
    {"medication": "atc:M05BA08", "status": "draft"},
    {"medication": "atc:L04AB02", "status": "draft"},
    {"medication": "atc:M01AE01", "status": "draft"},
    {"immunization": "atc:J07BK01"},
    {"referral": "concept:referral_dentist", "status": "draft"},
]

# dates lean towards the last year, where the rules' windows are, but reach back years and a little ahead
_days = st.one_of(
    st.integers(min_value=-60, max_value=400).map(lambda n: AS_OF - timedelta(days=n)),
    st.integers(min_value=0, max_value=3300).map(lambda n: date(2018, 1, 1) + timedelta(days=n)),
)


@st.composite
def records(draw: st.DrawFn) -> tuple[Any, tuple[Any, ...]]:
    """A synthetic record and draft orders: a birth date either side of 18, entries from the pool with dates."""
    birth = draw(st.integers(min_value=1940, max_value=2020).map(lambda y: date(y, 6, 15)))
    entries = []
    for spec in draw(st.lists(st.sampled_from(_POOL), max_size=25)):
        day = draw(_days)
        key = "start" if ("medication" in spec or "member" in spec or "goal" in spec) else "on"
        extra = {"recorded": day, "onset": day - timedelta(days=400)} if "condition" in spec else {key: day}
        entries.append({**spec, **extra})
    builder = Builder(KB)
    record = builder.record({"id": "generated", "birth": birth.isoformat()}, entries)
    orders = tuple(builder.entry({**o, "on": AS_OF}) for o in draw(st.lists(st.sampled_from(_ORDERS), max_size=2)))
    return record, orders


def _both(record: Any, orders: Any) -> tuple[Assessment, Assessment]:
    return assess(record, AS_OF, orders, lang="nl", kb=KB), assess(record, AS_OF, orders, lang="en", kb=KB)


_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(records())
def test_every_card_cites_a_known_statement_and_has_a_short_summary(generated: tuple[Any, Any]) -> None:
    for assessment in _both(*generated):
        for card in assessment.cards:
            assert card.statements and all(s in KB.statements for s in card.statements)
            assert len(card.summary) < 140
            assert card.detail and card.source.label


@_SETTINGS
@given(records())
def test_nl_and_en_give_the_same_cards_tasks_plan_and_texts(generated: tuple[Any, Any]) -> None:
    nl, en = _both(*generated)
    assert [(c.uuid, c.rule_id, c.indicator, c.statements, c.order_id) for c in nl.cards] == [
        (c.uuid, c.rule_id, c.indicator, c.statements, c.order_id) for c in en.cards
    ]
    assert [(t.id, t.status, t.due) for t in nl.tasks] == [(t.id, t.status, t.due) for t in en.tasks]
    assert (nl.step_plan.current, nl.step_plan.escalation, nl.step_plan.statements) == (
        en.step_plan.current,
        en.step_plan.escalation,
        en.step_plan.statements,
    )
    assert [i.id for i in nl.information] == [i.id for i in en.information]


@_SETTINGS
@given(records())
def test_adult_statements_never_reach_a_child_and_child_statements_never_reach_an_adult(
    generated: tuple[Any, Any],
) -> None:
    record, orders = generated
    assessment = assess(record, AS_OF, orders, kb=KB)
    wrong = Scope.CHILD if record.patient.age_on(AS_OF) >= 18 else Scope.ADULT
    cited = [s for c in assessment.cards for s in c.statements]
    cited += [s for t in assessment.tasks for s in t.statements]
    cited += [s for i in assessment.information for s in i.statements]
    cited += list(assessment.step_plan.statements)
    assert not [s for s in cited if KB.statements.by_id[s].scope is wrong]
    if wrong is Scope.ADULT:
        # children are never routed to the adult expertise centre or the adult patient association
        assert not any("cno-scch.nl" in c.detail or "071-5263505" in c.detail for c in assessment.cards)


@_SETTINGS
@given(records())
def test_assessment_is_deterministic_with_unique_card_uuids(generated: tuple[Any, Any]) -> None:
    record, orders = generated
    first = assess(record, AS_OF, orders, kb=KB)
    assert first == assess(record, AS_OF, orders, kb=KB)
    assert len({c.uuid for c in first.cards}) == len(first.cards)


def test_the_generator_reaches_most_rules(kb: KnowledgeBase) -> None:
    """Guard against a vacuous property run: the pool must make many different rules fire."""
    fired: set[str] = set()

    # derandomized: the same examples every run, so the guard is not flaky
    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    @given(records())
    def collect(generated: tuple[Any, Any]) -> None:
        fired.update(c.rule_id for c in assess(generated[0], AS_OF, generated[1], kb=kb).cards)

    collect()
    assert len(fired) >= len(kb.rules.rules) // 3, f"only {len(fired)} rules fired: {sorted(fired)}"
    assert any(kb.rules.by_id[r].kind.value == "safety" for r in fired)
