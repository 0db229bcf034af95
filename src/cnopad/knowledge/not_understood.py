"""The texts cnopad shows about data it could not read (``knowledge/not_understood.yaml``).

They are the product's own words about what it did with the data (not clinical statements): the info
card "N items could not be read" and the warning card "cnopad could not check this order", in Dutch and
English, and a label per reason. Validated when loaded: every summary stays under 140 characters with its
placeholders filled in at their longest.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cnopad.knowledge.files import knowledge_file, parse
from cnopad.knowledge.valuesets import Text

#: the longest order name a summary shows (longer names are cut with an ellipsis)
ORDER_LABEL_MAX = 60
_SUMMARY_MAX = 139
_LONGEST_COUNT = "99999"


class InfoCardTexts(BaseModel):
    """The one info card listing what could not be read."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    summary_one: Text
    summary_many: Text
    intro: Text
    set_aside_heading: Text
    kept_heading: Text
    more: Text


class OrderCardTexts(BaseModel):
    """The warning card on a draft order cnopad could not check."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    summary: Text
    summary_unnamed: Text
    detail: Text


class NotUnderstoodTexts(BaseModel):
    """``knowledge/not_understood.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    reference: str = Field(min_length=1)
    source: Text
    info_card: InfoCardTexts
    order_card: OrderCardTexts
    reasons: dict[str, Text] = Field(min_length=1)

    @model_validator(mode="after")
    def _summaries_fit(self) -> NotUnderstoodTexts:
        filled = {
            "info_card.summary_one": (self.info_card.summary_one, {}),
            "info_card.summary_many": (self.info_card.summary_many, {"n": _LONGEST_COUNT}),
            "order_card.summary": (self.order_card.summary, {"order": "x" * ORDER_LABEL_MAX}),
            "order_card.summary_unnamed": (self.order_card.summary_unnamed, {}),
        }
        for name, (text, values) in filled.items():
            for lang in ("nl", "en"):
                length = len(text.get(lang).format(**values))
                if length > _SUMMARY_MAX:
                    msg = f"{name}.{lang} has {length} characters when filled in (a summary must stay under 140)"
                    raise ValueError(msg)
        return self

    def reason(self, code: str, lang: str) -> str:
        """The label of a reason code in ``lang`` (the code itself when no label is known)."""
        text = self.reasons.get(code)
        return text.get(lang) if text is not None else code


def load_not_understood() -> NotUnderstoodTexts:
    """Read and validate ``knowledge/not_understood.yaml``."""
    name, text = knowledge_file("not_understood.yaml")
    return parse(NotUnderstoodTexts, name, text)
