"""Record entries from a clinician: medication start/stop, infusion, lab, pain score, imaging, screening,
vaccination, goal, care-team member, referral.

Surface-neutral: :func:`record_entry` takes a form name and raw or typed values, checks every value
(:mod:`cnopad.services.entry_forms`), builds domain entries coded exactly as imported data is (codings from
the value sets, concepts derived by the same index), stores them in one unit of work and refreshes the
patient's worklist summary. Any bad value raises FormErrors and nothing is written.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from cnopad.domain import (
    Administration,
    Bone,
    CareRole,
    CareTeamMember,
    Coding,
    Concept,
    Encounter,
    EncounterStatus,
    Entry,
    Goal,
    GoalStatus,
    Identifier,
    ImagingResult,
    Immunization,
    MedicationStatus,
    MedicationUse,
    Observation,
    PatientRecord,
    PeriodUnit,
    Procedure,
    Quantity,
    Referral,
    Schedule,
    Site,
    System,
)
from cnopad.knowledge.valuesets import UnitSpec, ValueSetIndex
from cnopad.services import worklist
from cnopad.services.access import ensure_can_write, ensure_not_self_added
from cnopad.services.entry_forms import Field, FieldError, FormErrors, Kind, coerce
from cnopad.store import UnitOfWork

AGB_SYSTEM = "http://fhir.nl/fhir/NamingSystem/agb-z"

#: drugs offered in the forms, by ATC code (WHO ATC/DDD Index); concepts follow from the value sets
DRUGS: dict[str, str] = {
    "M01AE02": "naproxen",
    "M01AE01": "ibuprofen",
    "M01AB05": "diclofenac",
    "M01AB01": "indometacin",
    "M01AH01": "celecoxib",
    "M01AH05": "etoricoxib",
    "M05BA03": "pamidronic acid",
    "M05BA08": "zoledronic acid",
    "M05BA04": "alendronic acid",
    "L04AB04": "adalimumab",
    "L04AB01": "etanercept",
    "L04AB02": "infliximab",
    "H02AB06": "prednisolone",
    "H02AB07": "prednisone",
    "L04AX03": "methotrexate",
    "A07EC01": "sulfasalazine",
    "A02BC01": "omeprazole",
    "A02BC02": "pantoprazole",
    "N02BE01": "paracetamol",
}
#: vaccines offered, by ATC code; the live attenuated ones are those of the value set live_vaccine
VACCINES: dict[str, str] = {
    "J07BB02": "influenza, inactivated",
    "J07AL02": "pneumococcus, conjugated",
    "J07BC01": "hepatitis B",
    "J07BN01": "covid-19, RNA-based",
    "J07AM51": "tetanus toxoid, combinations with diphtheria toxoid",
    "J07BD52": "measles, mumps and rubella, live attenuated",
    "J07BK01": "varicella, live attenuated",
    "J07BK02": "zoster, live attenuated",
    "J07BL01": "yellow fever, live attenuated",
    "J07AP01": "typhoid, oral, live attenuated",
    "J07BB03": "influenza, live attenuated",
    "J07AN01": "tuberculosis, live attenuated (BCG)",
}
#: lab tests offered: the LOINC codes of these concepts' value sets
LAB_CONCEPTS = (
    Concept.CRP,
    Concept.ESR,
    Concept.ALKALINE_PHOSPHATASE,
    Concept.CREATININE,
    Concept.FULL_BLOOD_COUNT,
    Concept.CALCIUM,
    Concept.VITAMIN_D,
    Concept.RHEUMATOID_FACTOR,
    Concept.URINE_TEST,  # the child's monitoring asks for blood and urine tests (CRMO-MONITORING-1)
)
#: kinds of contact a clinician records; an expertise-centre review closes the yearly review task
CONTACTS = (
    Concept.EXPERTISE_CENTRE_REVIEW,
    Concept.SPECIALIST_CONTACT,
    Concept.GP_CONTACT,
    Concept.OUT_OF_HOURS_CONTACT,
)
MODALITIES = (
    Concept.XRAY,
    Concept.CT,
    Concept.SPECT_CT,
    Concept.PET,
    Concept.MRI,
    Concept.WHOLE_BODY_MRI,
    Concept.BONE_SCINTIGRAPHY,
)
FINDINGS = (
    Concept.IMAGING_ACTIVITY,
    Concept.IMAGING_NO_ACTIVITY,
    Concept.HYPEROSTOSIS,
    Concept.SCLEROSIS,
    Concept.OSTEOLYTIC_LESION,
    Concept.SOFT_TISSUE_INVOLVEMENT,
    Concept.TUMOUR_NOT_EXCLUDED,
    Concept.IMAGING_NORMAL,
)
SCREENINGS = (Concept.DENTAL_CHECK, Concept.TB_SCREENING, Concept.HBV_SCREENING)
SCREENING_RESULTS = ("negative", "positive", "indeterminate")
GOALS = (Concept.GOAL_LESS_PAIN, Concept.GOAL_BETTER_FUNCTIONING, Concept.GOAL_QUALITY_OF_LIFE)
REFERRALS = (
    Concept.REFERRAL_EXPERTISE_CENTRE,
    Concept.REFERRAL_INTERNIST_ENDOCRINOLOGIST,
    Concept.REFERRAL_RHEUMATOLOGIST,
    Concept.REFERRAL_PAEDIATRIC_RHEUMATOLOGIST,
    Concept.REFERRAL_PHYSIOTHERAPY,
    Concept.REFERRAL_OCCUPATIONAL_THERAPY,
    Concept.REFERRAL_PSYCHOLOGIST,
    Concept.REFERRAL_MENTAL_HEALTH_NURSE,
    Concept.REFERRAL_SOCIAL_WORK,
    Concept.REFERRAL_OCCUPATIONAL_PHYSICIAN,
    Concept.REFERRAL_PAIN_REHABILITATION,
    Concept.REFERRAL_CHRONIC_PAIN_NETWORK,
    Concept.REFERRAL_DENTIST,
)
UNITS = ("mg", "g", "microgram", "mg/kg", "mL")

_D = Decimal
#: a phone number as people write it: digits with spaces, dashes, dots, brackets and a leading +
_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]{5,38}")


FORMS: dict[str, tuple[Field, ...]] = {
    "medication_start": (
        Field("drug", Kind.CHOICE, required=True, choices=tuple(DRUGS)),
        Field("start", Kind.DATE, required=True),
        Field("dose", Kind.DECIMAL, minimum=_D("0.001"), maximum=_D("100000")),
        Field("unit", Kind.CHOICE, choices=UNITS),
        Field("every_months", Kind.INT, minimum=_D(1), maximum=_D(24)),
        Field("course_days", Kind.INT, minimum=_D(1), maximum=_D(7)),
        Field("note", Kind.TEXT, max_length=200),
    ),
    "medication_stop": (
        Field("medication", Kind.CHOICE, required=True),
        Field("stop", Kind.DATE, required=True),
    ),
    "infusion": (
        Field("medication", Kind.CHOICE, required=True),
        Field("given", Kind.DATE, required=True),
        Field("days", Kind.INT, minimum=_D(1), maximum=_D(3)),
        Field("dose", Kind.DECIMAL, minimum=_D("0.001"), maximum=_D("10000")),
    ),
    "lab": (
        Field("test", Kind.CHOICE, required=True),
        # required for a test with a unit (checked with the test): a panel such as urinalysis has no value;
        # no lab value cnopad reads is negative (concentrations, counts, rates, ratios)
        Field("value", Kind.DECIMAL, minimum=_D(0), maximum=_D(1_000_000)),
        Field("unit", Kind.CHOICE),
        Field("date", Kind.DATE, required=True),
    ),
    "pain": (
        Field("score", Kind.INT, required=True, minimum=_D(0), maximum=_D(10)),
        Field("date", Kind.DATE, required=True),
    ),
    "imaging": (
        Field("modality", Kind.CHOICE, required=True, choices=tuple(c.value for c in MODALITIES)),
        Field("date", Kind.DATE, required=True),
        Field("findings", Kind.MULTI, choices=tuple(c.value for c in FINDINGS)),
        # the bone only: a side is not entered here (it comes with coded data, docs/fhir-profile.md)
        Field("sites", Kind.MULTI, choices=tuple(b.value for b in Bone)),
        Field("conclusion", Kind.TEXT, max_length=1000),
    ),
    "screening": (
        Field("screening", Kind.CHOICE, required=True, choices=tuple(c.value for c in SCREENINGS)),
        Field("date", Kind.DATE, required=True),
        Field("result", Kind.CHOICE, choices=SCREENING_RESULTS),
    ),
    "vaccination": (
        Field("vaccine", Kind.CHOICE, required=True, choices=tuple(VACCINES)),
        Field("date", Kind.DATE, required=True),
    ),
    "contact": (
        Field("contact", Kind.CHOICE, required=True, choices=tuple(c.value for c in CONTACTS)),
        Field("date", Kind.DATE, required=True),
    ),
    "goal": (
        Field("goal", Kind.CHOICE, required=True, choices=tuple(c.value for c in GOALS)),
        Field("description", Kind.TEXT, required=True, max_length=500),
        Field("date", Kind.DATE, required=True),
    ),
    "care_team": (
        Field("name", Kind.TEXT, required=True, max_length=200),
        Field("roles", Kind.MULTI, required=True, choices=tuple(r.value for r in CareRole)),
        Field("organization", Kind.TEXT, max_length=200),
        Field("agb", Kind.TEXT, max_length=8),
        Field("phone", Kind.TEXT, max_length=40),
        Field("start", Kind.DATE),
    ),
    "referral": (
        Field("target", Kind.CHOICE, required=True, choices=tuple(c.value for c in REFERRALS)),
        Field("date", Kind.DATE, required=True),
        Field("planned", Kind.DATE, past=False),
        Field("note", Kind.TEXT, max_length=500),
    ),
}


def lab_tests(valuesets: ValueSetIndex) -> dict[str, tuple[Concept, Coding]]:
    """LOINC code -> (concept, coding) for the lab form, from the lab value sets."""
    out: dict[str, tuple[Concept, Coding]] = {}
    for concept in LAB_CONCEPTS:
        vs = valuesets.valueset(concept)
        for entry in vs.include if vs else ():
            if entry.system is System.LOINC and entry.match == "exact":
                out[entry.code] = (concept, Coding(entry.system.value, entry.code, entry.display))
    return out


def lab_unit_spec(valuesets: ValueSetIndex, code: str) -> UnitSpec | None:
    """The UCUM unit a lab test's rules use and the units converted to it exactly (labs.yaml), None: no value."""
    return valuesets.unit_spec((Coding(System.LOINC.value, code),))


