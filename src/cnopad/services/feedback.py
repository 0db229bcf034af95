"""Clinicians' feedback on cards: store CDS Hooks outcomes and report, per rule, how often cards are overridden
and why. The web app's card actions (:mod:`cnopad.services.card_actions`) are stored in the same place and
counted here too; an action that was undone is not counted."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cnopad.store import UnitOfWork


@dataclass(frozen=True)
class FeedbackOutcome:
    """One outcome as received."""

    card: str
    outcome: str
    at: datetime
    reason: tuple[str, str, str | None] | None = None
    comment: str | None = None
    accepted: tuple[str, ...] = ()


def record_feedback(uow: UnitOfWork, service_id: str, client: str, outcomes: list[FeedbackOutcome]) -> int:
    """Store outcomes (one transaction) and return how many were stored."""
    for o in outcomes:
        uow.cds.add_feedback(
            service_id, client, o.card, o.outcome, o.at, reason=o.reason, comment=o.comment, accepted=list(o.accepted)
        )
    uow.audit.append(
        uow.actor,
        "cds-feedback",
        patient_id=None,
        purpose="decision support quality",
        detail=f"service={service_id} outcomes={len(outcomes)}",
    )
    uow.commit()
    return len(outcomes)


@dataclass
class RuleFeedback:
    """Feedback on one rule."""

    rule_id: str
    accepted: int = 0
    overridden: int = 0
    snoozed: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        """All outcomes."""
        return self.accepted + self.overridden

    @property
    def override_rate(self) -> float:
        """Share of outcomes that were overrides."""
        return self.overridden / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "rule": self.rule_id,
            "accepted": self.accepted,
            "overridden": self.overridden,
            "snoozed": self.snoozed,
            "override_rate": round(self.override_rate, 3),
            "reasons": dict(self.reasons.most_common()),
        }


def feedback_report(uow: UnitOfWork) -> list[RuleFeedback]:
    """Per rule (web and CDS Hooks together), most overridden first (foreign cards count as '(unknown card)')."""
    rules: dict[str, RuleFeedback] = defaultdict(lambda: RuleFeedback(""))
    for row in uow.cds.feedback():
        rule = row.rule_id or "(unknown card)"
        entry = rules[rule]
        entry.rule_id = rule
        if row.outcome == "accepted":
            entry.accepted += 1
        elif row.outcome == "snoozed":
            entry.snoozed += 1  # put off, not overridden: not in the override rate
        else:
            entry.overridden += 1
            entry.reasons[
                row.reason_display or row.reason_code or ("comment only" if row.user_comment else "no reason given")
            ] += 1
    uow.audit.append(
        uow.actor,
        "cds-feedback-report",
        patient_id=None,
        purpose="decision support quality",
        detail=f"rules={len(rules)}",
    )
    uow.commit()
    return sorted(rules.values(), key=lambda r: (-r.override_rate, -r.total, r.rule_id))
