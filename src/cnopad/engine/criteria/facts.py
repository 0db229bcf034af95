"""The record facts criteria items ask for: one small typed function per fact, registered by name.

Each returns a :class:`Fact`: present or absent only when the record says so, unknown otherwise. A missing entry is
never read as absent. How each fact is decided is described, in nl and en, in ``knowledge/criteria_facts.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from cnopad.domain import Bone, Concept, Observation, Quantity, Site, Verification, is_symmetric, lesion_sites
from cnopad.engine.criteria.result import UNKNOWN, Fact, State
from cnopad.engine.view import RecordView, per_view

FactFn = Callable[[RecordView], Fact]
FACTS: dict[str, FactFn] = {}

#: imaging that surveys the whole skeleton: only after it may "no such lesion" be read as absent
_WHOLE_BODY = frozenset({Concept.WHOLE_BODY_MRI, Concept.BONE_SCINTIGRAPHY})
_TYPICAL_FINDINGS = frozenset(
    {Concept.OSTEOLYTIC_LESION, Concept.SCLEROSIS, Concept.HYPEROSTOSIS, Concept.IMAGING_ACTIVITY}
)
_TYPICAL_SKIN = (Concept.PALMOPLANTAR_PUSTULOSIS, Concept.PSORIASIS, Concept.SEVERE_ACNE)
_AXIAL_CLAVICLE_STERNUM = frozenset({Bone.VERTEBRA, Bone.CLAVICLE, Bone.STERNUM})
_SIX_WEEKS = timedelta(weeks=6)
_CRP_UNIT = "mg/L"  # the unit the reader converts CRP to (knowledge/valuesets/labs.yaml)


def fact(fn: FactFn) -> FactFn:
    """Register an evaluator under its function name."""
    FACTS[fn.__name__] = fn
    return fn


# ------------------------------------------------------------------ helpers
# the helpers several facts share are worked out once per view (``per_view``)
@per_view
def _sites(v: RecordView) -> tuple[tuple[Site, ...], tuple[str, ...]]:
    """Lesion sites of the live CNO conditions and of imaging, with the entries they come from."""
    sites: list[Site] = []
    evidence: list[str] = []
    for c in v.record.conditions:
        if c.is_cno and not c.ruled_out and c.sites and (c.recorded is None or c.recorded <= v.as_of):
            sites.extend(c.sites)
            evidence.append(c.id)
    for study in v.imaging:
        if study.sites:
            sites.extend(study.sites)
            evidence.append(study.id)
    return tuple(sites), tuple(dict.fromkeys(evidence))


@per_view
def _whole_body(v: RecordView) -> tuple[str, ...]:
    return tuple(s.id for s in v.imaging if s.concepts & _WHOLE_BODY)


#: the concepts whose latest observation a fact reads (``_latest``); only these are looked for in the record
_LATEST = frozenset({Concept.CRP, Concept.ESR, Concept.FEVER})


@per_view
def _latest_observations(v: RecordView) -> dict[Concept, Observation]:
    """For each concept of ``_LATEST``, the latest observation on or before ``as_of`` (the highest id on a tie)."""
    latest: dict[Concept, Observation] = {}
    as_of = v.as_of
    for o in v.record.observations:
        day = o.effective
        if day is None or day > as_of or _LATEST.isdisjoint(o.concepts):
            continue
        for concept in o.concepts & _LATEST:
            best = latest.get(concept)
            if best is None or (day, o.id) > (best.effective or date.min, best.id):
                latest[concept] = o
    return latest


def _latest(v: RecordView, concept: Concept) -> Observation | None:
    if concept not in _LATEST:  # a new fact reading another concept must add it above, or it would read nothing
        msg = f"_latest: {concept} is not in facts._LATEST"
        raise ValueError(msg)
    return _latest_observations(v).get(concept)


def _quantity_text(o: Observation) -> str:
    value = o.value
    shown = f"{value.value} {value.unit or ''}".strip() if isinstance(value, Quantity) else str(value)
    return f"{shown} ({o.effective.isoformat() if o.effective else '?'})"


def _crp_mg_l(v: RecordView) -> tuple[Decimal, Observation] | None:
    o = _latest(v, Concept.CRP)
    if o is None or not isinstance(o.value, Quantity) or o.value.unit != _CRP_UNIT:
        return None
    return o.value.value, o


def _fever(v: RecordView) -> Observation | None:
    return _latest(v, Concept.FEVER)


def _recorded(v: RecordView, *concepts: Concept, biopsy: Concept | None = None) -> Fact:
    """Present when an active condition with any of these concepts (or this biopsy result) is on record, with
    those entries as evidence; unknown otherwise (absence is never read from silence)."""
    conditions = v.conditions
    found = [c.id for concept in concepts if concept in conditions for c in v.active_condition(concept)]
    if biopsy is not None and biopsy in v.events:
        found.extend(e for _, e in v.events[biopsy])
    return Fact(State.PRESENT, tuple(found)) if found else UNKNOWN


@per_view
def _onset(v: RecordView) -> tuple[date, str] | None:
    live = [c for c in v.record.conditions if c.is_cno and not c.ruled_out and c.first_date is not None]
    if not live:
        return None
    first = min(live, key=lambda c: (c.first_date or date.max, c.id))
    assert first.first_date is not None  # noqa: S101 - filtered above
    return first.first_date, first.id


# ------------------------------------------------------------------ blood, temperature, CRP, ESR
@fact
def normal_blood_count(v: RecordView) -> Fact:
    """Never decided: cnopad does not judge laboratory values normal (README, 'laboratory values')."""
    found = v.events.get(Concept.FULL_BLOOD_COUNT)
    return Fact(State.UNKNOWN, tuple(e for _, e in found), note="on_record") if found else UNKNOWN


@fact
def anaemia(v: RecordView) -> Fact:
    """Never decided: a haemoglobin value is not judged abnormal by cnopad."""
    return normal_blood_count(v)


@fact
def normal_temperature(v: RecordView) -> Fact:
    """The latest fever observation, read the other way round: fever absent = normal temperature."""
    o = _fever(v)
    if o is None:
        return UNKNOWN
    return Fact(State.ABSENT if o.present else State.PRESENT, (o.id,))


@fact
def fever(v: RecordView) -> Fact:
    """The latest fever observation."""
    o = _fever(v)
    if o is None:
        return UNKNOWN
    return Fact(State.PRESENT if o.present else State.ABSENT, (o.id,))


@fact
def crp_at_least_10_mg_l(v: RecordView) -> Fact:
    """Jansson 2009: CRP >= 1 mg/dL (= 10 mg/L) scores."""
    found = _crp_mg_l(v)
    if found is None:
        return UNKNOWN
    value, o = found
    return Fact(State.PRESENT if value >= 10 else State.ABSENT, (o.id,), _quantity_text(o))


@fact
def crp_below_30_mg_l(v: RecordView) -> Fact:
    """Bristol criterion 1: CRP below 30 mg/L."""
    found = _crp_mg_l(v)
    if found is None:
        return UNKNOWN
    value, o = found
    return Fact(State.PRESENT if value < 30 else State.ABSENT, (o.id,), _quantity_text(o))


def _value_fact(v: RecordView, concept: Concept) -> Fact:
    o = _latest(v, concept)
    if o is None or o.value is None or isinstance(o.value, bool):
        return UNKNOWN
    return Fact(State.PRESENT, (o.id,), _quantity_text(o))


@fact
def crp_value(v: RecordView) -> Fact:
    """The latest CRP value (EULAR/ACR domain, captured only)."""
    return _value_fact(v, Concept.CRP)


@fact
def esr_value(v: RecordView) -> Fact:
    """The latest ESR value (EULAR/ACR domain, captured only)."""
    return _value_fact(v, Concept.ESR)


# ------------------------------------------------------------------ lesions
@fact
def symmetric_lesions(v: RecordView) -> Fact:
    """The same bone left and right; absent only after whole-body imaging."""
    sites, evidence = _sites(v)
    if is_symmetric(sites):
        return Fact(State.PRESENT, evidence)
    whole = _whole_body(v)
    return Fact(State.ABSENT, (*evidence, *whole)) if sites and whole else UNKNOWN


@fact
def marginal_sclerosis(v: RecordView) -> Fact:
    """Never decided: 'marginal sclerosis' has no verified code; a sclerosis finding is pointed out."""
    found = v.events.get(Concept.SCLEROSIS)
    return Fact(State.UNKNOWN, tuple(e for _, e in found), note="sclerosis_on_record") if found else UNKNOWN


def _bone_fact(v: RecordView, bones: frozenset[Bone]) -> Fact:
    sites, evidence = _sites(v)
    if any(s.bone in bones for s in sites):
        return Fact(State.PRESENT, evidence)
    whole = _whole_body(v)
    return Fact(State.ABSENT, (*evidence, *whole)) if sites and whole else UNKNOWN


@fact
def vertebral_clavicular_sternal_site(v: RecordView) -> Fact:
    """A lesion in a vertebra, the clavicle or the sternum."""
    return _bone_fact(v, _AXIAL_CLAVICLE_STERNUM)


@fact
def site_mandible(v: RecordView) -> Fact:
    """A lesion in the mandible (captured; absent only after whole-body imaging)."""
    return _bone_fact(v, frozenset({Bone.MANDIBLE}))


@fact
def site_clavicle(v: RecordView) -> Fact:
    """A lesion in the clavicle (captured; absent only after whole-body imaging)."""
    return _bone_fact(v, frozenset({Bone.CLAVICLE}))


@fact
def more_than_one_lesion(v: RecordView) -> Fact:
    """Imaging counts or names more than one lesion; exactly one on whole-body imaging is absent."""
    for study in reversed(v.imaging):
        count = max(study.lesion_count or 0, len(lesion_sites(study.sites)))
        if count > 1:
            return Fact(State.PRESENT, (study.id,), str(count))
        if count == 1 and study.concepts & _WHOLE_BODY:
            return Fact(State.ABSENT, (study.id,), "1")
    return UNKNOWN


@fact
def multifocal_or_clavicle_alone(v: RecordView) -> Fact:
    """Bristol criterion 1: more than one bone, or the clavicle alone."""
    sites, evidence = _sites(v)
    pairs = lesion_sites(sites)
    bones = {bone for bone, _ in pairs}
    if len(pairs) > 1 or bones == {Bone.CLAVICLE}:
        return Fact(State.PRESENT, evidence)
    many = more_than_one_lesion(v)
    if many.state is State.PRESENT:
        return many
    whole = _whole_body(v)
    return Fact(State.ABSENT, (*evidence, *whole)) if len(pairs) == 1 and whole else UNKNOWN


@fact
def typical_imaging(v: RecordView) -> Fact:
    """Imaging shows osteolysis, sclerosis, hyperostosis or activity (a normal study decides nothing)."""
    found = [s.id for s in v.imaging if s.findings & _TYPICAL_FINDINGS]
    return Fact(State.PRESENT, tuple(found)) if found else UNKNOWN


@fact
def bone_involvement(v: RecordView) -> Fact:
    """A CNO diagnosis with sites, or imaging with osteitis or hyperostosis findings."""
    sites, evidence = _sites(v)
    imaging = typical_imaging(v)
    if sites or imaging.state is State.PRESENT:
        return Fact(State.PRESENT, (*evidence, *imaging.evidence))
    return UNKNOWN


# ------------------------------------------------------------------ clinical course
@fact
def onset_before_18(v: RecordView) -> Fact:
    """Under 18 now, or first complaints before the 18th birthday."""
    if v.child:
        return Fact(State.PRESENT)
    onset = _onset(v)
    if onset is None:
        return UNKNOWN
    age = v.record.patient.age_on(onset[0])
    return Fact(State.PRESENT if age < 18 else State.ABSENT, (onset[1],), str(age))


@fact
def age_at_onset(v: RecordView) -> Fact:
    """The age at the first complaints of the CNO diagnosis (captured), with the under-3 caution."""
    onset = _onset(v)
    if onset is None:
        return UNKNOWN
    age = v.record.patient.age_on(onset[0])
    return Fact(State.PRESENT, (onset[1],), str(age), note="under_3" if age < 3 else None)


@fact
def bone_pain_6_weeks(v: RecordView) -> Fact:
    """Pain, or the CNO onset, at least six weeks before the assessment date; otherwise unknown."""
    dates: list[tuple[date, str]] = list(v.events.get(Concept.PAIN, ()))  # (date, entry id) pairs, as they are
    dates += v.events.get(Concept.NIGHT_PAIN, ())
    dates += [
        (o.effective, o.id)
        for o in v.record.observations
        if Concept.PAIN_SCORE in o.concepts and o.effective and (o.number or 0) > 0
    ]
    onset = _onset(v)
    if onset is not None:
        dates.append(onset)
    cutoff = v.as_of - _SIX_WEEKS
    early = [pair for pair in dates if pair[0] <= cutoff]
    if not early:
        return UNKNOWN
    day, entry = min(early)
    return Fact(State.PRESENT, (entry,), day.isoformat())


@fact
def bone_pain_without_systemic_signs(v: RecordView) -> Fact:
    """Bristol typical clinical findings: pain or swelling with fever recorded absent; fever makes it absent."""
    signs = [e for c in (Concept.PAIN, Concept.NIGHT_PAIN, Concept.SWELLING) for _, e in v.events.get(c, ())]
    o = _fever(v)
    if o is not None and o.present:
        return Fact(State.ABSENT, (o.id,))
    if signs and o is not None:
        return Fact(State.PRESENT, (*signs[-1:], o.id))
    return UNKNOWN


# ------------------------------------------------------------------ biopsy, exclusions, associated disease
@fact
def biopsy_consistent_with_cno(v: RecordView) -> Fact:
    """The latest biopsy result: consistent with CNO, or another picture; no biopsy is unknown."""
    results = (
        (Concept.BIOPSY_CONSISTENT_WITH_CNO, State.PRESENT),
        (Concept.BIOPSY_TUMOUR, State.ABSENT),
        (Concept.BIOPSY_INFECTION, State.ABSENT),
        (Concept.BIOPSY_NONSPECIFIC, State.ABSENT),
    )
    found = [(d, e, state) for concept, state in results for d, e in v.events.get(concept, ())]
    if not found:
        return UNKNOWN
    day, entry, state = max(found)
    return Fact(state, (entry,), day.isoformat())


@fact
def malignancy(v: RecordView) -> Fact:
    """A recorded bone tumour or tumour on biopsy; excluding it is the clinician's (unknown otherwise)."""
    return _recorded(v, Concept.BONE_TUMOUR, biopsy=Concept.BIOPSY_TUMOUR)


