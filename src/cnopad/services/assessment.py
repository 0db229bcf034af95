"""Use cases of the decision engine: assess a FHIR bundle (no database), assess a stored record, explain an id."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from cnopad.domain import Entry
from cnopad.engine import Assessment, Indicator, assess, assessment_dict
from cnopad.errors import NotFoundError
from cnopad.fhir import NotChecked, Unrecognized, read_bundle, read_draft_orders
from cnopad.knowledge.base import KnowledgeBase
from cnopad.knowledge.rules import Rule
from cnopad.knowledge.schedules import ScheduleModel
from cnopad.knowledge.statements import Statement
from cnopad.knowledge.texts import InfoText
from cnopad.services.access import ensure_can_read
from cnopad.services.not_understood import order_card
from cnopad.store import UnitOfWork

Json = str | bytes | dict[str, Any]


@dataclass(frozen=True)
class AssessmentReport:
    """An assessment and the codes, references or resources of the input that cnopad did not understand."""

    assessment: Assessment
    unrecognized: tuple[Unrecognized, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON contract of ``cnopad assess --format json``.

        ``unrecognized`` keeps its name and its first four fields (location, system, code, display); since
        issue 11 each item also says why (``reason``), whether its resource was set aside (``set_aside``)
        and, where needed, ``detail``.
        """
        out = assessment_dict(self.assessment)
        out["unrecognized"] = [u.as_dict() for u in self.unrecognized]
        return out


def _orders(
    data: Json | None, kb: KnowledgeBase, today: date
) -> tuple[list[Entry], tuple[Unrecognized, ...], tuple[NotChecked, ...]]:
    if data is None:
        return [], (), ()
    return read_draft_orders(data, valuesets=kb.valuesets, today=today)


def _with_order_warnings(assessment: Assessment, not_checked: tuple[NotChecked, ...], kb: KnowledgeBase) -> Assessment:
    """Add "cnopad could not check this order" to an assessment: an unchecked order never passes silently."""
    if not not_checked:
        return assessment
    warnings = tuple(order_card(o, patient_id=assessment.patient_id, kb=kb, lang=assessment.lang) for o in not_checked)
    urgency = {Indicator.CRITICAL: 0, Indicator.WARNING: 1, Indicator.INFO: 2}
    cards = sorted((*warnings, *assessment.cards), key=lambda c: urgency[c.indicator])  # stable: engine order kept
    return replace(assessment, cards=tuple(cards))


def assess_bundle(
    bundle: Json,
    *,
    as_of: date,
    today: date,
    kb: KnowledgeBase,
    orders: Json | None = None,
    lang: str = "nl",
) -> AssessmentReport:
    """Read a FHIR R4 Bundle (and optional draft orders) and assess it; bad input raises InputError."""
    result = read_bundle(bundle, valuesets=kb.valuesets, today=today)
    drafts, skipped, not_checked = _orders(orders, kb, today)
    assessment = assess(result.record, as_of, drafts, lang=lang, kb=kb)
    return AssessmentReport(_with_order_warnings(assessment, not_checked, kb), result.unrecognized + skipped)


def assess_stored(
    uow: UnitOfWork,
    patient_id: str,
    *,
    as_of: date,
    today: date,
    kb: KnowledgeBase,
    orders: Json | None = None,
    lang: str = "nl",
    purpose: str = "care",
) -> AssessmentReport:
    """Assess a stored record (access checked, an audited read); draft orders are checked but not stored."""
    purpose = ensure_can_read(uow, patient_id).purpose(purpose)
    record = uow.records.get(patient_id, purpose=purpose)
    uow.commit()
    drafts, skipped, not_checked = _orders(orders, kb, today)
    assessment = assess(record, as_of, drafts, lang=lang, kb=kb)
    return AssessmentReport(_with_order_warnings(assessment, not_checked, kb), skipped)


@dataclass(frozen=True)
class Explanation:
    """What the knowledge base does with one statement: its rules, tasks, texts and step-plan lines."""

    statement: Statement
    rules: tuple[Rule, ...]
    schedules: tuple[ScheduleModel, ...]
    texts: tuple[InfoText, ...]
    step_plan: tuple[str, ...]
    valuesets: tuple[str, ...]


def explain(statement_id: str, *, kb: KnowledgeBase) -> Explanation:
    """The rules, tasks and texts citing a statement id; NotFoundError for an unknown id."""
    statement = kb.statements.get(statement_id.strip())
    sid = statement.id
    wording = kb.step_plan
    lines = [
        f"{side}.{key}"
        for side, part in (("adult", wording.adult), ("child", wording.child))
        for key, line in (("always", part.always), *part.reasons.items(), *part.prerequisites.items())
        if sid in line.statements
    ]
    return Explanation(
        statement=statement,
        rules=tuple(r for r in kb.rules if sid in r.all_statements),
        schedules=tuple(s for s in kb.schedules.schedules if sid in s.statements),
        texts=kb.texts.citing(sid),
        step_plan=tuple(lines),
        valuesets=tuple(str(vs.meaning) for vs in kb.valuesets.sets if sid in vs.statements),
    )


def rule_statement(rule_id: str, *, kb: KnowledgeBase) -> Rule:
    """A rule by id (for ``cnopad explain`` given a rule id); NotFoundError otherwise."""
    rule = kb.rules.by_id.get(rule_id.strip())
    if rule is None:
        msg = f"no statement or rule {rule_id!r}"
        raise NotFoundError(msg)
    return rule