def lab_units(valuesets: ValueSetIndex) -> tuple[str, ...]:
    """Every UCUM unit the lab form offers: each test's own unit and those labs.yaml converts exactly."""
    units: dict[str, None] = {}
    for code in lab_tests(valuesets):
        spec = lab_unit_spec(valuesets, code)
        if spec is not None:
            units |= dict.fromkeys((spec.unit, *spec.factors))
    return tuple(units)


def record_choices(
    form: str, record: PatientRecord, today: date, valuesets: ValueSetIndex
) -> dict[str, tuple[str, ...]]:
    """The choices a form takes from the record (medications in use) or from the value sets (lab tests)."""
    in_use = [m for m in record.medications if m.active_on(today)]
    if form == "medication_stop":
        return {"medication": tuple(m.id for m in in_use)}
    if form == "infusion":
        iv = [m for m in in_use if Concept.BISPHOSPHONATE in m.concepts or Concept.TNF_INHIBITOR in m.concepts]
        return {"medication": tuple(m.id for m in iv)}
    if form == "lab":
        return {"test": tuple(lab_tests(valuesets)), "unit": lab_units(valuesets)}
    return {}


def entry_id(patient_id: str, form: str, values: Mapping[str, Any]) -> str:
    """A stable id from the content: the same submission twice (a double click) gives the same entry."""
    text = json.dumps({"p": patient_id, "f": form, "v": values}, sort_keys=True, default=str)
    return f"web-{form.replace('_', '-')}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:20]}"


