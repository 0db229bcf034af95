"""Reading knowledge files shipped as package data, and turning validation errors into clear messages.

Files are read through ``importlib.resources`` so the knowledge works from a wheel as well as from a
checkout; an invalid file fails at start-up with its file, item and field in the message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from importlib import resources
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from cnopad.errors import KnowledgeBaseError

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

_PACKAGE = "cnopad.knowledge"

#: a statement id in the catalog: <DOC>-<TOPIC>-<n>
STATEMENT_ID_PATTERN = r"^(NHG|CRMO)-[A-Z0-9-]+-\d+$"


def statement_ids(value: tuple[str, ...]) -> tuple[str, ...]:
    """Validate a tuple of statement ids (the one check every knowledge file's ``statements:`` uses)."""
    for sid in value:
        if not re.match(STATEMENT_ID_PATTERN, sid):
            msg = f"{sid!r} is not a statement id (<DOC>-<TOPIC>-<n>)"
            raise ValueError(msg)
    return value


def knowledge_files(folder: str) -> Iterator[tuple[str, str]]:
    """Yield (name, text) for every YAML file in a knowledge sub-folder, sorted by name."""
    root = resources.files(_PACKAGE).joinpath(folder)
    for item in sorted(root.iterdir(), key=lambda t: t.name):
        if item.name.endswith(".yaml"):
            yield f"knowledge/{folder}/{item.name}", item.read_text(encoding="utf-8")


def knowledge_file(name: str) -> tuple[str, str]:
    """Return (name, text) of one YAML file at the top of the knowledge package."""
    return f"knowledge/{name}", resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def index_unique(name: str, what: str, items: Iterable[T], key: str) -> dict[str, T]:
    """Items by their ``key`` attribute; the same key twice is a KnowledgeBaseError naming file and item."""
    out: dict[str, T] = {}
    for item in items:
        ident = str(getattr(item, key))
        if ident in out:
            msg = f"{name}: {what} {ident!r} is defined twice"
            raise KnowledgeBaseError(msg)
        out[ident] = item
    return out


def parse(model: type[M], name: str, text: str) -> M:
    """Parse YAML text into ``model``; any problem raises KnowledgeBaseError naming file, item and field."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        msg = f"{name}: not valid YAML ({exc})"
        raise KnowledgeBaseError(msg) from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _describe_location(data, first["loc"])
        msg = f"{name}: {where}: {first['msg']}"
        raise KnowledgeBaseError(msg) from exc


def _describe_location(data: Any, loc: tuple[int | str, ...]) -> str:
    """Render a pydantic location, naming list items by their id or concept where they have one."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, int) and isinstance(node, list) and step < len(node):
            item = node[step]
            label = item.get("id") or item.get("concept") if isinstance(item, dict) else None
            parts.append(f"[{step}]" + (f" ({label})" if label else ""))
            node = item
        else:
            parts.append(f".{step}" if parts else str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return "".join(parts) or "top level"
