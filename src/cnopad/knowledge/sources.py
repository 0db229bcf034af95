"""The source documents, their contact data and the external references (``knowledge/sources.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cnopad.knowledge.files import index_unique, knowledge_file, parse, statement_ids
from cnopad.knowledge.statements import Scope
from cnopad.knowledge.valuesets import Text

_ID = r"^[a-z0-9][a-z0-9-]*$"
M = TypeVar("M", bound=BaseModel)


class Disclaimer(BaseModel):
    """A text shown under every card derived from a document, with the statements it rests on."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    statements: tuple[str, ...] = ()
    text: Text

    _ids = field_validator("statements")(statement_ids)


class Document(BaseModel):
    """One of the two source documents."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=_ID)
    doc: str
    label: Text
    url: str | None = None
    off_label: Disclaimer
    disclaimer: Disclaimer


class ContactLine(BaseModel):
    """One line of contact data: a label and a value (phone, e-mail, website)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: Text
    value: str = Field(min_length=1)


class Contact(BaseModel):
    """An organisation to refer to or consult, with the contact data the sources give."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=_ID)
    scope: Scope
    statements: tuple[str, ...] = Field(min_length=1)
    name: Text
    lines: tuple[ContactLine, ...] = Field(min_length=1)

    _ids = field_validator("statements")(statement_ids)

    def render(self, lang: str) -> str:
        """The contact as one markdown line."""
        parts = "; ".join(f"{line.label.get(lang)}: {line.value}" for line in self.lines)
        return f"**{self.name.get(lang)}** – {parts}"


class Reference(BaseModel):
    """An external reference for a fact, code or threshold that is not in the sources."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=_ID)
    label: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    url: str | None = None
    used_for: Text


class OverrideReasonModel(BaseModel):
    """A curated reason for not following a card (CDS Hooks overrideReasons)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=_ID)
    display: Text


class SourcesFile(BaseModel):
    """``knowledge/sources.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    documents: tuple[Document, ...]
    headings: dict[str, Text]
    contacts: tuple[Contact, ...]
    references: tuple[Reference, ...]
    override_reasons: tuple[OverrideReasonModel, ...]


@dataclass(frozen=True)
class SourceBook:
    """Documents, contacts, references and override reasons by id."""

    version: str
    documents: dict[str, Document]
    headings: dict[str, Text]
    contacts: dict[str, Contact]
    references: dict[str, Reference]
    override_reasons: dict[str, OverrideReasonModel]

    def document_for(self, doc: str) -> Document:
        """The document with the catalog's short name (NHG, CRMO)."""
        for document in self.documents.values():
            if document.doc == doc:
                return document
        msg = f"no document {doc!r} in knowledge/sources.yaml"
        raise KeyError(msg)


def load_sources() -> SourceBook:
    """Read and validate ``knowledge/sources.yaml``."""
    name, text = knowledge_file("sources.yaml")
    parsed = parse(SourcesFile, name, text)
    return SourceBook(
        version=parsed.version,
        documents={d.id: d for d in parsed.documents},
        headings=parsed.headings,
        contacts=index_unique(name, "contact", parsed.contacts, "id"),
        references=index_unique(name, "reference", parsed.references, "id"),
        override_reasons=index_unique(name, "override reason", parsed.override_reasons, "code"),
    )
