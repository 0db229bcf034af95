"""Checks on command-line option values (Typer callbacks): a bad value stops the command with exit code 2 and
click's one line naming the option, before anything is read or stored.

The rules are those of every surface (:mod:`cnopad.domain.input_rules`); this module only turns them into
``typer.BadParameter``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

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


#: longest file name and path the common Linux file systems take (NAME_MAX, PATH_MAX)
_NAME_MAX = 255
_PATH_MAX = 4096


def path(value: Path | None) -> Path | None:
    """A file or folder name the file system can take: no control characters, no over-long name or path."""
    if value is None:
        return None
    text = str(value)
    reason = input_rules.text_reason(text, max_length=_PATH_MAX, multiline=False)
    if reason is None and any(len(os.fsencode(part)) > _NAME_MAX for part in value.parts):
        reason = f"a name in the path is longer than {_NAME_MAX} bytes"
    if reason is not None:
        raise typer.BadParameter(reason)
    return value
