"""Cards about data cnopad could not read: one info card listing it, and a warning on every draft order
that could not be checked (hazard H-30: a card must never silently depend on data cnopad set aside).

Their wording is knowledge data (``knowledge/not_understood.yaml``, nl and en); the list itself comes from
the FHIR reader (``Unrecognized``). Text from the sender's data is escaped before it goes into markdown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from cnopad.engine import Card, Indicator, Source
from cnopad.engine.uuids import uuid5
from cnopad.fhir import NotChecked, Unrecognized
from cnopad.knowledge.base import KnowledgeBase
from cnopad.knowledge.not_understood import ORDER_LABEL_MAX

#: rule ids of these cards (feedback and the audit log name them like any rule)
INFO_RULE = "cnopad-data-not-understood"
ORDER_RULE = "cnopad-order-not-checked"
#: the CDS Hooks response extension that lists every item (see docs/cds-hooks.md)
EXTENSION = "nl.cnopad.not-understood"
#: items listed in the card's detail; the rest are counted (the extension always holds all)
DETAIL_LINES = 25

#: characters that would make untrusted text markup (links, emphasis, code, HTML, tables); the text never
#: starts a line, so list and heading markers need no escaping
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~])")


def _md(text: str, limit: int = 200) -> str:
    """Untrusted text as inert markdown, shortened to ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _MARKDOWN.sub(r"\\\1", text)


def _line(item: Unrecognized, kb: KnowledgeBase, lang: str) -> str:
    texts = kb.not_understood
    code = " ".join(p for p in (item.system, item.code) if p)
    parts = [texts.reason(item.reason.value, lang)]
    if code:
        parts.append(f"`{code.replace('`', '')[:200]}`")
    if item.display:
        parts.append(f"({_md(item.display, 80)})")
    if item.detail:
        parts.append(f"— {_md(item.detail)}")
    return f"- `{item.location.replace('`', '')}`: " + " ".join(parts)


def info_card(items: Sequence[Unrecognized], *, patient_id: str, kb: KnowledgeBase, lang: str) -> Card | None:
    """The one info card "N items could not be read" with the list in its detail (None when nothing)."""
    if not items:
        return None
    texts = kb.not_understood
    card = texts.info_card
    count = len(items)
    summary = card.summary_one.get(lang) if count == 1 else card.summary_many.get(lang).format(n=count)
    shown = list(items[:DETAIL_LINES])
    aside = [u for u in shown if u.set_aside]
    kept = [u for u in shown if not u.set_aside]
    blocks = [card.intro.get(lang)]
    if aside:
        blocks.append(f"**{card.set_aside_heading.get(lang)}**\n\n" + "\n".join(_line(u, kb, lang) for u in aside))
    if kept:
        blocks.append(f"**{card.kept_heading.get(lang)}**\n\n" + "\n".join(_line(u, kb, lang) for u in kept))
    if count > DETAIL_LINES:
        blocks.append(card.more.get(lang).format(n=count - DETAIL_LINES))
    key = "|".join(sorted(f"{u.location}#{u.reason.value}" for u in items))
    return Card(
        uuid=uuid5(f"{INFO_RULE}|{patient_id}|{key}"),
        rule_id=INFO_RULE,
        summary=summary,
        indicator=Indicator.INFO,
        detail="\n\n".join(blocks),
        source=Source(texts.source.get(lang)),
        statements=(),
        kind="data",
    )


def order_card(order: NotChecked, *, patient_id: str, kb: KnowledgeBase, lang: str) -> Card:
    """The warning on a draft order cnopad could not check, naming why (never a silent pass)."""
    texts = kb.not_understood
    card = texts.order_card
    if order.label:
        label = " ".join(order.label.split())
        if len(label) > ORDER_LABEL_MAX:
            label = label[: ORDER_LABEL_MAX - 1] + "…"
        summary = card.summary.get(lang).format(order=label)
    else:
        summary = card.summary_unnamed.get(lang)
    detail = card.detail.get(lang) + "\n\n" + "\n".join(_line(u, kb, lang) for u in order.items[:DETAIL_LINES])
    return Card(
        uuid=uuid5(f"{ORDER_RULE}|{patient_id}|{order.kind}/{order.order_id}"),
        rule_id=ORDER_RULE,
        summary=summary,
        indicator=Indicator.WARNING,
        detail=detail,
        source=Source(texts.source.get(lang)),
        statements=(),
        kind="data",
        order_id=order.order_id,
    )


def extension_items(items: Sequence[Unrecognized]) -> list[dict[str, Any]]:
    """The response extension's list: location, system, code, display, reason (and set_aside, detail)."""
    return [u.as_dict() for u in items]
