"""Where in a FHIR document something is, written the way a FHIR user reads it."""

from __future__ import annotations

from collections.abc import Sequence


def render(root: str, loc: Sequence[int | str]) -> str:
    """Render ``('entry', 3, 'resource', 'effectiveDateTime')`` as ``Bundle.entry[3].resource.effectiveDateTime``."""
    out = root
    for step in loc:
        if isinstance(step, int):
            out += f"[{step}]"
        elif step.startswith("function-") or step in {"", "__root__"}:
            continue
        else:
            out += f".{step}"
    return out
