"""Predicates on reaching or doubting the diagnosis: adults (NHG leaflet) and children (CRMO information)."""

from __future__ import annotations

from datetime import date

from cnopad.domain import CareRole, Concept, Focality, on_anterior_chest_wall, site_count
from cnopad.engine.dates import add_months
from cnopad.engine.findings import FOUND, NONE, Findings, Params, found, predicate
from cnopad.engine.view import RecordView

_EARLIER_LABELS = (Concept.TIETZE, Concept.COSTOCHONDRITIS, Concept.OSTEOARTHRITIS, Concept.FIBROMYALGIA)
_CHEST_WALL_LABELS = (Concept.TIETZE, Concept.COSTOCHONDRITIS)
_MODALITIES_BEYOND_XRAY = frozenset(
    {
        Concept.CT,
        Concept.SPECT_CT,
        Concept.PET,
        Concept.MRI,
        Concept.WHOLE_BODY_MRI,
        Concept.BONE_SCINTIGRAPHY,
        Concept.NUCLEAR_IMAGING,
    }
)
_ADULT_LABS = (Concept.CRP, Concept.ESR, Concept.ALKALINE_PHOSPHATASE, Concept.RHEUMATOID_FACTOR)
_CHILD_LABS = (Concept.CRP, Concept.ESR, Concept.FULL_BLOOD_COUNT, Concept.ALKALINE_PHOSPHATASE, Concept.CREATININE)
_SENSITIVE_IMAGING = (Concept.MRI, Concept.WHOLE_BODY_MRI, Concept.BONE_SCINTIGRAPHY)
_TYPICAL_SKIN = (Concept.PALMOPLANTAR_PUSTULOSIS, Concept.PSORIASIS, Concept.SEVERE_ACNE)
_SPECIALIST_ROLES = (CareRole.SPECIALIST, CareRole.EXPERTISE_CENTRE)


def _chest_wall_since(v: RecordView) -> tuple[date | None, list[str]]:
    """The first date of anterior chest wall complaints (a complaint, a chest wall site, Tietze/costochondritis)."""
    dates: list[date] = []
    evidence: list[str] = []
    for concept in (Concept.CHEST_WALL_COMPLAINT, *_CHEST_WALL_LABELS):
        for day, entry in v.events.get(concept, ()):
            dates.append(day)
            evidence.append(entry)
    for condition in v.record.conditions:
        if not condition.ruled_out and on_anterior_chest_wall(condition.sites) and condition.first_date:
            dates.append(condition.first_date)
            evidence.append(condition.id)
    for obs in v.record.observations:
        if obs.present and on_anterior_chest_wall(obs.sites) and obs.effective and obs.effective <= v.as_of:
            dates.append(obs.effective)
            evidence.append(obs.id)
    return (min(dates) if dates else None), evidence


@predicate
def chest_wall_complaints_with_earlier_label(v: RecordView, p: Params) -> Findings:
    """No CNO condition at all, chest wall complaints for the minimum time, and an earlier other label."""
    if v.any_cno_condition:
        return NONE
    labels = [c.id for concept in _EARLIER_LABELS for c in v.conditions.get(concept, ())]
    if not labels:
        return NONE
    since, evidence = _chest_wall_since(v)
    if since is None or add_months(since, p["min_months"]) > v.as_of:
        return NONE
    return found(*sorted(set(evidence + labels)))


@predicate
def suspected_without_specialist(v: RecordView, p: Params) -> Findings:
    """A suspected diagnosis and no referral to, contact with or care by a specialist or the expertise centre."""
    referral_targets = (
        Concept.REFERRAL_INTERNIST_ENDOCRINOLOGIST,
        Concept.REFERRAL_RHEUMATOLOGIST,
        Concept.REFERRAL_EXPERTISE_CENTRE,
    )
    if v.referred_to(*referral_targets) or v.has(Concept.SPECIALIST_CONTACT) or v.has(Concept.EXPERTISE_CENTRE_REVIEW):
        return NONE
    if v.has_role(*_SPECIALIST_ROLES) or any(
        CareRole.MAIN_TREATING in m.roles and CareRole.GP not in m.roles for m in v.team
    ):
        return NONE
    return found(v.diagnosis.id if v.diagnosis else "")


@predicate
def only_normal_xray_imaging(v: RecordView, p: Params) -> Findings:
    """Every imaging study is an X-ray, at least one is reported normal, and none reports a finding."""
    if not v.imaging:
        return NONE
    normal = False
    for study in v.imaging:
        if Concept.XRAY not in study.concepts or study.concepts & _MODALITIES_BEYOND_XRAY:
            return NONE
        if study.findings - {Concept.IMAGING_NORMAL}:
            return NONE
        normal = normal or Concept.IMAGING_NORMAL in study.findings
    return found(*(s.id for s in v.imaging)) if normal else NONE


