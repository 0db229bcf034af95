"""Card uuids: the rule's part hashed once (``uuid5_after``) gives exactly ``uuid.uuid5`` of the whole name."""

from __future__ import annotations

import uuid

import pytest

from cnopad.engine.uuids import CARD_NAMESPACE, uuid5, uuid5_after, uuid5_prefix


@pytest.mark.parametrize("rest", ["patient-1|", "patient-2|order-7", "pätiënt|sleutel"])
def test_a_card_uuid_from_the_rules_hashed_prefix_is_the_uuid5_of_the_whole_name(rest: str) -> None:
    prefix = uuid5_prefix("nsaid-without-gastroprotection|")

    found = uuid5_after(prefix, rest)

    assert found == uuid5(f"nsaid-without-gastroprotection|{rest}")
    assert found == str(uuid.uuid5(CARD_NAMESPACE, f"nsaid-without-gastroprotection|{rest}"))
    assert uuid5_after(prefix, rest) == found  # the prefix is not used up
