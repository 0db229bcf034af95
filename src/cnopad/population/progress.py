"""How the population use cases report progress, without knowing who shows it (the CLI draws it with Rich)."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives the stages of a long run and, where countable, how far a stage is."""

    def stage(self, name: str, total: int | None = None) -> None:
        """A new stage starts; ``total`` items when known."""

    def advance(self, done: int = 1) -> None:
        """``done`` more items of the current stage are finished."""


class Silent:
    """Progress that shows nothing (library use, tests)."""

    def stage(self, name: str, total: int | None = None) -> None:
        """Ignore the stage."""

    def advance(self, done: int = 1) -> None:
        """Ignore the advance."""