@dataclass(frozen=True)
class Recorded:
    """What a form added or changed, and the record as it is now."""

    entries: tuple[Entry, ...]
    record: PatientRecord


def record_entry(
    uow: UnitOfWork,
    patient_id: str,
    form: str,
    raw: Mapping[str, Any],
    *,
    valuesets: ValueSetIndex,
    today: date,
    knowledge_version: str,
) -> Recorded:
    """Check and store one form's entries, refresh the worklist summary, commit; FormErrors saves nothing.

    Who may write is checked first, in this transaction (ForbiddenError, audited); a care-team entry that
    would make its author a member of a team they are not in is undone and refused.
    """
    fields = FORMS.get(form)
    if fields is None:
        raise FieldError("form", "unknown-choice")  # noqa: EM101 - a field and a rule slug, not a message
    allowed = ensure_can_write(uow, patient_id, care_team_change=form == "care_team")
    purpose = allowed.basis.purpose("care")
    record = uow.records.get(patient_id, purpose=purpose)
    values = coerce(
        fields,
        raw,
        today=today,
        birth_date=record.patient.birth_date,
        dynamic=record_choices(form, record, today, valuesets),
    )
    new = _BUILDERS[form](_Context(record, values, valuesets, today, entry_id(patient_id, form, values)))
    uow.records.add_entries(patient_id, new, purpose=purpose, action="record")
    ensure_not_self_added(uow, allowed)
    updated = record.with_entries(*new)
    worklist.refresh(uow, updated, today=today, knowledge_version=knowledge_version)
    uow.commit()
    return Recorded(tuple(new), updated)


