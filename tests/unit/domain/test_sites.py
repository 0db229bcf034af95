"""Lesion sites are (bone, side): counted per bone and side, symmetric across sides, sides read from words."""

from __future__ import annotations

import pytest

from cnopad.domain import (
    Bone,
    Coding,
    Condition,
    Focality,
    Region,
    Side,
    Site,
    is_symmetric,
    on_anterior_chest_wall,
    side_in_text,
    site_count,
)

LEFT_TIBIA, RIGHT_TIBIA = Site(Bone.TIBIA, Side.LEFT), Site(Bone.TIBIA, Side.RIGHT)


def _diagnosis(*sites: Site) -> Condition:
    return Condition("dx", (Coding("https://fhir.cnopad.nl/CodeSystem/cnopad", "crmo"),), sites=sites)


def test_lesions_in_both_tibiae_are_two_sites_multifocal_and_symmetric() -> None:
    both = _diagnosis(Site(Bone.TIBIA, Side.BILATERAL))

    assert site_count(both.sites) == 2
    assert both.focality is Focality.MULTIFOCAL
    assert both.symmetric


def test_the_left_and_right_tibia_recorded_apart_count_the_same_as_bilateral() -> None:
    assert site_count([LEFT_TIBIA, RIGHT_TIBIA]) == 2
    assert is_symmetric([LEFT_TIBIA, RIGHT_TIBIA])


def test_one_tibia_is_unifocal_and_not_symmetric() -> None:
    one = _diagnosis(LEFT_TIBIA)

    assert one.focality is Focality.UNIFOCAL
    assert not one.symmetric


def test_a_side_left_unsaid_merges_with_the_known_side_of_the_same_bone() -> None:
    assert site_count([LEFT_TIBIA, Site(Bone.TIBIA)]) == 1
    assert site_count([Site(Bone.TIBIA), Site(Bone.TIBIA)]) == 1
    assert site_count([Site(Bone.TIBIA), Site(Bone.FEMUR)]) == 2


def test_two_bones_on_different_sides_are_not_symmetric() -> None:
    assert not is_symmetric([LEFT_TIBIA, Site(Bone.FEMUR, Side.RIGHT)])


def test_a_midline_bone_has_no_side_and_never_counts_twice() -> None:
    assert Site(Bone.STERNUM, Side.LEFT).side is Side.MIDLINE
    assert site_count([Site(Bone.VERTEBRA, Side.BILATERAL), Site(Bone.VERTEBRA)]) == 1


def test_the_clavicle_lies_on_the_anterior_chest_wall_and_the_tibia_is_a_long_bone() -> None:
    assert on_anterior_chest_wall([Site(Bone.CLAVICLE, Side.RIGHT)])
    assert not on_anterior_chest_wall([LEFT_TIBIA])
    assert LEFT_TIBIA.region is Region.LONG_BONE


@pytest.mark.parametrize(
    ("token", "site"),
    [
        ("tibia", Site(Bone.TIBIA)),
        ("tibia:left", LEFT_TIBIA),
        ("sternum", Site(Bone.STERNUM, Side.MIDLINE)),
        ("long_bone", Site(Bone.LONG_BONE)),  # the coarse names of earlier versions still read
        ("other", Site(Bone.OTHER)),
    ],
)
def test_a_site_token_reads_back_to_the_same_site(token: str, site: Site) -> None:
    assert Site.parse(token) == site
    assert Site.parse(site.token) == site


@pytest.mark.parametrize("token", ["shin", "tibia:up", ""])
def test_an_unknown_bone_or_side_is_refused_with_the_choices(token: str) -> None:
    with pytest.raises(ValueError, match="is not a"):
        Site.parse(token)


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("tibia links", Side.LEFT),
        ("linkertibia", Side.LEFT),
        ("rechter clavicula", Side.RIGHT),
        ("Right femur", Side.RIGHT),
        ("tibiae beiderzijds", Side.BILATERAL),
        ("both sides", Side.BILATERAL),
        ("links en rechts", Side.BILATERAL),
        ("sternum", Side.UNKNOWN),
        ("CRP 12 mg/l", Side.UNKNOWN),  # a lone letter is never a side
    ],
)
def test_the_side_is_read_from_dutch_and_english_words(text: str, side: Side) -> None:
    assert side_in_text(text) is side
