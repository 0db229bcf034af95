"""Every criteria fact evaluator: a case where it fires (present) and a near miss that does not.

The near miss is the closest record that must *not* give "present": either the record says the opposite
(absent) or it does not say (unknown). Synthetic records only; codes come from the real value sets.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from cnopad.domain import (
    Biopsy,
    Bone,
    Concept,
    Condition,
    Entry,
    ImagingResult,
    Observation,
    Patient,
    PatientRecord,
    Quantity,
    Side,
    Site,
    Verification,
)
from cnopad.engine.criteria import FACTS, State
from cnopad.engine.view import RecordView
from cnopad.knowledge import knowledge

AS_OF = date(2026, 11, 29)
CHILD = date(2014, 3, 3)
ADULT = date(1980, 3, 3)
KB = knowledge()
VS = KB.valuesets


def cond(
    concept: Concept,
    *sites: Site,
    ident: str | None = None,
    onset: date = date(2026, 6, 1),
    verification: Verification = Verification.CONFIRMED,
) -> Condition:
    return Condition(
        ident or concept.value,
        (VS.coding_for(concept),),
        frozenset({concept}),
        verification=verification,
        onset=onset,
        recorded=date(2026, 7, 1),
        sites=sites,
    )


def obs(concept: Concept, value: object, on: date = date(2026, 10, 1), ident: str | None = None) -> Observation:
    return Observation(
        ident or concept.value, (VS.coding_for(concept),), frozenset({concept}), effective=on, value=value
    )  # type: ignore[arg-type]


def mg_l(concept: Concept, value: str) -> Observation:
    return obs(concept, Quantity(Decimal(value), "mg/L"))


def imaging(
    modality: Concept, *sites: Site, findings: tuple[Concept, ...] = (), lesions: int | None = None
) -> ImagingResult:
    return ImagingResult(
        modality.value,
        (VS.coding_for(modality),),
        frozenset({modality, Concept.IMAGING}),
        performed=date(2026, 9, 1),
        findings=frozenset(findings),
        sites=sites,
        lesion_count=lesions,
    )


def biopsy(result: Concept) -> Biopsy:
    return Biopsy(
        "bx", performed=date(2026, 10, 1), concepts=frozenset({Concept.BONE_BIOPSY}), result=frozenset({result})
    )


L = lambda bone: Site(bone, Side.LEFT)  # noqa: E731 - short site builders for the table
R = lambda bone: Site(bone, Side.RIGHT)  # noqa: E731
WB = Concept.WHOLE_BODY_MRI
DX = Concept.CRMO
SUSPECTED = Verification.SUSPECTED

# fact, birth date of the firing case, its entries, birth date of the near miss, its entries, the near miss's state
Builder = Callable[[], list[Entry]]
CASES: list[tuple[str, date, Builder, date, Builder, State]] = [
    (
        "symmetric_lesions",
        CHILD,
        lambda: [cond(DX, L(Bone.TIBIA), R(Bone.TIBIA))],
        CHILD,
        lambda: [cond(DX, L(Bone.TIBIA), R(Bone.FEMUR)), imaging(WB, L(Bone.TIBIA), R(Bone.FEMUR))],
        State.ABSENT,
    ),
    (
        "normal_temperature",
        CHILD,
        lambda: [obs(Concept.FEVER, False)],
        CHILD,
        lambda: [obs(Concept.FEVER, True)],
        State.ABSENT,
    ),
    ("fever", CHILD, lambda: [obs(Concept.FEVER, True)], CHILD, lambda: [obs(Concept.FEVER, False)], State.ABSENT),
    (
        "vertebral_clavicular_sternal_site",
        CHILD,
        lambda: [cond(DX, L(Bone.CLAVICLE))],
        CHILD,
        lambda: [cond(DX, L(Bone.TIBIA))],
        State.UNKNOWN,
    ),
    (
        "site_mandible",
        CHILD,
        lambda: [cond(DX, Site(Bone.MANDIBLE))],
        CHILD,
        lambda: [cond(DX, L(Bone.TIBIA)), imaging(WB, L(Bone.TIBIA))],
        State.ABSENT,
    ),
    (
        "site_clavicle",
        CHILD,
        lambda: [cond(DX, R(Bone.CLAVICLE))],
        CHILD,
        lambda: [cond(DX, L(Bone.FEMUR))],
        State.UNKNOWN,
    ),
    (
        "more_than_one_lesion",
        CHILD,
        lambda: [imaging(Concept.MRI, lesions=2)],
        CHILD,
        lambda: [imaging(WB, L(Bone.TIBIA), lesions=1)],
        State.ABSENT,
    ),
    (
        "crp_at_least_10_mg_l",
        CHILD,
        lambda: [mg_l(Concept.CRP, "10")],
        CHILD,
        lambda: [mg_l(Concept.CRP, "9.9")],
        State.ABSENT,
    ),
    (
        "crp_below_30_mg_l",
        CHILD,
        lambda: [mg_l(Concept.CRP, "29.9")],
        CHILD,
        lambda: [mg_l(Concept.CRP, "30")],
        State.ABSENT,
    ),
    ("crp_value", CHILD, lambda: [mg_l(Concept.CRP, "4")], CHILD, lambda: [], State.UNKNOWN),
    ("esr_value", CHILD, lambda: [obs(Concept.ESR, Quantity(Decimal("20"), "mm/h"))], CHILD, lambda: [], State.UNKNOWN),
    (
        "onset_before_18",
        ADULT,
        lambda: [cond(DX, onset=date(1997, 1, 1))],
        ADULT,
        lambda: [cond(DX, onset=date(1998, 3, 3))],
        State.ABSENT,
    ),
    ("age_at_onset", CHILD, lambda: [cond(DX)], CHILD, lambda: [], State.UNKNOWN),
    (
        "bone_pain_6_weeks",
        CHILD,
        lambda: [obs(Concept.PAIN, True, on=date(2026, 10, 18))],
        CHILD,
        lambda: [obs(Concept.PAIN, True, on=date(2026, 10, 19))],
        State.UNKNOWN,
    ),
    (
        "typical_imaging",
        CHILD,
        lambda: [imaging(Concept.XRAY, findings=(Concept.SCLEROSIS,))],
        CHILD,
        lambda: [imaging(Concept.XRAY, findings=(Concept.IMAGING_NORMAL,))],
        State.UNKNOWN,
    ),
    (
        "bone_pain_without_systemic_signs",
        CHILD,
        lambda: [obs(Concept.PAIN, True), obs(Concept.FEVER, False)],
        CHILD,
        lambda: [obs(Concept.PAIN, True), obs(Concept.FEVER, True)],
        State.ABSENT,
    ),
    (
        "multifocal_or_clavicle_alone",
        CHILD,
        lambda: [cond(DX, L(Bone.CLAVICLE))],
        CHILD,
        lambda: [cond(DX, L(Bone.TIBIA)), imaging(WB, L(Bone.TIBIA))],
        State.ABSENT,
    ),
    (
        "biopsy_consistent_with_cno",
        CHILD,
        lambda: [biopsy(Concept.BIOPSY_CONSISTENT_WITH_CNO)],
        CHILD,
        lambda: [biopsy(Concept.BIOPSY_NONSPECIFIC)],
        State.ABSENT,
    ),
    (
        "malignancy",
        CHILD,
        lambda: [cond(Concept.BONE_TUMOUR)],
        CHILD,
        lambda: [biopsy(Concept.BIOPSY_CONSISTENT_WITH_CNO)],
        State.UNKNOWN,
    ),
    ("infection", CHILD, lambda: [biopsy(Concept.BIOPSY_INFECTION)], CHILD, lambda: [cond(DX)], State.UNKNOWN),
    ("cno_mimic", CHILD, lambda: [cond(Concept.CNO_MIMIC)], CHILD, lambda: [cond(DX)], State.UNKNOWN),
    (
        "typical_skin_disease",
        CHILD,
        lambda: [cond(Concept.PSORIASIS)],
        CHILD,
        lambda: [cond(Concept.FIBROMYALGIA)],
        State.UNKNOWN,
    ),
    (
        "ppp_or_psoriasis",
        ADULT,
        lambda: [cond(Concept.PALMOPLANTAR_PUSTULOSIS)],
        ADULT,
        lambda: [cond(Concept.SEVERE_ACNE)],
        State.UNKNOWN,
    ),
    (
        "severe_acne",
        ADULT,
        lambda: [cond(Concept.SEVERE_ACNE)],
        ADULT,
        lambda: [cond(Concept.PSORIASIS)],
        State.UNKNOWN,
    ),
    (
        "bone_involvement",
        ADULT,
        lambda: [cond(Concept.CNO_SCCH, Site(Bone.STERNUM))],
        ADULT,
        lambda: [cond(Concept.CNO_SCCH)],
        State.UNKNOWN,
    ),
    (
        "sterile_osteitis_adult",
        ADULT,
        lambda: [imaging(Concept.CT, findings=(Concept.HYPEROSTOSIS,)), biopsy(Concept.BIOPSY_CONSISTENT_WITH_CNO)],
        CHILD,
        lambda: [imaging(Concept.CT, findings=(Concept.HYPEROSTOSIS,)), biopsy(Concept.BIOPSY_CONSISTENT_WITH_CNO)],
        State.ABSENT,
    ),
    (
        "severe_acne_or_hidradenitis",
        ADULT,
        lambda: [cond(Concept.HIDRADENITIS)],
        ADULT,
        lambda: [cond(Concept.PSORIASIS)],
        State.UNKNOWN,
    ),
    (
        "palmoplantar_pustulosis",
        ADULT,
        lambda: [cond(Concept.PALMOPLANTAR_PUSTULOSIS)],
        ADULT,
        lambda: [cond(Concept.PSORIASIS)],
        State.UNKNOWN,
    ),
    (
        "hyperostosis_on_imaging",
        ADULT,
        lambda: [imaging(Concept.CT, findings=(Concept.HYPEROSTOSIS,))],
        ADULT,
        lambda: [imaging(Concept.CT, findings=(Concept.SCLEROSIS,))],
        State.UNKNOWN,
    ),
    ("crmo_confirmed", ADULT, lambda: [cond(DX)], ADULT, lambda: [cond(DX, verification=SUSPECTED)], State.UNKNOWN),
    ("crmo_child", CHILD, lambda: [cond(DX)], CHILD, lambda: [cond(DX, verification=SUSPECTED)], State.UNKNOWN),
]
#: facts the record cannot carry: never present, whatever is on record (their near miss is the fullest record)
NEVER_DECIDED = [
    "normal_blood_count",
    "anaemia",
    "marginal_sclerosis",
    "scurvy",
    "chronic_bowel_disease",
    "condensing_lesion",
]


def _fact(name: str, birth: date, entries: list[Entry]) -> State:
    record = PatientRecord.build(Patient("synthetic-facts", birth, synthetic=True), entries)
    return FACTS[name](RecordView(record, AS_OF)).state


def test_every_fact_has_a_case() -> None:
    assert {c[0] for c in CASES} | set(NEVER_DECIDED) == set(FACTS)


@pytest.mark.parametrize(
    ("name", "birth", "fires", "near_birth", "near", "near_state"), CASES, ids=[c[0] for c in CASES]
)
def test_fact_fires_and_its_near_miss_does_not(
    name: str, birth: date, fires: Builder, near_birth: date, near: Builder, near_state: State
) -> None:
    assert _fact(name, birth, fires()) is State.PRESENT
    assert _fact(name, near_birth, near()) is near_state


@pytest.mark.parametrize("name", NEVER_DECIDED)
def test_a_fact_the_record_cannot_carry_stays_unknown_even_with_related_data(name: str) -> None:
    entries: list[Entry] = [
        obs(Concept.FULL_BLOOD_COUNT, Quantity(Decimal("120"), "g/L")),
        imaging(WB, L(Bone.TIBIA), findings=(Concept.SCLEROSIS,)),
        cond(DX, L(Bone.TIBIA)),
    ]
    assert _fact(name, CHILD, entries) is State.UNKNOWN