@dataclass(frozen=True)
class _Context:
    record: PatientRecord
    v: dict[str, Any]
    valuesets: ValueSetIndex
    today: date
    id: str

    def coded(self, coding: Coding) -> tuple[tuple[Coding, ...], frozenset[Concept]]:
        codings = (coding,)
        return codings, self.valuesets.concepts(codings)

    def medication(self, entry_id: str) -> MedicationUse:
        return next(m for m in self.record.medications if m.id == entry_id)


def _medication_start(c: _Context) -> list[Entry]:
    codings, concepts = c.coded(Coding(System.ATC.value, c.v["drug"], DRUGS[c.v["drug"]]))
    dose = Quantity(c.v["dose"], c.v["unit"] or "mg") if c.v["dose"] is not None else None
    schedule = Schedule(c.v["every_months"], PeriodUnit.MONTH, c.v["course_days"] or 1) if c.v["every_months"] else None
    if c.v["course_days"] and not c.v["every_months"]:
        raise FormErrors([FieldError("course_days", "not-applicable")])
    return [
        MedicationUse(
            c.id,
            codings,
            concepts,
            MedicationStatus.ACTIVE,
            start=c.v["start"],
            dose=dose,
            schedule=schedule,
            text=c.v["note"],
        )
    ]


def _medication_stop(c: _Context) -> list[Entry]:
    used = c.medication(c.v["medication"])
    if used.start is not None and c.v["stop"] < used.start:
        raise FormErrors([FieldError("stop", "before-start", start=used.start.isoformat())])
    return [replace(used, end=c.v["stop"], status=MedicationStatus.STOPPED)]


def _infusion(c: _Context) -> list[Entry]:
    used = c.medication(c.v["medication"])
    days = c.v["days"] or 1
    first: date = c.v["given"]
    if first + timedelta(days=days - 1) > c.today:
        raise FormErrors([FieldError("days", "in-future")])
    if used.start is not None and first < used.start:
        raise FormErrors([FieldError("given", "before-start", start=used.start.isoformat())])
    dose = Quantity(c.v["dose"], used.dose.unit if used.dose else "mg") if c.v["dose"] is not None else used.dose
    return [
        Administration(
            f"{c.id}-{n + 1}", used.codings, first + timedelta(days=n), used.concepts, dose, route="intravenous"
        )
        for n in range(days)
    ]


def _lab(c: _Context) -> list[Entry]:
    """A lab value is stored in the UCUM unit its rules use, converted exactly; a unit that does not fit the
    test is refused (a CRP in mmol/L is a wrong unit, and guessing would be off by a factor)."""
    _, coding = lab_tests(c.valuesets)[c.v["test"]]
    codings, concepts = c.coded(coding)
    spec = lab_unit_spec(c.valuesets, c.v["test"])
    value, unit = c.v["value"], c.v["unit"]
    if spec is None:  # a panel (urinalysis): done or not, no value
        errors = [FieldError(name, "not-applicable") for name in ("value", "unit") if c.v[name] is not None]
        if errors:
            raise FormErrors(errors)
        return [Observation(c.id, codings, concepts, c.v["date"], None)]
    allowed = ", ".join((spec.unit, *spec.factors))
    errors = []
    if value is None:
        errors.append(FieldError("value", "required"))
    if unit is None:
        errors.append(FieldError("unit", "required"))
    elif spec.factor(unit) is None:
        errors.append(FieldError("unit", "wrong-unit", unit=unit, units=allowed))
    if errors:
        raise FormErrors(errors)
    factor = spec.factor(unit)
    assert factor is not None  # noqa: S101 - checked above
    return [Observation(c.id, codings, concepts, c.v["date"], Quantity(_tidy(value * factor), spec.unit))]


