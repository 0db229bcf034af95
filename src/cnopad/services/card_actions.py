"""What a clinician does with a card in the web app: accept it, override it with one of its reasons, snooze it
until a date, or undo that. One store with the CDS Hooks feedback (``cds_feedback``), so ``cnopad feedback
report`` counts both surfaces; every action and undo is audited and needs write access to the record.

A suggestion that one of the record-entry forms fulfils (a screening, a referral) is a link to that form,
filled in; accepting any other suggestion records that it was accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from cnopad.domain import Coding
from cnopad.engine import Card, Suggestion, assess
from cnopad.errors import NotFoundError
from cnopad.knowledge.valuesets import ValueSetIndex
from cnopad.services.access import ensure_can_write
from cnopad.services.entries import REFERRALS, SCREENINGS
from cnopad.services.entry_forms import FieldError, FormErrors
from cnopad.store import UnitOfWork
from cnopad.store.assessment_cache import AssessmentCacheRepository
from cnopad.store.cds import CardAction

#: the code system of cnopad's override reasons (the CDS Hooks cards carry the same)
OVERRIDE_SYSTEM = "https://fhir.cnopad.nl/CodeSystem/override-reason"
#: the service id and client of outcomes recorded in the web app, next to the CDS Hooks services' own
WEB_SERVICE = "cnopad-web"
WEB_CLIENT = "web"
#: a snooze is for a visit or two, not for good (overriding is for good): a product choice
MAX_SNOOZE_DAYS = 365
MAX_COMMENT = 500

__all__ = [
    "MAX_SNOOZE_DAYS",
    "OVERRIDE_SYSTEM",
    "CardAction",
    "CardActionKind",
    "Done",
    "act_on_card",
    "active_actions",
    "suggestion_form",
    "undo_card_action",
]


class CardActionKind(StrEnum):
    """What a clinician can do with a card, and the feedback outcome each is stored as."""

    ACCEPT = "accept"
    OVERRIDE = "override"
    SNOOZE = "snooze"

    @property
    def outcome(self) -> str:
        """The stored outcome (CDS Hooks words for the two it defines)."""
        return {"accept": "accepted", "override": "overridden", "snooze": "snoozed"}[self.value]


@dataclass(frozen=True, slots=True)
class Done:
    """The result of an action: the card, and the form to open when an accepted suggestion has one."""

    card: Card
    outcome: str
    form: tuple[str, dict[str, str]] | None = None


def suggestion_form(suggestion: Suggestion, valuesets: ValueSetIndex) -> tuple[str, dict[str, str]] | None:
    """The record-entry form (and its pre-filled values) that fulfils a suggestion, or None."""
    for action in suggestion.actions:
        resource = action.resource or {}
        codings = [Coding(c.get("system", ""), c.get("code", "")) for c in resource.get("code", {}).get("coding", [])]
        for concept in sorted(valuesets.concepts(codings)):
            if concept in SCREENINGS:
                return "screening", {"screening": concept.value}
            if concept in REFERRALS:
                return "referral", {"target": concept.value}
    return None


def active_actions(uow: UnitOfWork, patient_id: str, *, today: date) -> dict[str, CardAction]:
    """Per card uuid, what the team did with it and still stands (a snooze that has run out no longer does)."""
    return uow.cds.standing_actions(patient_id, today=today)


def act_on_card(
    uow: UnitOfWork,
    patient_id: str,
    card_uuid: str,
    kind: CardActionKind,
    *,
    today: date,
    valuesets: ValueSetIndex,
    suggestion: str | None = None,
    reason: str | None = None,
    comment: str | None = None,
    until: str | None = None,
) -> Done:
    """Record one action on a card the record gives today; bad values raise FormErrors (nothing stored)."""
    access = ensure_can_write(uow, patient_id)
    purpose = access.basis.purpose("care")
    record = uow.records.get(patient_id, purpose=purpose)
    # override reasons and suggestions are the card's own: read them from the live card, in one language
    card = next((c for c in assess(record, today, lang="en").cards if c.uuid == card_uuid), None)
    if card is None:
        msg = "this advice no longer applies to the record"
        raise NotFoundError(msg)
    errors: list[FieldError] = []
    text = (comment or "").strip() or None
    if text is not None and len(text) > MAX_COMMENT:
        errors.append(FieldError("comment", "too-long", max=MAX_COMMENT))
    elif text is not None and any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text):
        errors.append(FieldError("comment", "control-characters"))
    chosen_reason = None
    snooze_until = None
    accepted: list[str] = []
    form = None
    if kind is CardActionKind.OVERRIDE:
        if not reason:
            errors.append(FieldError("reason", "required"))
        else:
            chosen_reason = next((r for r in card.override_reasons if r.code == reason), None)
            if chosen_reason is None:
                errors.append(FieldError("reason", "unknown-choice"))
    elif kind is CardActionKind.SNOOZE:
        snooze_until = _snooze_date(until, today, errors)
    elif suggestion:
        chosen = next((s for s in card.suggestions if s.uuid == suggestion), None)
        if chosen is None:
            errors.append(FieldError("suggestion", "unknown-choice"))
        else:
            accepted.append(chosen.uuid)
            form = suggestion_form(chosen, valuesets)
    if errors:
        raise FormErrors(errors)
    uow.cds.add_feedback(
        WEB_SERVICE,
        WEB_CLIENT,
        card.uuid,
        kind.outcome,
        uow.clock(),
        reason=(OVERRIDE_SYSTEM, chosen_reason.code, chosen_reason.display) if chosen_reason else None,
        comment=text,
        accepted=accepted,
        rule_id=card.rule_id,
        patient_id=patient_id,
        user=uow.actor.user,
        snooze_until=snooze_until,
    )
    detail = f"rule={card.rule_id} card={card.uuid} outcome={kind.outcome}"
    if snooze_until is not None:
        detail += f" until={snooze_until.isoformat()}"
    uow.audit.append(uow.actor, f"card-{kind.value}", patient_id=patient_id, purpose=purpose, detail=detail)
    AssessmentCacheRepository(uow.session).forget(patient_id)  # an overridden or snoozed card leaves the worklist
    uow.commit()
    return Done(card, kind.outcome, form)


def undo_card_action(uow: UnitOfWork, patient_id: str, card_uuid: str) -> CardAction | None:
    """Undo what stands for one card (the newest action not undone); None when nothing stood (a no-op)."""
    access = ensure_can_write(uow, patient_id)
    standing = uow.cds.card_actions(patient_id).get(card_uuid)
    if standing is None:
        uow.commit()
        return None
    uow.cds.undo(standing.id, by=uow.actor.user)
    uow.audit.append(
        uow.actor,
        "card-undo",
        patient_id=patient_id,
        purpose=access.basis.purpose("care"),
        detail=f"rule={standing.rule_id} card={card_uuid} outcome={standing.outcome}",
    )
    AssessmentCacheRepository(uow.session).forget(patient_id)
    uow.commit()
    return standing


def _snooze_date(until: str | None, today: date, errors: list[FieldError]) -> date | None:
    first, last = today + timedelta(days=1), today + timedelta(days=MAX_SNOOZE_DAYS)
    if not until:
        errors.append(FieldError("until", "required"))
        return None
    try:
        day = date.fromisoformat(until)
    except ValueError:
        errors.append(FieldError("until", "not-a-date"))
        return None
    if not first <= day <= last:
        errors.append(FieldError("until", "out-of-range", min=first.isoformat(), max=last.isoformat()))
        return None
    return day
