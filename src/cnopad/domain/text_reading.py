"""What cnopad read from the free text of a report rather than from its codes, and the sentences it rests on.

The engine only learns *that* a finding came from text (never which code system a coded one came from,
conventions item 9), so a card that rests on it can show the sentence for the clinician to check.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnopad.domain.concepts import Concept
from cnopad.domain.sites import Site


@dataclass(frozen=True, slots=True)
class TextReading:
    """The parts of an imaging result or biopsy that were read from the report's text, not from codes.

    ``findings`` are imaging findings or a biopsy result, ``modality`` the kind of study named in the
    report's ``title``, ``sites`` and ``lesion_count`` what the text says about where and how many;
    ``sentences`` are the report sentences these rest on, in report order (shown on the cards).
    A part the report's codes already said is never here: codes win over text.
    """

    sentences: tuple[str, ...]
    findings: frozenset[Concept] = frozenset()
    modality: frozenset[Concept] = frozenset()
    sites: tuple[Site, ...] = ()
    lesion_count: int | None = None
    title: str | None = None
