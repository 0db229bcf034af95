"""Engine cards -> CDS Hooks 2.0 cards (the statement ids travel in the card's ``extension``)."""

from __future__ import annotations

from cnopad.api.cds_hooks import models
from cnopad.engine import Card
from cnopad.services.card_actions import OVERRIDE_SYSTEM

STATEMENTS_EXTENSION = "nl.cnopad.statements"
_LINK_LABEL = {"nl": "Open in cnopad", "en": "Open in cnopad"}


def to_cds_card(card: Card, *, patient_url: str | None, lang: str) -> models.Card:
    """A spec-conformant card; optional fields without a value are left out when dumped."""
    suggestions = [
        models.Suggestion(
            label=s.label,
            uuid=s.uuid,
            isRecommended=s.is_recommended or None,
            actions=[
                models.Action(type=a.type, description=a.description, resource=a.resource, resourceId=a.resource_id)
                for a in s.actions
            ]
            or None,
        )
        for s in card.suggestions
    ]
    return models.Card(
        uuid=card.uuid,
        summary=card.summary,
        detail=card.detail or None,
        indicator=card.indicator.value,
        source=models.Source(label=card.source.label, url=card.source.url),
        suggestions=suggestions or None,
        selectionBehavior=(card.selection_behavior or "any") if suggestions else None,
        overrideReasons=[
            models.OverrideCoding(system=OVERRIDE_SYSTEM, code=r.code, display=r.display) for r in card.override_reasons
        ]
        or None,
        links=[models.Link(label=_LINK_LABEL.get(lang, _LINK_LABEL["nl"]), url=patient_url, type="absolute")]
        if patient_url
        else None,
        extension={STATEMENTS_EXTENSION: list(card.statements)},
    )
