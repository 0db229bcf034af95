"""Fixtures for the engine tests: the compiled knowledge base and the case builder."""

from __future__ import annotations

import pytest

from cnopad.knowledge import KnowledgeBase
from unit.engine.casefiles import Builder


@pytest.fixture
def builder(kb: KnowledgeBase) -> Builder:
    return Builder(kb)