@predicate
def labs_on_record_in_suspected(v: RecordView, p: Params) -> Findings:
    """Inflammation or bone markers, or rheumatoid factor, are on record (normal results do not exclude CNO)."""
    evidence = [e for c in _ADULT_LABS for _, e in v.events.get(c, ())]
    return found(*sorted(set(evidence))) if evidence else NONE


@predicate
def child_cno_workup(v: RecordView, p: Params) -> Findings:
    """A suspected CNO in a child: the differential diagnosis applies."""
    return FOUND if v.suspected else NONE


@predicate
def child_normal_xray_or_labs(v: RecordView, p: Params) -> Findings:
    """A normal X-ray or laboratory tests are on record during a child's work-up."""
    evidence = [s.id for s in v.imaging if Concept.XRAY in s.concepts and Concept.IMAGING_NORMAL in s.findings]
    evidence.extend(e for c in _CHILD_LABS for _, e in v.events.get(c, ()))
    return found(*sorted(set(evidence))) if evidence else NONE


@predicate
def child_without_sensitive_imaging(v: RecordView, p: Params) -> Findings:
    """No MRI, whole-body MRI or bone scintigraphy is on record."""
    return NONE if any(v.has(c) for c in _SENSITIVE_IMAGING) else FOUND


def _biopsied_since(v: RecordView, day: date) -> bool:
    last = v.last(Concept.BONE_BIOPSY)
    return last is not None and last >= day


@predicate
def tumour_not_excluded_without_biopsy(v: RecordView, p: Params) -> Findings:
    """A radiology report says a tumour cannot be excluded, and no biopsy followed."""
    reports = v.events.get(Concept.TUMOUR_NOT_EXCLUDED)
    if not reports or _biopsied_since(v, reports[-1][0]):
        return NONE
    return found(reports[-1][1])


def lesion_picture(v: RecordView) -> tuple[int | None, list[str]]:
    """The number of lesions: the latest imaging count, else the diagnosis's (bone, side) sites (1 = unifocal)."""
    for study in reversed(v.imaging):
        if study.lesion_count is not None:
            return study.lesion_count, [study.id]
    if v.diagnosis is not None and v.diagnosis.focality is not Focality.UNKNOWN:
        return site_count(v.diagnosis.sites), [v.diagnosis.id]
    return None, []


@predicate
def unifocal_lesion_without_biopsy(v: RecordView, p: Params) -> Findings:
    """A single bone lesion and no biopsy on record; osteolysis with soft-tissue involvement escalates."""
    count, evidence = lesion_picture(v)
    if count != 1 or v.has(Concept.BONE_BIOPSY):
        return NONE
    aggressive = v.has(Concept.OSTEOLYTIC_LESION) and v.has(Concept.SOFT_TISSUE_INVOLVEMENT)
    return found(*evidence, escalate=aggressive, notes=("osteolytic",) if aggressive else ())


@predicate
def vertebral_compression_in_child(v: RecordView, p: Params) -> Findings:
    """A vertebral compression or collapse is recorded in a child."""
    found_at = v.events.get(Concept.VERTEBRAL_COMPRESSION)
    return found(*(e for _, e in found_at)) if found_at else NONE


def typical_course_since(v: RecordView, p: Params) -> tuple[date, list[str]] | None:
    """When the picture that may spare a biopsy was complete (and its evidence), or None; see CRMO-DX-NO-BIOPSY-1."""
    if v.has(Concept.BONE_BIOPSY):
        return None
    count, evidence = lesion_picture(v)
    if count is None or count < p["min_lesions"]:
        return None
    first = v.diagnosis.first_date if v.diagnosis else None
    imaged = [s.performed for s in v.imaging if s.performed is not None and s.lesion_count]
    starts = [d for d in (first, *(imaged[:1])) if d is not None]
    skin = [d for c in _TYPICAL_SKIN for d in (v.first(c),) if d is not None]
    if not starts or not skin:
        return None
    complete = max(add_months(min(starts), p["lesion_months"]), min(skin), *(imaged[-1:]))
    if complete > v.as_of:
        return None
    skin_ids = [e for c in _TYPICAL_SKIN for _, e in v.events.get(c, ())]
    return complete, evidence + skin_ids


@predicate
def typical_multifocal_course_without_biopsy(v: RecordView, p: Params) -> Findings:
    """Lesions for six months or more, at least two, typical skin lesions and no biopsy."""
    picture = typical_course_since(v, p)
    return found(*picture[1]) if picture else NONE


@predicate
def active_disease_without_labs_since(v: RecordView, p: Params) -> Findings:
    """Recent activity evidence says active and no CRP or ESR was done on or after it."""
    active = v.active_within(p["activity_months"])
    if active is None:
        return NONE
    last = v.last(Concept.CRP, Concept.ESR)
    return NONE if last is not None and last >= active else FOUND
