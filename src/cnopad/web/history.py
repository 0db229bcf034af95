"""The record's history as a clinician reads it: each entry in words, who wrote it and when, whether it was
voided (by whom, when, why), and whether it can still be voided."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from cnopad.domain import (
    Administration,
    Coding,
    Concept,
    Encounter,
    Entry,
    Goal,
    ImagingResult,
    Immunization,
    MedicationUse,
    Observation,
    Procedure,
    Quantity,
    Referral,
)
from cnopad.services.voiding import VOIDABLE
from cnopad.store.records import EntryHistory, HistoryEvent
from cnopad.web.i18n import N_
from cnopad.web.labels import LAB_NAMES, VACCINE_NAMES, Labels
from cnopad.web.patient_page import medication_label

KIND_NAMES = {
    "conditions": N_("Diagnosis"),
    "medications": N_("Medication"),
    "administrations": N_("Infusion"),
    "immunizations": N_("Vaccination"),
    "allergies": N_("Allergy"),
    "observations": N_("Observation or lab result"),
    "imaging": N_("Imaging result"),
    "biopsies": N_("Biopsy"),
    "procedures": N_("Procedure or screening"),
    "goals": N_("Treatment goal"),
    "referrals": N_("Referral"),
    "encounters": N_("Contact"),
    "care_team": N_("Care-team member"),
}
ACTIONS = {"record": N_("recorded"), "import": N_("imported"), "void": N_("voided")}
ROLES = {
    "gp": N_("GP"),
    "specialist": N_("specialist"),
    "expertise_centre": N_("expertise centre"),
    "operator": N_("operator"),
    "admin": N_("administrator"),
    "researcher": N_("researcher"),
    "cds_client": N_("EHR (CDS Hooks)"),
}


@dataclass(frozen=True)
class HistoryRow:
    """One entry of the history table."""

    kind: str
    entry_id: str
    kind_label: str
    what: str
    day: date | None
    written: HistoryEvent | None  # the first write (record or import); None: before cnopad kept authors
    updated_at: datetime
    voided: HistoryEvent | None
    can_void: bool
    written_role: str = ""
    written_action: str = ""


def _when(entry: Entry) -> date | None:
    for name in ("effective", "given_on", "performed", "start", "authored", "recorded"):
        value = getattr(entry, name, None)
        if isinstance(value, date):
            return value
    return None


def _value(value: object) -> str:
    if isinstance(value, Quantity):
        number = value.value
        text = f"{number:f}" if isinstance(number, Decimal) else str(number)
        return f"{text} {value.unit}".strip()
    return "" if value is None or isinstance(value, bool) else str(value)


def describe(entry: Entry, labels: Labels) -> str:
    """An entry in a few words: what (coded names in the reader's language) and its value."""
    codings: tuple[Coding, ...] = getattr(entry, "codings", ())
    code = next((c.code for c in codings if c.code), "")
    if isinstance(entry, Observation) and code in LAB_NAMES:
        name = labels._(LAB_NAMES[code])
    elif isinstance(entry, Immunization) and code in VACCINE_NAMES:
        name = labels._(VACCINE_NAMES[code])
    elif isinstance(entry, Goal):
        return entry.description
    elif isinstance(entry, (MedicationUse, Administration)):
        if isinstance(entry, MedicationUse):
            return medication_label(entry, labels)
        return next((c.display for c in entry.codings if c.display), entry.id)
    else:
        concepts: frozenset[Concept] = getattr(entry, "concepts", frozenset())
        titled = sorted(c.value for c in concepts if labels.valuesets.valueset(c) is not None)
        name = labels.concept(titled[0]) if titled else next((c.display for c in codings if c.display), "")
    if isinstance(entry, Observation):
        value = _value(entry.value)
        return f"{name}: {value}" if value else name
    if isinstance(entry, (ImagingResult, Procedure, Referral, Encounter)):
        return name
    return name or entry.id


def _role(event: HistoryEvent | None, labels: Labels) -> str:
    if event is None:
        return ""
    return labels._(ROLES[event.role]) if event.role in ROLES else event.role


def rows(found: tuple[EntryHistory, ...], labels: Labels, *, may_void: bool) -> list[HistoryRow]:
    """The history table, newest change first."""
    out = []
    for h in found:
        written = next((e for e in h.events if e.action in ("record", "import")), None)
        voided = next((e for e in reversed(h.events) if e.action == "void"), None) if h.voided else None
        out.append(
            HistoryRow(
                h.kind,
                h.entry.id,
                labels._(KIND_NAMES.get(h.kind, h.kind)),
                describe(h.entry, labels),
                _when(h.entry),
                written,
                h.updated_at,
                voided,
                may_void and not h.voided and h.kind in VOIDABLE,
                _role(written, labels),
                labels._(ACTIONS[written.action]) if written and written.action in ACTIONS else "",
            )
        )
    return out


def authors(found: list[HistoryRow], moment: Callable[[datetime], str]) -> dict[str, str]:
    """Entry id -> "user (role), time" of its first write, for the timeline's table."""
    return {
        r.entry_id: f"{r.written.user} ({r.written_role}), {moment(r.written.at)}"
        for r in found
        if r.written is not None
    }
