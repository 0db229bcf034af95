"""Value sets: codes mean concepts; groups match by prefix; exclusions hold; bad files fail clearly."""

from __future__ import annotations

import pytest

from cnopad.domain import Bone, CareRole, Coding, Concept, Site, System
from cnopad.errors import KnowledgeBaseError
from cnopad.knowledge.files import parse
from cnopad.knowledge.valuesets import ValueSetFile, ValueSetIndex

ATC, ICD10, ICD10CM = System.ATC.value, System.ICD10.value, System.ICD10_CM.value


@pytest.mark.parametrize(
    ("system", "code", "expected"),
    [
        (ATC, "M01AE01", {Concept.NSAID}),  # ibuprofen, by the M01A prefix
        (ATC, "m01ab05", {Concept.NSAID}),  # ATC compares in upper case
        (ATC, "M05BA03", {Concept.BISPHOSPHONATE, Concept.PAMIDRONATE}),
        (ATC, "M05BB03", {Concept.BISPHOSPHONATE}),  # combinations group
        (ATC, "L04AB04", {Concept.TNF_INHIBITOR}),
        (ATC, "J07BD52", {Concept.VACCINE, Concept.LIVE_VACCINE}),
        (ATC, "J07BK03", {Concept.VACCINE}),  # recombinant zoster is not live
        (ICD10, "M86.3", {Concept.CNO}),
        (ICD10CM, "M86.311", {Concept.CNO}),  # ICD-10-CM site sub-codes
        (ICD10, "L40.3", {Concept.PALMOPLANTAR_PUSTULOSIS}),  # not also counted as psoriasis
        (ICD10, "L40.0", {Concept.PSORIASIS}),
        (ICD10, "M940", {Concept.TIETZE}),  # ICD-10 compares without the dot
    ],
)
def test_a_code_means_its_concepts(valuesets: ValueSetIndex, system: str, code: str, expected: set[Concept]) -> None:
    assert valuesets.concepts([Coding(system, code)]) == expected


@pytest.mark.parametrize(("code", "what"), [("M01AX05", "glucosamine"), ("M01AX25", "chondroitin sulfate")])
def test_cartilage_products_in_m01ax_are_not_counted_as_nsaids(valuesets: ValueSetIndex, code: str, what: str) -> None:
    assert Concept.NSAID not in valuesets.concepts([Coding(ATC, code)]), what


def test_unknown_codes_in_known_systems_mean_nothing(valuesets: ValueSetIndex) -> None:
    assert valuesets.concepts([Coding(ICD10, "J45.9")]) == frozenset()
    assert not valuesets.understood(Coding(ICD10, "J45.9"))


def test_sites_and_roles_are_kept_apart_from_concepts(valuesets: ValueSetIndex) -> None:
    assert valuesets.sites([Coding(System.CNOPAD.value, "site-sternum")]) == (Site(Bone.STERNUM),)
    assert valuesets.roles([Coding(System.CNOPAD.value, "role-other")]) == {CareRole.OTHER}
    assert valuesets.sites([Coding(System.CNOPAD.value, "role-other")]) == ()


def test_every_code_carries_a_citation(valuesets: ValueSetIndex) -> None:
    for vs in valuesets.sets:
        for entry in (*vs.include, *vs.exclude):
            assert entry.reference or vs.reference, f"{vs.meaning}: {entry.code}"


def test_the_preferred_coding_of_a_concept_is_an_exact_code(valuesets: ValueSetIndex) -> None:
    assert valuesets.coding_for(Concept.PAIN_SCORE) == Coding("http://loinc.org", "72514-3")
    assert valuesets.coding_for(Bone.STERNUM) == Coding(System.SNOMED.value, "56873002")


BAD_FILES = [
    (
        "version: '1'\ntopic: t\nvaluesets:\n  - concept: nsaid\n    title: {nl: a, en: b}\n    include:\n"
        "      - {system: atx, code: M01A, display: x, reference: r}\n",
        "valuesets[0] (nsaid).include[0].system",
    ),
    (
        "version: '1'\ntopic: t\nvaluesets:\n  - concept: not_a_concept\n    title: {nl: a, en: b}\n    include:\n"
        "      - {system: atc, code: M01A, display: x, reference: r}\n",
        "valuesets[0] (not_a_concept).concept",
    ),
    (
        "version: '1'\ntopic: t\nvaluesets:\n  - concept: nsaid\n    title: {nl: a, en: b}\n    include:\n"
        "      - {system: atc, code: M01A, display: x}\n",
        "no reference",
    ),
    (
        "version: '1'\ntopic: t\nvaluesets:\n  - concept: nsaid\n    title: {nl: a}\n    include:\n"
        "      - {system: atc, code: M01A, display: x, reference: r}\n",
        "valuesets[0] (nsaid).title.en",
    ),
    (
        "version: '1'\ntopic: t\nvaluesets:\n  - concept: nsaid\n    statements: [NOT-AN-ID]\n    title: {nl: a, en: b}\n"
        "    include:\n      - {system: atc, code: M01A, display: x, reference: r}\n",
        "statement id",
    ),
    ("version: [unclosed\n", "not valid YAML"),
]


@pytest.mark.parametrize(("text", "expected"), BAD_FILES)
def test_an_invalid_value_set_file_fails_naming_file_item_and_field(text: str, expected: str) -> None:
    with pytest.raises(KnowledgeBaseError) as info:
        parse(ValueSetFile, "knowledge/valuesets/broken.yaml", text)
    assert "knowledge/valuesets/broken.yaml" in str(info.value)
    assert expected in str(info.value)


def test_a_meaning_defined_twice_is_refused() -> None:
    text = (
        "version: '1'\ntopic: t\nvaluesets:\n" + "  - concept: nsaid\n    title: {nl: a, en: b}\n    include:\n"
        "      - {system: atc, code: M01A, display: x, reference: r}\n"
    ) * 1
    one = parse(ValueSetFile, "x.yaml", text)
    with pytest.raises(KnowledgeBaseError, match="defined twice"):
        ValueSetIndex.build([*one.valuesets, *one.valuesets], version="1")