def _tidy(value: Decimal) -> Decimal:
    """A converted value without trailing zeros (12.0 -> 12), as the FHIR reader stores it."""
    return value.to_integral_value() if value == value.to_integral_value() else value.normalize()


def _contact(c: _Context) -> list[Entry]:
    codings, concepts = c.coded(c.valuesets.coding_for(Concept(c.v["contact"])))
    return [Encounter(c.id, codings, concepts, c.v["date"], EncounterStatus.FINISHED)]


def _pain(c: _Context) -> list[Entry]:
    codings, concepts = c.coded(c.valuesets.coding_for(Concept.PAIN_SCORE))
    return [Observation(c.id, codings, concepts, c.v["date"], int(c.v["score"]))]


def _imaging(c: _Context) -> list[Entry]:
    findings = frozenset(Concept(f) for f in c.v["findings"] or ())
    if {Concept.IMAGING_ACTIVITY, Concept.IMAGING_NO_ACTIVITY} <= findings or (
        Concept.IMAGING_NORMAL in findings and len(findings) > 1
    ):
        raise FormErrors([FieldError("findings", "contradiction")])
    codings, concepts = c.coded(c.valuesets.coding_for(Concept(c.v["modality"])))
    return [
        ImagingResult(
            c.id,
            codings,
            concepts,
            c.v["date"],
            findings,
            tuple(c.valuesets.coding_for(f) for f in sorted(findings)),
            tuple(Site.parse(s) for s in c.v["sites"] or ()),
            conclusion=c.v["conclusion"],
        )
    ]


def _screening(c: _Context) -> list[Entry]:
    concept = Concept(c.v["screening"])
    codings, concepts = c.coded(c.valuesets.coding_for(concept))
    if concept is Concept.DENTAL_CHECK:
        if c.v["result"]:
            raise FormErrors([FieldError("result", "not-applicable")])
        return [Procedure(c.id, codings, concepts, start=c.v["date"], end=c.v["date"])]
    return [Observation(c.id, codings, concepts, c.v["date"], c.v["result"])]


def _vaccination(c: _Context) -> list[Entry]:
    codings, concepts = c.coded(Coding(System.ATC.value, c.v["vaccine"], VACCINES[c.v["vaccine"]]))
    return [Immunization(c.id, codings, concepts, c.v["date"])]


def _goal(c: _Context) -> list[Entry]:
    codings, concepts = c.coded(c.valuesets.coding_for(Concept(c.v["goal"])))
    return [Goal(c.id, c.v["description"], codings, concepts, GoalStatus.ACTIVE, c.v["date"], c.v["date"])]


def _care_team(c: _Context) -> list[Entry]:
    agb = c.v["agb"]
    if agb is not None and not (len(agb) == 8 and agb.isdigit()):
        raise FormErrors([FieldError("agb", "not-agb")])
    phone = c.v["phone"]
    if phone is not None and not _PHONE.fullmatch(phone):
        raise FormErrors([FieldError("phone", "not-a-phone")])
    return [
        CareTeamMember(
            c.id,
            frozenset(CareRole(r) for r in c.v["roles"]),
            c.v["name"],
            Identifier(AGB_SYSTEM, agb) if agb else None,
            c.v["organization"],
            c.v["start"],
            phone=phone,
        )
    ]


def _referral(c: _Context) -> list[Entry]:
    if c.v["planned"] is not None and c.v["planned"] < c.v["date"]:
        raise FormErrors([FieldError("planned", "before-start", start=c.v["date"].isoformat())])
    codings, concepts = c.coded(c.valuesets.coding_for(Concept(c.v["target"])))
    return [Referral(c.id, codings, concepts, c.v["date"], c.v["planned"], text=c.v["note"])]


_BUILDERS: dict[str, Callable[[_Context], list[Entry]]] = {
    "medication_start": _medication_start,
    "medication_stop": _medication_stop,
    "infusion": _infusion,
    "lab": _lab,
    "pain": _pain,
    "imaging": _imaging,
    "screening": _screening,
    "vaccination": _vaccination,
    "contact": _contact,
    "goal": _goal,
    "care_team": _care_team,
    "referral": _referral,
}
