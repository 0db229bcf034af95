"""CDS Hooks persistence: which rule issued which card, clinicians' feedback, and seen JWT ids."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import delete, insert, select, update
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


@dataclass(frozen=True, slots=True)
class CardAction:
    """What a clinician did with one card of one patient (the newest outcome that was not undone)."""

    id: int
    card_uuid: str
    rule_id: str | None
    outcome: str  # accepted, overridden or snoozed
    at: datetime
    user: str | None
    reason_code: str | None
    reason_display: str | None
    comment: str | None
    snooze_until: date | None
    suggestions: tuple[str, ...]
    channel: str


_CALLS = itertools.count()
# statements of every CDS Hooks call, built once per dialect that can skip a duplicate in the insert itself
_INSERT_NEW_CARDS = {
    "sqlite": sqlite_insert(cds_cards).on_conflict_do_nothing(index_elements=["uuid"]),
    "postgresql": postgresql_insert(cds_cards).on_conflict_do_nothing(index_elements=["uuid"]),
}
_INSERT_NEW_JTI = {
    "sqlite": sqlite_insert(cds_jwt_ids).on_conflict_do_nothing().returning(cds_jwt_ids.c.jti),
    "postgresql": postgresql_insert(cds_jwt_ids).on_conflict_do_nothing().returning(cds_jwt_ids.c.jti),
}


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
        if dialect in _INSERT_NEW_CARDS:
            # one statement, no read first: the hot path of every CDS Hooks call
            self.session.execute(_INSERT_NEW_CARDS[dialect], list(rows.values()))
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
        rule_id: str | None = None,
        patient_id: str | None = None,
        user: str | None = None,
        snooze_until: date | None = None,
    ) -> None:
        """Store one feedback outcome (``rule_id`` when the caller knows it: the web app assesses live)."""
        self.session.execute(
            insert(cds_feedback).values(
                service_id=service_id,
                card_uuid=card_uuid,
                rule_id=rule_id or self.rule_of(card_uuid),
                patient_id=patient_id,
                user_name=user,
                snooze_until=snooze_until,
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
        """Every feedback outcome that was not undone."""
        rows = self.session.execute(
            select(cds_feedback).where(cds_feedback.c.undone_at.is_(None)).order_by(cds_feedback.c.id)
        )
        return [
            FeedbackRow(
                r.service_id, r.card_uuid, r.rule_id, r.outcome, r.reason_code, r.reason_display, r.user_comment
            )
            for r in rows
        ]

    def card_actions(self, patient_id: str) -> dict[str, CardAction]:
        """Per card of one patient, the newest outcome recorded in the web app that was not undone."""
        rows = self.session.execute(
            select(cds_feedback)
            .where(cds_feedback.c.patient_id == patient_id, cds_feedback.c.undone_at.is_(None))
            .order_by(cds_feedback.c.id)
        )
        out: dict[str, CardAction] = {}
        for r in rows:
            out[r.card_uuid] = CardAction(
                r.id,
                r.card_uuid,
                r.rule_id,
                r.outcome,
                r.outcome_at,
                r.user_name,
                r.reason_code,
                r.reason_display,
                r.user_comment,
                r.snooze_until,
                tuple(json.loads(r.accepted_suggestions)) if r.accepted_suggestions else (),
                r.client,
            )
        return out

    def standing_actions(self, patient_id: str, *, today: date) -> dict[str, CardAction]:
        """As :meth:`card_actions`, without snoozes that have run out (the card asks for attention again)."""
        return {
            uuid: a
            for uuid, a in self.card_actions(patient_id).items()
            if a.outcome != "snoozed" or (a.snooze_until is not None and a.snooze_until > today)
        }

    def undo(self, action_id: int, *, by: str) -> None:
        """Mark one outcome undone (kept, with who undid it and when; the report no longer counts it)."""
        self.session.execute(
            update(cds_feedback)
            .where(cds_feedback.c.id == action_id, cds_feedback.c.undone_at.is_(None))
            .values(undone_at=self.clock(), undone_by=by)
        )

    def first_use_of_jwt(self, issuer: str, jti: str, expires_at: datetime) -> bool:
        """Record a JWT id; False when it was seen before (a replay). Expired ids are cleared now and then."""
        if next(_CALLS) % 100 == 0:  # clearing on every call would add a write to each request
            self.session.execute(delete(cds_jwt_ids).where(cds_jwt_ids.c.expires_at < self.clock()))
        row = {"issuer": issuer, "jti": jti, "expires_at": expires_at}
        dialect = self.session.get_bind().dialect.name
        if dialect in _INSERT_NEW_JTI:
            # one statement and no savepoint: a row inserted (and returned) means a first use, none a replay; RETURNING,
            # because psycopg reports no row count for this insert
            return self.session.execute(_INSERT_NEW_JTI[dialect], row).first() is not None
        try:
            with self.session.begin_nested():
                self.session.execute(insert(cds_jwt_ids), row)
        except IntegrityError:
            return False
        return True
