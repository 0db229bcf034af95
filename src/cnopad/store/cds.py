"""CDS Hooks persistence: which rule issued which card, clinicians' feedback, and seen JWT ids."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cnopad.store.tables import cds_cards, cds_feedback, cds_jwt_ids


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    """One feedback outcome as stored."""

    service_id: str
    card_uuid: str
    rule_id: str | None
    outcome: str
    reason_code: str | None
    reason_display: str | None
    user_comment: str | None


_CALLS = itertools.count()


class CdsRepository:
    """Issued cards, feedback and the JWT replay cache."""

    def __init__(self, session: Session, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.session = session
        self.clock = clock

    def remember_cards(self, service_id: str, cards: Iterable[tuple[str, str]]) -> None:
        """Record (card uuid, rule id) pairs; a uuid seen before keeps its first row (uuids are stable)."""
        rows = {
            uuid: {"uuid": uuid, "rule_id": rule, "service_id": service_id, "issued_at": self.clock()}
            for uuid, rule in cards
        }
        if not rows:
            return
        dialect = self.session.get_bind().dialect.name
        if dialect in ("sqlite", "postgresql"):
            # one statement, no read first: the hot path of every CDS Hooks call
            upsert = sqlite_insert if dialect == "sqlite" else postgresql_insert
            self.session.execute(upsert(cds_cards).on_conflict_do_nothing(index_elements=["uuid"]), list(rows.values()))
            return
        existing = {r.uuid for r in self.session.execute(select(cds_cards.c.uuid).where(cds_cards.c.uuid.in_(rows)))}
        fresh = [r for uuid, r in rows.items() if uuid not in existing]
        if fresh:
            self.session.execute(insert(cds_cards), fresh)

    def rule_of(self, card_uuid: str) -> str | None:
        """The rule that issued a card, if cnopad issued it."""
        row = self.session.execute(select(cds_cards.c.rule_id).where(cds_cards.c.uuid == card_uuid)).first()
        return row.rule_id if row else None

    def add_feedback(
        self,
        service_id: str,
        client: str,
        card_uuid: str,
        outcome: str,
        outcome_at: datetime,
        *,
        reason: tuple[str, str, str | None] | None,
        comment: str | None,
        accepted: list[str],
    ) -> None:
        """Store one feedback outcome."""
        self.session.execute(
            insert(cds_feedback).values(
                service_id=service_id,
                card_uuid=card_uuid,
                rule_id=self.rule_of(card_uuid),
                outcome=outcome,
                reason_system=reason[0] if reason else None,
                reason_code=reason[1] if reason else None,
                reason_display=reason[2] if reason else None,
                user_comment=comment,
                accepted_suggestions=json.dumps(accepted) if accepted else None,
                outcome_at=outcome_at,
                received_at=self.clock(),
                client=client,
            )
        )

    def feedback(self) -> list[FeedbackRow]:
        """Every feedback outcome."""
        rows = self.session.execute(select(cds_feedback).order_by(cds_feedback.c.id))
        return [
            FeedbackRow(
                r.service_id, r.card_uuid, r.rule_id, r.outcome, r.reason_code, r.reason_display, r.user_comment
            )
            for r in rows
        ]

    def first_use_of_jwt(self, issuer: str, jti: str, expires_at: datetime) -> bool:
        """Record a JWT id; False when it was seen before (a replay). Expired ids are cleared now and then."""
        if next(_CALLS) % 100 == 0:  # clearing on every call would add a write to each request
            self.session.execute(delete(cds_jwt_ids).where(cds_jwt_ids.c.expires_at < self.clock()))
        try:
            with self.session.begin_nested():
                self.session.execute(insert(cds_jwt_ids).values(issuer=issuer, jti=jti, expires_at=expires_at))
        except IntegrityError:
            return False
        return True
