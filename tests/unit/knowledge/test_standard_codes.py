"""Standard codes read as cnopad's own: SNOMED CT sites and sides, Dutch role codes, RxNorm/SNOMED drugs, units."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from cnopad.domain import Bone, CareRole, Coding, Concept, Side, Site, System
from cnopad.knowledge.valuesets import ValueSetIndex

SCT, RXNORM = System.SNOMED.value, System.RXNORM.value

#: every code of a standard system needs a citation
STANDARD_SYSTEMS = frozenset(System) - {System.CNOPAD}
#: systems added with issue 11, and the value-set kinds whose SNOMED CT codes came with it: each code names
#: where it was checked (a file, a URL or a named list), never just the code system
CHECKED_SYSTEMS = frozenset(
    {System.RXNORM, System.CVX, System.COD016, System.UZI_ROLE, System.PARTICIPATION_TYPE, System.NULL_FLAVOR}
)


@pytest.mark.parametrize(
    ("code", "site"),
    [
        ("12611008", Site(Bone.TIBIA)),
        ("51299004", Site(Bone.CLAVICLE)),
        ("56873002", Site(Bone.STERNUM)),
        ("48535007", Site(Bone.FIRST_RIB)),
        ("62413002", Site(Bone.RADIUS)),
        ("719492002", Site(Bone.TIBIA, Side.LEFT)),  # the code names its side itself
    ],
)
def test_a_snomed_body_structure_means_its_bone(valuesets: ValueSetIndex, code: str, site: Site) -> None:
    assert valuesets.sites([Coding(SCT, code)]) == (site,)


def test_the_geometric_radius_is_not_the_bone(valuesets: ValueSetIndex) -> None:
    assert valuesets.sites([Coding(SCT, "131190003")]) == ()


def test_a_named_bone_beside_a_generic_long_bone_code_is_one_site(valuesets: ValueSetIndex) -> None:
    translations = [Coding(SCT, "12611008"), Coding(System.CNOPAD.value, "site-long_bone")]

    assert valuesets.sites(translations) == (Site(Bone.TIBIA),)


@pytest.mark.parametrize(
    ("code", "side"), [("7771000", Side.LEFT), ("24028007", Side.RIGHT), ("51440002", Side.BILATERAL)]
)
def test_snomed_laterality_qualifiers_mean_their_side(valuesets: ValueSetIndex, code: str, side: Side) -> None:
    assert valuesets.side([Coding(SCT, code)]) is side


@pytest.mark.parametrize(
    ("text", "sites"),
    [
        ("linkertibia", (Site(Bone.TIBIA, Side.LEFT),)),
        ("Tibia beiderzijds", (Site(Bone.TIBIA, Side.BILATERAL),)),
        ("eerste rib rechts", (Site(Bone.FIRST_RIB, Side.RIGHT),)),  # not also "another rib"
        ("right clavicle", (Site(Bone.CLAVICLE, Side.RIGHT),)),
        ("sleutelbeen", (Site(Bone.CLAVICLE),)),
        ("bekkenbodem", ()),  # a word inside another word is not a bone
    ],
)
def test_bones_and_sides_are_read_from_dutch_and_english_text(
    valuesets: ValueSetIndex, text: str, sites: tuple[Site, ...]
) -> None:
    assert valuesets.sites_in_text(text) == sites


@pytest.mark.parametrize(
    ("system", "code", "role"),
    [
        (System.COD016, "0100", CareRole.GP),
        (System.COD016, "0313", CareRole.SPECIALIST),
        (System.COD016, "0324", CareRole.SPECIALIST),
        (System.COD016, "1200", CareRole.DENTIST),
        (System.UZI_ROLE, "01.015", CareRole.GP),
        (System.UZI_ROLE, "01.041", CareRole.SPECIALIST),
        (System.UZI_ROLE, "04.000", CareRole.PHYSIOTHERAPIST),
        (System.PARTICIPATION_TYPE, "RESP", CareRole.MAIN_TREATING),
        (System.SNOMED, "106289002", CareRole.DENTIST),
    ],
)
def test_dutch_specialism_and_role_codes_mean_care_roles(
    valuesets: ValueSetIndex, system: System, code: str, role: CareRole
) -> None:
    assert valuesets.roles([Coding(system.value, code)]) == {role}


def test_a_specialism_that_does_not_treat_cno_is_no_treating_specialist(valuesets: ValueSetIndex) -> None:
    assert valuesets.roles([Coding(System.COD016.value, "0320")]) == frozenset()  # cardiology


@pytest.mark.parametrize(
    ("system", "code", "concept"),
    [
        (RXNORM, "327361", Concept.TNF_INHIBITOR),  # adalimumab ingredient
        (SCT, "407317001", Concept.TNF_INHIBITOR),  # adalimumab substance
        (RXNORM, "6851", Concept.METHOTREXATE),
        (RXNORM, "198014", Concept.NSAID),  # naproxen 500 mg tablet
        (RXNORM, "46041", Concept.BISPHOSPHONATE),
        (System.CVX.value, "121", Concept.LIVE_VACCINE),  # zoster, live
    ],
)
def test_rxnorm_snomed_and_cvx_drugs_mean_the_class_cnopad_acts_on(
    valuesets: ValueSetIndex, system: str, code: str, concept: Concept
) -> None:
    assert concept in valuesets.concepts([Coding(system, code)])


@pytest.mark.parametrize("system", [System.GSTD_GPK, System.GSTD_PRK, System.GSTD_HPK])
def test_g_standaard_codes_are_known_systems_but_never_guessed(valuesets: ValueSetIndex, system: System) -> None:
    assert valuesets.known_system(system.value)
    assert not valuesets.understood(Coding(system.value, "12345678"))


@pytest.mark.parametrize(
    ("unit", "factor"),
    [("mg/L", Decimal(1)), ("mg/dL", Decimal(10)), ("g/L", Decimal(1000)), ("nmol/L", None), (None, None)],
)
def test_crp_is_read_in_mg_per_litre_with_exact_conversions_only(
    valuesets: ValueSetIndex, unit: str | None, factor: Decimal | None
) -> None:
    spec = valuesets.unit_spec([Coding(System.LOINC.value, "1988-5")])

    assert spec is not None and spec.unit == "mg/L"
    assert spec.factor(unit) == factor


_DRUG_AND_FINDING_CONCEPTS = frozenset(
    {
        Concept.NSAID,
        Concept.BISPHOSPHONATE,
        Concept.TNF_INHIBITOR,
        Concept.ANTIBIOTIC,
        Concept.PSORIASIS,
        Concept.HIDRADENITIS,
        Concept.BACTERIAL_OSTEOMYELITIS,
        Concept.IMAGING_NORMAL,
        Concept.IMAGING_NO_ACTIVITY,
        Concept.REMISSION,
    }
)


def test_every_standard_code_cites_where_it_was_checked(valuesets: ValueSetIndex) -> None:
    """Each code of a standard system carries its own citation; SNOMED CT, RxNorm, CVX and the Dutch role codes
    name the source they were checked in (a file, a URL or a named list), never just the code system."""
    checked_in = re.compile(r"checked in|\.xml|https?://|Nictiz|DICOM|Eunomia|UCUM|KBV|VERIFIED|clinical\.md")
    for vs in valuesets.sets:
        for entry in (*vs.include, *vs.exclude):
            if entry.system not in STANDARD_SYSTEMS:
                continue
            citation = entry.reference or vs.reference
            assert citation, f"{vs.meaning}: {entry.code} has no citation"
            snomed_checked = entry.system is System.SNOMED and (
                vs.site or vs.side or vs.role or vs.concept in _DRUG_AND_FINDING_CONCEPTS
            )
            if entry.system in CHECKED_SYSTEMS or snomed_checked:
                assert entry.reference and checked_in.search(entry.reference), f"{vs.meaning}: {entry.code}"
            for conversion in entry.convert:
                assert conversion.reference, f"{vs.meaning}: {entry.code} -> {conversion.unit}"
