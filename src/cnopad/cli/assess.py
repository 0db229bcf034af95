"""Commands for the decision engine (``cnopad assess``, ``cnopad explain``)."""

from __future__ import annotations
