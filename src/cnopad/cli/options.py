"""Checks on command-line option values (Typer callbacks): a bad value stops the command with exit code 2 and
click's one line naming the option, before anything is read or stored.

The rules are those of every surface (:mod:`cnopad.domain.input_rules`); this module only turns them into
``typer.BadParameter``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import typer

from cnopad.domain import input_rules

#: DuckDB's size syntax for ``memory_limit``: a number and a unit (``4GB``, ``500MB``, ``1.5GiB``)
_SIZE = re.compile(r"^\d{1,6}(\.\d{1,3})?\s?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


def text(max_length: int, *, multiline: bool = False) -> Callable[[str | None], str | None]:
    """A callback refusing invalid Unicode, control characters and values longer than ``max_length``."""

    def check(value: str | None) -> str | None:
        if value is None:
            return None
        reason = input_rules.text_reason(value, max_length=max_length, multiline=multiline)
        if reason is not None:
            raise typer.BadParameter(reason)
        return value

    return check


def memory_size(value: str) -> str:
    """A DuckDB memory limit such as 4GB or 500MB."""
    if len(value) > input_rules.LIMITS["memory_limit"] or not _SIZE.match(value.strip()):
        msg = "give a size such as 4GB or 500MB"
        raise typer.BadParameter(msg)
    return value.strip()
