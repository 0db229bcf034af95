"""The loaded knowledge base: everything under ``cnopad/knowledge`` validated once, at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from cnopad.knowledge.valuesets import ValueSetIndex, load_valuesets


@dataclass(frozen=True)
class KnowledgeBase:
    """All guideline knowledge the engine and the adapters use."""

    valuesets: ValueSetIndex

    @property
    def version(self) -> str:
        """A version string naming every knowledge file's version (shown on cards and in the audit log)."""
        return self.valuesets.version


@cache
def knowledge() -> KnowledgeBase:
    """Load and validate the knowledge base (once per process); raises KnowledgeBaseError when invalid."""
    return KnowledgeBase(valuesets=load_valuesets())