@fact
def infection(v: RecordView) -> Fact:
    """Recorded bacterial osteomyelitis or infection on biopsy (unknown otherwise)."""
    return _recorded(v, Concept.BACTERIAL_OSTEOMYELITIS, biopsy=Concept.BIOPSY_INFECTION)


@fact
def cno_mimic(v: RecordView) -> Fact:
    """A recorded bone disorder resembling CNO (hypophosphatasia and others, CRMO-MIMICS-1)."""
    return _recorded(v, Concept.CNO_MIMIC)


@fact
def scurvy(v: RecordView) -> Fact:
    """Not modelled in the record: always unknown."""
    return UNKNOWN


@fact
def chronic_bowel_disease(v: RecordView) -> Fact:
    """Not modelled in the record: always unknown."""
    return UNKNOWN


@fact
def condensing_lesion(v: RecordView) -> Fact:
    """Not modelled in the record: always unknown."""
    return UNKNOWN


@fact
def typical_skin_disease(v: RecordView) -> Fact:
    """Palmoplantar pustulosis, psoriasis or severe acne recorded (absence is never read from silence)."""
    return _recorded(v, *_TYPICAL_SKIN)


@fact
def ppp_or_psoriasis(v: RecordView) -> Fact:
    """Palmoplantar pustulosis or psoriasis recorded."""
    return _recorded(v, Concept.PALMOPLANTAR_PUSTULOSIS, Concept.PSORIASIS)


