"""Information texts (``knowledge/texts/*.yaml``): disease knowledge for clinicians, patients and parents.

Every text is cnopad's own wording in Dutch and English, cites the statements it explains, names its
audience and scope, and lists the situations (engine predicates) in which it helps. Patient and
parent texts are written at B1 reading level. The web app and the reports build leaflets with
``kb.texts.for_audience("parent", "nl")``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cnopad.errors import NotFoundError
from cnopad.knowledge.files import index_unique, knowledge_files, parse, statement_ids
from cnopad.knowledge.rules import PREDICATE_NAME, RULE_ID
from cnopad.knowledge.statements import Scope
from cnopad.knowledge.valuesets import Text


class Audience(StrEnum):
    """Who a text is written for."""

    CLINICIAN = "clinician"
    PATIENT = "patient"
    PARENT = "parent"


class InfoText(BaseModel):
    """One information text."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=RULE_ID)
    statements: tuple[str, ...] = Field(min_length=1)
    scope: Scope
    audience: Audience
    situations: tuple[str, ...] = Field(min_length=1)
    title: Text
    body: Text
    note: Text | None = None  # cnopad's own remark (a caution of the source, a product choice)

    _ids = field_validator("statements")(statement_ids)

    @field_validator("situations")
    @classmethod
    def _situation_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        import re

        for name in value:
            if not re.match(PREDICATE_NAME, name):
                msg = f"{name!r} is not a situation name (snake_case)"
                raise ValueError(msg)
        return value


class TextFile(BaseModel):
    """One file of texts."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    topic: str
    texts: tuple[InfoText, ...]


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """A text in one language, ready to show or print."""

    id: str
    title: str
    body: str
    statements: tuple[str, ...]
    audience: Audience
    scope: Scope


@dataclass(frozen=True)
class TextBook:
    """Every information text, in file order."""

    texts: tuple[InfoText, ...]
    by_id: dict[str, InfoText]
    version: str

    def get(self, text_id: str) -> InfoText:
        """The text with this id; NotFoundError otherwise."""
        found = self.by_id.get(text_id)
        if found is None:
            msg = f"no information text {text_id!r}"
            raise NotFoundError(msg)
        return found

    def localized(self, text_id: str, lang: str) -> LocalizedText:
        """One text in ``lang``, with cnopad's note appended to the body."""
        return _localize(self.get(text_id), lang)

    def for_audience(self, audience: str, lang: str, *, scope: str | None = None) -> tuple[LocalizedText, ...]:
        """Every text for an audience (clinician, patient, parent) in ``lang``, optionally of one scope."""
        wanted = Audience(audience)
        return tuple(
            _localize(t, lang) for t in self.texts if t.audience is wanted and (scope is None or t.scope.value == scope)
        )

    def citing(self, statement_id: str) -> tuple[InfoText, ...]:
        """The texts that cite a statement."""
        return tuple(t for t in self.texts if statement_id in t.statements)


def _localize(text: InfoText, lang: str) -> LocalizedText:
    body = text.body.get(lang)
    if text.note is not None:
        body = f"{body}\n\n{text.note.get(lang)}"
    return LocalizedText(text.id, text.title.get(lang), body, text.statements, text.audience, text.scope)


def load_texts() -> TextBook:
    """Read and validate every file in ``knowledge/texts``; a text id used twice is an error."""
    texts: list[InfoText] = []
    versions: list[str] = []
    by_id: dict[str, InfoText] = {}
    for name, raw in knowledge_files("texts"):
        parsed = parse(TextFile, name, raw)
        versions.append(f"{parsed.topic}@{parsed.version}")
        texts.extend(parsed.texts)
        by_id = index_unique(name, "text", texts, "id")
    return TextBook(tuple(texts), by_id, ";".join(versions))
