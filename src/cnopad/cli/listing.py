"""How the commands list what cnopad did not understand: one line per item, never cut off, easy to copy."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from cnopad.fhir import Unrecognized


def print_not_understood(out: Console, items: Sequence[Unrecognized]) -> None:
    """Print the items: kept or set aside, the location, the reason, the code and why."""
    if not items:
        return
    aside = sum(1 for u in items if u.set_aside)
    out.print(
        f"[bold]{len(items)} item(s) not understood[/] (not used by cnopad): {aside} set aside (the resource was "
        f"left out), {len(items) - aside} kept (the resource was used without that code):",
        highlight=False,
        soft_wrap=True,
    )
    for u in items:
        code = "|".join(part for part in (u.system, u.code) if part)
        parts = [u.reason.value, code, f"({u.display})" if u.display else "", f"- {u.detail}" if u.detail else ""]
        text = " ".join(p for p in parts if p)
        state = "set aside" if u.set_aside else "kept     "
        out.print(f"  {state}  {escape(u.location)}: {escape(text)}", highlight=False, soft_wrap=True)