@fact
def severe_acne(v: RecordView) -> Fact:
    """Severe acne recorded."""
    return _recorded(v, Concept.SEVERE_ACNE)


@fact
def sterile_osteitis_adult(v: RecordView) -> Fact:
    """An adult with osteitis or hyperostosis on imaging and a biopsy consistent with CNO (sterile)."""
    if v.child:
        return Fact(State.ABSENT)
    imaging = typical_imaging(v)
    biopsy = biopsy_consistent_with_cno(v)
    if imaging.state is State.PRESENT and biopsy.state is State.PRESENT:
        return Fact(State.PRESENT, (*imaging.evidence, *biopsy.evidence))
    return UNKNOWN


@fact
def crmo_child(v: RecordView) -> Fact:
    """A child with a confirmed CRMO diagnosis."""
    if v.adult:
        return Fact(State.ABSENT)
    found = [
        c.id for c in v.record.conditions if Concept.CRMO in c.concepts and c.verification is Verification.CONFIRMED
    ]
    return Fact(State.PRESENT, tuple(found)) if found else UNKNOWN


@fact
def severe_acne_or_hidradenitis(v: RecordView) -> Fact:
    """Severe acne (conglobata, fulminans) or hidradenitis suppurativa recorded (Benhamou 1988)."""
    return _recorded(v, Concept.SEVERE_ACNE, Concept.HIDRADENITIS)


@fact
def palmoplantar_pustulosis(v: RecordView) -> Fact:
    """Palmoplantar pustulosis recorded."""
    return _recorded(v, Concept.PALMOPLANTAR_PUSTULOSIS)


@fact
def hyperostosis_on_imaging(v: RecordView) -> Fact:
    """Imaging shows hyperostosis (a study without it decides nothing)."""
    found = [s.id for s in v.imaging if Concept.HYPEROSTOSIS in s.findings]
    return Fact(State.PRESENT, tuple(found)) if found else UNKNOWN


@fact
def crmo_confirmed(v: RecordView) -> Fact:
    """A confirmed CRMO diagnosis, at any age."""
    found = [
        c.id for c in v.record.conditions if Concept.CRMO in c.concepts and c.verification is Verification.CONFIRMED
    ]
    return Fact(State.PRESENT, tuple(found)) if found else UNKNOWN
