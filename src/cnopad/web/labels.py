"""Words for codes: form and field names, choices, statuses, steps and task kinds, in the page's language.

Product wording is marked with ``N_`` for the Babel catalogs and translated when shown; clinical
meanings (concepts, sites, care roles) take their titles from the knowledge base's value sets.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnopad.domain import Bone, CareRole, Concept, Site
from cnopad.knowledge.valuesets import ValueSetIndex
from cnopad.services.entries import FORMS
from cnopad.web.i18n import N_, gettext

FORM_TITLES = {
    "infusion": N_("Infusion given"),
    "medication_start": N_("Start medication"),
    "medication_stop": N_("Stop medication"),
    "pain": N_("Pain score"),
    "lab": N_("Lab result"),
    "imaging": N_("Imaging result"),
    "screening": N_("Screening done"),
    "vaccination": N_("Vaccination"),
    "goal": N_("Treatment goal"),
    "care_team": N_("Care-team member"),
    "referral": N_("Referral"),
}
FIELD_LABELS = {
    "drug": N_("Medicine"),
    "start": N_("Start date"),
    "dose": N_("Dose"),
    "unit": N_("Unit"),
    "every_months": N_("Course every (months)"),
    "course_days": N_("Days per course"),
    "note": N_("Note"),
    "medication": N_("Medication"),
    "stop": N_("Stop date"),
    "given": N_("Date (first day)"),
    "days": N_("Number of consecutive days"),
    "test": N_("Test"),
    "value": N_("Value"),
    "date": N_("Date"),
    "score": N_("Pain score (0 = no pain, 10 = worst imaginable)"),
    "modality": N_("Kind of imaging"),
    "findings": N_("Findings"),
    "sites": N_("Sites"),
    "conclusion": N_("Conclusion"),
    "screening": N_("Screening"),
    "result": N_("Result"),
    "vaccine": N_("Vaccine"),
    "goal": N_("Goal"),
    "description": N_("Agreed with the patient (in their words)"),
    "name": N_("Name"),
    "roles": N_("Roles"),
    "organization": N_("Organisation"),
    "agb": N_("AGB code (8 digits)"),
    "target": N_("Referred to"),
    "planned": N_("Planned date"),
}
DRUG_NAMES = {
    "M01AE02": N_("naproxen"),
    "M01AE01": N_("ibuprofen"),
    "M01AB05": N_("diclofenac"),
    "M01AB01": N_("indometacin"),
    "M01AH01": N_("celecoxib"),
    "M01AH05": N_("etoricoxib"),
    "M05BA03": N_("pamidronic acid"),
    "M05BA08": N_("zoledronic acid"),
    "M05BA04": N_("alendronic acid"),
    "L04AB04": N_("adalimumab"),
    "L04AB01": N_("etanercept"),
    "L04AB02": N_("infliximab"),
    "H02AB06": N_("prednisolone"),
    "H02AB07": N_("prednisone"),
    "L04AX03": N_("methotrexate"),
    "A07EC01": N_("sulfasalazine"),
    "A02BC01": N_("omeprazole"),
    "A02BC02": N_("pantoprazole"),
    "N02BE01": N_("paracetamol"),
}
VACCINE_NAMES = {
    "J07BB02": N_("influenza (inactivated)"),
    "J07AL02": N_("pneumococcus (conjugated)"),
    "J07BC01": N_("hepatitis B"),
    "J07BN01": N_("COVID-19 (mRNA)"),
    "J07AM51": N_("diphtheria and tetanus"),
    "J07BD52": N_("measles, mumps and rubella (live)"),
    "J07BK01": N_("chickenpox (live)"),
    "J07BK02": N_("shingles (live)"),
    "J07BL01": N_("yellow fever (live)"),
    "J07AP01": N_("typhoid, oral (live)"),
    "J07BB03": N_("influenza, nasal (live)"),
    "J07AN01": N_("tuberculosis, BCG (live)"),
}
LAB_NAMES = {
    "1988-5": N_("CRP (mg/L)"),
    "4537-7": N_("ESR (mm/h)"),
    "6768-6": N_("Alkaline phosphatase (U/L)"),
    "14682-9": N_("Creatinine (µmol/L)"),
    "2160-0": N_("Creatinine (mg/dL)"),
    "718-7": N_("Haemoglobin"),
    "6690-2": N_("Leukocytes"),
    "777-3": N_("Platelets"),
    "2000-8": N_("Calcium (mmol/L)"),
    "17861-6": N_("Calcium (mg/dL)"),
    "62292-8": N_("25-OH vitamin D (D2+D3)"),
    "1989-3": N_("25-OH vitamin D3"),
    "11572-5": N_("Rheumatoid factor"),
}
UNIT_NAMES = {"mg": "mg", "g": "g", "microgram": N_("microgram"), "mg/kg": "mg/kg", "mL": "mL"}
RESULT_NAMES = {"negative": N_("negative"), "positive": N_("positive"), "indeterminate": N_("indeterminate")}
TASK_STATUS = {"upcoming": N_("upcoming"), "due": N_("due"), "overdue": N_("overdue"), "done": N_("done")}
INDICATORS = {"critical": N_("critical"), "warning": N_("warning"), "info": N_("information")}
STEPS = {
    "none": N_("no CNO medication"),
    "nsaid": N_("step 1: NSAID"),
    "bisphosphonate": N_("step 2: bisphosphonate"),
    "tnf": N_("step 3: TNF-alpha inhibitor"),
    "other": N_("other medication"),
}
TASK_KINDS = {
    "pamidronate_course": N_("Pamidronate course"),
    "expertise_review": N_("Yearly expertise-centre review"),
    "child_monitoring": N_("Blood and urine monitoring"),
    "dental_check": N_("Dental check"),
    "tnf_screening": N_("Screening before a TNF-alpha inhibitor"),
    "short_term_review": N_("Short-term review"),
}
SEXES = {"female": N_("female"), "male": N_("male"), "other": N_("other sex"), "unknown": N_("sex unknown")}
VERIFICATION = {"suspected": N_("suspected"), "confirmed": N_("confirmed"), "ruled_out": N_("ruled out")}
EMPTY_REASONS = {
    "researcher": N_("Researchers see no identified patient records. Use the population tools for pseudonymised data."),
    "no-practitioner": N_(
        "Your account is not linked to a practitioner identifier (AGB code), so no care team lists you yet. "
        "Ask the administrator to link it."
    ),
}


@dataclass(frozen=True)
class Labels:
    """Looks up words for codes in one language."""

    lang: str
    valuesets: ValueSetIndex

    def _(self, message: str) -> str:
        return gettext(self.lang, message)

    def form(self, form: str) -> str:
        """The title of a record-entry form."""
        return self._(FORM_TITLES[form])

    def field(self, name: str) -> str:
        """The label of a form field."""
        return self._(FIELD_LABELS[name])

    def concept(self, value: str) -> str:
        """The knowledge base's title of a concept, site or care role."""
        for kind in (Concept, Bone, CareRole):
            try:
                meaning = kind(value)
            except ValueError:
                continue
            if self.valuesets.valueset(meaning) is not None:
                return self.valuesets.title(meaning, self.lang)
        return value

    def site(self, site: Site) -> str:
        """The title of a lesion site: its bone, then its side ("Tibia, links")."""
        return self.valuesets.title(site, self.lang)

    def choice(self, form: str, field: str, value: str) -> str:
        """The label of one choice of a field."""
        table = {
            "drug": DRUG_NAMES,
            "vaccine": VACCINE_NAMES,
            "test": LAB_NAMES,
            "unit": UNIT_NAMES,
            "result": RESULT_NAMES,
        }.get(field)
        if table is not None and value in table:
            return self._(table[value])
        return self.concept(value)

    def choices(self, form: str, field: str, dynamic: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
        """(value, label) pairs of a choice field; dynamic choices (the record's medications) come labelled."""
        spec = next(f for f in FORMS[form] if f.name == field)
        values = spec.choices or dynamic.get(field, ())
        return [(v, self.choice(form, field, v)) for v in values]

    def task_kind(self, kind: str, fallback: str | None = None) -> str:
        """The name of a kind of task (for the worklist filter)."""
        if kind in TASK_KINDS:
            return self._(TASK_KINDS[kind])
        return fallback or kind.replace("_", " ")

    def status(self, status: str) -> str:
        """A task status."""
        return self._(TASK_STATUS.get(status, status))

    def indicator(self, indicator: str) -> str:
        """A card's urgency."""
        return self._(INDICATORS.get(indicator, indicator))

    def step(self, step: str) -> str:
        """A step of the medication plan."""
        return self._(STEPS.get(step, step))

    def sex(self, sex: str) -> str:
        """Administrative sex."""
        return self._(SEXES.get(sex, sex))

    def verification(self, status: str) -> str:
        """How certain a diagnosis is."""
        return self._(VERIFICATION.get(status, status))

    def empty_reason(self, reason: str) -> str:
        """Why a worklist is empty."""
        return self._(EMPTY_REASONS[reason])


FIELD_RULES = {
    "required": N_("Fill this in."),
    "too-long": N_("Too long: at most %(max)s characters."),
    "too-short": N_("Too short: write at least %(min)s characters."),
    "not-a-number": N_("Enter a number, for example 12.5."),
    "not-a-whole-number": N_("Enter a whole number."),
    "out-of-range": N_("Enter a value from %(min)s to %(max)s."),
    "not-a-date": N_("Enter a date as YYYY-MM-DD."),
    "in-future": N_("This date is in the future; record what has happened."),
    "before-birth": N_("This date is before the patient's birth date."),
    "before-start": N_("This date is before %(start)s."),
    "unknown-choice": N_("Choose one of the options."),
    "contradiction": N_("These choices contradict each other."),
    "not-agb": N_("An AGB code has 8 digits."),
    "not-applicable": N_("This does not apply to the choice made."),
    "control-characters": N_("Remove the special characters."),
    "invalid-unicode": N_("This text holds characters that cannot be stored; type it again."),
    "date-out-of-range": N_("Enter a date from %(earliest)s to %(latest)s."),
}


def field_message(lang: str, rule: str, params: dict[str, object]) -> str:
    """The message shown next to a field for a broken rule."""
    text = gettext(lang, FIELD_RULES.get(rule, FIELD_RULES["unknown-choice"]))
    return text % {k: str(v) for k, v in params.items()} if params else text
