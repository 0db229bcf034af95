"""Planted cases and look-alikes of the synthetic population, drawn person by person.

Planted undiagnosed CNO-SCCH (adults) and CRMO (children) follow the patterns the sources describe
(years of chest wall complaints relabelled as Tietze, osteoarthritis or fibromyalgia; children's bone pain
at several sites treated with antibiotics), with shares chosen so that some planted cases stay below the
threshold. Look-alikes (true Tietze, osteoarthritis, bacterial osteomyelitis) share part of the pattern.
Every share here is invented for testing, not a clinical estimate. Truth is returned apart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cnopad.population.synthetic import notes
from cnopad.population.synthetic.dates import END, START
from cnopad.population.synthetic.tables import Batch
from cnopad.population.synthetic.vocabulary import Vocabulary

YEAR = 365
#: columns holding text, handed on as lists (NumPy would make None a string-less object array)
_TEXT_COLUMNS = frozenset({"note_text", "note_title", "condition_source_value"})
#: how a clinician writes a limb complaint's place in the condition text: ICPC site -> Dutch phrases ({side})
SITE_TEXTS: dict[str, tuple[str, ...]] = {
    "icpc_leg": ("pijn {side} onderbeen", "pijn {side} bovenbeen", "botpijn tibia {short}"),
    "icpc_knee": ("pijn {side} knie",),
    "icpc_ankle": ("pijn {side} enkelgewricht",),
    "icpc_wrist": ("pijn {side} polsgewricht",),
    "icpc_arm": ("pijn {side} onderarm", "pijn {side} bovenarm"),
    "icpc_hip": ("pijn {side} heup",),
}
#: the bones osteomyelitis is written at in a WHO ICD-10 code's text (the code itself names no site)
OM_BONES = ("tibia", "femur", "fibula", "humerus", "calcaneus", "clavicula")
#: share of planted cases that get diagnosed after their pattern (invented for testing)
DIAGNOSED_LATER = 0.5


@dataclass
class Rows:
    """Rows of special persons, collected as Python lists and handed to the chunk's Batch once."""

    vocab: Vocabulary
    rng: np.random.Generator
    data: dict[str, dict[str, list[Any]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))

    def _row(self, table: str, **values: Any) -> None:
        for k, v in values.items():
            self.data[table][k].append(v)

    def condition(
        self, pid: int, day: int, src: str | None = None, std: str | None = None, *, text: str | None = None
    ) -> None:
        """A condition, coded with a source and/or a standard concept, with the clinician's text when given."""
        if not START <= day <= END:
            return
        ids = {"src": self.vocab.id(src) if src else 0, "std": self.vocab.id(std) if std else 0}
        self._row(
            "condition_occurrence",
            person_id=pid,
            condition_start_date=day,
            condition_source_concept_id=ids["src"],
            condition_concept_id=ids["std"],
            condition_source_value=text,
        )

    def drug(self, pid: int, day: int, key: str, days: int, *, atc_source: bool = False) -> None:
        """A drug exposure of ``days`` days (the ATC code as source concept when ``atc_source``)."""
        if not START <= day <= END:
            return
        self._row(
            "drug_exposure",
            person_id=pid,
            drug_concept_id=self.vocab.drug(key),
            drug_source_concept_id=self.vocab.atc5[key] if atc_source else 0,
            drug_exposure_start_date=day,
            drug_exposure_end_date=min(day + days - 1, END),
            days_supply=days,
        )

    def measurement(
        self,
        pid: int,
        day: int,
        key: str,
        *,
        value: float | None = None,
        unit: str | None = None,
        result: str | None = None,
    ) -> None:
        """A measurement with a number and unit, or a coded result."""
        if not START <= day <= END:
            return
        self._row(
            "measurement",
            person_id=pid,
            measurement_date=day,
            measurement_concept_id=self.vocab.id(key),
            value_as_number=value,
            unit_concept_id=self.vocab.id(unit) if unit else 0,
            value_as_concept_id=self.vocab.id(result) if result else None,
        )

    def procedure(self, pid: int, day: int, key: str) -> None:
        """A procedure."""
        if START <= day <= END:
            self._row(
                "procedure_occurrence", person_id=pid, procedure_date=day, procedure_concept_id=self.vocab.id(key)
            )

    def note(self, pid: int, day: int, texts: tuple[str, ...]) -> None:
        """A note with one of ``texts``."""
        if START <= day <= END:
            text = texts[int(self.rng.integers(0, len(texts)))]
            self._row("note", person_id=pid, note_date=day, note_title="Consult", note_text=text)

    def flush(self, batch: Batch) -> None:
        """Hand the collected rows to the chunk's batch."""
        for table, columns in self.data.items():
            batch.add(table, **{k: v if k in _TEXT_COLUMNS else np.array(v) for k, v in columns.items()})


def _diagnosed_later(r: Rows, pid: int, after: int, delay: tuple[int, int]) -> int | None:
    """Half the planted cases get diagnosed ``delay`` days after their pattern: the day, coded when in the window.

    The code (M86.3) is written only when the day falls inside the data window; the truth keeps the day
    either way, so a replay can measure lead time. Shares and delays are invented for testing.
    """
    if r.rng.random() >= DIAGNOSED_LATER:
        return None
    when = after + int(r.rng.integers(*delay))
    r.condition(pid, when, src="icd_cmo")
    return when


def planted_adult(r: Rows, pid: int, onset: int) -> int | None:
    """Undiagnosed CNO-SCCH: recurring chest wall complaints, earlier labels, NSAIDs, sometimes skin disease."""
    return _diagnosed_later(r, pid, onset + _adult_pattern(r, pid, onset), (180, 4 * YEAR))


def _adult_pattern(r: Rows, pid: int, onset: int) -> int:
    """The records of an undiagnosed adult; returns how many days the pattern spans."""
    g = r.rng
    span = int(g.integers(120, 5 * YEAR)) if g.random() > 0.10 else int(g.integers(0, 60))
    visits = sorted({onset, onset + span, *(onset + int(x) for x in g.integers(0, span + 1, int(g.integers(0, 4))))})
    for d in visits:
        r.condition(pid, d, src="icpc_chest" if g.random() < 0.8 else "icd_chest_pain")
    _earlier_labels(r, pid, onset + int(g.integers(0, span + 1)))
    long_nsaid = g.random() < 0.8
    for i in range(int(g.integers(3, 8)) if long_nsaid else 1):
        days = int(g.integers(20, 60)) if long_nsaid else 10
        r.drug(pid, onset + i * 75, "naproxen" if i % 2 else "ibuprofen", days, atc_source=g.random() < 0.2)
    _adult_skin(r, pid, onset, span)
    if g.random() < 0.40:
        r.procedure(pid, onset + int(g.integers(0, span + 1)), "sct_xray_clavicle")
    if g.random() < 0.70:
        for k in range(int(g.integers(1, 4))):
            value = float(np.round(g.lognormal(1.5, 0.8), 1)) if g.random() > 0.05 else float(g.integers(60, 90))
            r.measurement(pid, onset + k * 90, "loinc_crp", value=value, unit="ucum_mg_l")
    if g.random() < 0.30:
        r.note(pid, onset + int(g.integers(0, span + 1)), notes.ADULT_CASE)
    return span + 60


def _earlier_labels(r: Rows, pid: int, day: int) -> None:
    """The labels an adult with CNO-SCCH often gets first: Tietze/costochondritis, osteoarthritis, fibromyalgia."""
    g = r.rng
    if g.random() < 0.55:
        r.condition(pid, day, *(("icd_tietze", None) if g.random() < 0.6 else (None, "sct_costochondritis")))
    if g.random() < 0.30:
        r.condition(pid, day + 30, src="icpc_oa", std="sct_oa")
    if g.random() < 0.25:
        r.condition(pid, day + 60, src="icd_fibromyalgia", std="sct_fibromyalgia")


def _adult_skin(r: Rows, pid: int, onset: int, span: int) -> None:
    """Palmoplantar pustulosis (coded or only in a note), severe acne, psoriasis."""
    g = r.rng
    if g.random() < 0.35:
        if g.random() < 0.6:
            r.condition(pid, onset + int(g.integers(-YEAR, span + 1)), src="icd_ppp")
        else:
            r.note(pid, onset + int(g.integers(0, span + 1)), (notes.ADULT_CASE[4],))
    if g.random() < 0.05:
        r.condition(pid, onset + 200, src="icd_acne_conglobata")
    if g.random() < 0.08:
        r.condition(pid, onset + 300, src="icpc_psoriasis")


def planted_child(r: Rows, pid: int, onset: int) -> int | None:
    """Undiagnosed CRMO: bone pain at several sites over months, osteomyelitis treated with antibiotics."""
    return _diagnosed_later(r, pid, onset + _child_pattern(r, pid, onset), (90, 3 * YEAR))


def _child_pattern(r: Rows, pid: int, onset: int) -> int:
    """The records of an undiagnosed child; returns how many days the pattern spans."""
    g = r.rng
    last = 0
    span = int(g.integers(60, 700))
    chosen = _child_complaints(r, pid, onset, span)
    if g.random() < 0.15:
        r.condition(pid, onset + 30, src="icd_limb_pain")
    om_day = onset + int(g.integers(0, 60))
    if g.random() < 0.60:
        _child_osteomyelitis(r, pid, om_day)
    if g.random() < 0.55:
        last = _antibiotics_without_improvement(r, pid, om_day, chosen[0]) - onset
    if g.random() < 0.6:
        # NSAIDs for the bone pain, from the GP or the paediatrician (CRMO's first treatment)
        for i in range(int(g.integers(2, 6))):
            r.drug(pid, onset + 20 + i * 45, "ibuprofen" if i % 2 else "naproxen", int(g.integers(14, 35)))
    if g.random() < 0.15:
        r.condition(pid, onset + 100, src="icd_ppp" if g.random() < 0.5 else "icpc_psoriasis")
    if g.random() < 0.80:
        for k in range(int(g.integers(1, 3))):
            r.measurement(pid, onset + k * 60, "loinc_crp", value=float(g.integers(2, 40)), unit="ucum_mg_l")
    if g.random() < 0.25:
        r.note(pid, onset + int(g.integers(0, span + 1)), notes.CHILD_CASE)
    return max(span, last)


def _child_complaints(r: Rows, pid: int, onset: int, span: int) -> list[str]:
    """Limb complaints at one to three sites over ``span`` days; returns the ICPC sites chosen."""
    g = r.rng
    sites = ["icpc_leg", "icpc_knee", "icpc_ankle", "icpc_wrist", "icpc_arm", "icpc_hip"]
    chosen = [str(x) for x in g.choice(sites, size=int(g.integers(1, 4)), replace=False)]
    sides = {s: bool(g.random() < 0.5) for s in chosen}
    # some GPs code "pain in limb" (M79.6, no site) and write the place in the text: the site is only in text
    text_only = g.random() < 0.30
    for i in range(int(g.integers(3, 8))):
        day = onset + int(g.integers(0, span + 1)) if i else onset
        site = chosen[i % len(chosen)]
        if text_only:
            r.condition(pid, day, src="icd_limb_pain", text=_site_text(g, site, left=sides[site]))
        else:
            r.condition(pid, day, src=site)
    if g.random() < 0.20:
        # a specialist's letter naming the places of the bone pain (sometimes both sides)
        r.note(pid, onset + int(g.integers(0, span + 1)), notes.CHILD_SITES)
    return chosen


def _antibiotics_without_improvement(r: Rows, pid: int, day: int, site: str) -> int:
    """A long antibiotic course, then a sign it did not help: the complaint again, or the bone imaged again
    (a note on a repeat MRI, or an X-ray of the clavicle); sometimes a note says so. Returns the last day."""
    g = r.rng
    total = 0
    while total < int(g.integers(28, 60)):
        length = int(g.integers(10, 22))
        r.drug(pid, day, "amoxicillin" if total == 0 else "cefuroxime", length)
        total += length
        day += length
    again = day + int(g.integers(35, 200))
    sign = g.random()
    if sign < 0.60:
        r.condition(pid, again, src=site)
    elif sign < 0.90:
        if g.random() < 0.8:
            r.note(pid, again, notes.CHILD_REPEAT_IMAGING)
        else:
            r.procedure(pid, again, "sct_xray_clavicle")
    if g.random() < 0.3:
        r.note(pid, day + int(g.integers(0, 60)), notes.CHILD_NO_IMPROVEMENT)
    return again


def _site_text(g: np.random.Generator, site: str, *, left: bool) -> str:
    """The condition text a clinician writes for a limb complaint at ``site`` (Dutch, with the side)."""
    phrases = SITE_TEXTS[site]
    phrase = phrases[int(g.integers(0, len(phrases)))]
    return phrase.format(side="linker" if left else "rechter", short="li" if left else "re")


def _child_osteomyelitis(r: Rows, pid: int, day: int) -> None:
    """Osteomyelitis coded (sometimes again months later), with negative blood cultures."""
    g = r.rng
    # half the codes carry the bone and side in their text (WHO ICD-10 has no site characters)
    bones = [str(b) for b in g.choice(OM_BONES, size=2, replace=False)]
    texts = [
        f"osteomyelitis {b} {'links' if g.random() < 0.5 else 'rechts'}" if g.random() < 0.5 else None for b in bones
    ]
    r.condition(pid, day, src="icd_other_acute_om" if g.random() < 0.5 else "icd_om_unspecified", text=texts[0])
    if g.random() < 0.3:
        r.condition(pid, day + int(g.integers(200, 500)), src="icd_om_unspecified", text=texts[1])
    if g.random() < 0.7:
        for k in range(int(g.integers(1, 3))):
            result = "sct_no_growth" if g.random() < 0.5 else "sct_negative"
            r.measurement(pid, day + k, "loinc_blood_culture", result=result)
    elif g.random() < 0.5:
        r.note(pid, day + int(g.integers(2, 10)), notes.CHILD_CULTURE)


def diagnosed(r: Rows, pid: int, onset: int) -> int | None:
    """An adult whose CNO is already coded (M86.3): reported apart, never ranked."""
    _adult_pattern(r, pid, onset)
    when = onset + int(r.rng.integers(YEAR, 4 * YEAR))
    r.condition(pid, when, src="icd_cmo")
    return when


def lookalike_tietze(r: Rows, pid: int, onset: int) -> None:
    """True Tietze: a short episode of costochondral pain, sometimes one recurrence."""
    g = r.rng
    r.condition(pid, onset, src="icpc_chest")
    r.condition(
        pid,
        onset + int(g.integers(0, 45)),
        *(("icd_tietze", None) if g.random() < 0.6 else (None, "sct_costochondritis")),
    )
    r.drug(pid, onset, "ibuprofen", int(g.integers(7, 15)))
    if g.random() < 0.10:
        r.condition(pid, onset + int(g.integers(120, 3 * YEAR)), src="icpc_chest")
    if g.random() < 0.40:
        r.measurement(pid, onset, "loinc_crp", value=float(g.integers(1, 12)), unit="ucum_mg_l")
    if g.random() < 0.25:
        r.note(pid, onset, notes.TIETZE)


def lookalike_osteoarthritis(r: Rows, pid: int, onset: int) -> None:
    """Osteoarthritis of knee, hip or shoulder with long NSAID use; now and then a chest complaint."""
    g = r.rng
    r.condition(pid, onset, src="icpc_oa", std="sct_oa")
    r.condition(pid, onset + 40, src="icd_oa_knee", std="sct_oa")
    for d in range(int(g.integers(2, 6))):
        r.condition(pid, onset + d * 120, src=str(g.choice(["icpc_knee", "icpc_hip", "icpc_shoulder"])))
    if g.random() < 0.6:
        for i in range(int(g.integers(3, 8))):
            r.drug(pid, onset + i * 60, "naproxen", int(g.integers(20, 50)))
    if g.random() < 0.5:
        r.measurement(pid, onset, "loinc_crp", value=float(g.integers(1, 15)), unit="ucum_mg_l")
    if g.random() < 0.08:
        r.condition(pid, onset + int(g.integers(0, 2 * YEAR)), src="icpc_chest")
    if g.random() < 0.02:
        r.condition(pid, onset + int(g.integers(100, YEAR)), src="icpc_chest")
        r.condition(pid, onset + int(g.integers(2 * YEAR, 3 * YEAR)), src="icpc_chest")
    if g.random() < 0.15:
        r.note(pid, onset, notes.OSTEOARTHRITIS)
    if g.random() < 0.05:
        r.note(pid, onset + int(g.integers(0, YEAR)), notes.NEGATED_SITES)


def lookalike_bacterial_om(r: Rows, pid: int, onset: int) -> None:
    """A child with bacterial osteomyelitis: high CRP, positive culture, 4 to 8 weeks of antibiotics, recovery."""
    g = r.rng
    site = str(g.choice(["icpc_leg", "icpc_knee", "icpc_ankle", "icpc_arm"]))
    r.condition(pid, onset - int(g.integers(1, 10)), src=site)
    # one bone on one side, sometimes written in the codes' text: one place, however often it is coded
    text = (
        f"osteomyelitis {g.choice(OM_BONES)} {'links' if g.random() < 0.5 else 'rechts'}" if g.random() < 0.5 else None
    )
    r.condition(pid, onset, src="icd_acute_om" if g.random() < 0.6 else "icd_other_acute_om", text=text)
    r.condition(pid, onset + int(g.integers(10, 30)), src="icd_acute_om", text=text)
    r.measurement(
        pid,
        onset,
        "loinc_crp",
        value=float(g.integers(60, 200)) if g.random() < 0.9 else float(g.integers(20, 50)),
        unit="ucum_mg_l",
    )
    r.measurement(pid, onset, "loinc_blood_culture", result="sct_positive" if g.random() < 0.6 else "sct_no_growth")
    length = int(g.integers(28, 57))
    r.drug(pid, onset, "cefuroxime", length)
    if g.random() < 0.5:
        # pain relief during the infection, not after it
        r.drug(pid, onset, "ibuprofen", int(g.integers(5, 15)))
    if g.random() < 0.15:
        r.condition(pid, onset + length + int(g.integers(30, 90)), src=site)
    if g.random() < 0.30:
        r.note(pid, onset, notes.BACTERIAL_OM)
    if g.random() < 0.30:
        r.note(pid, onset + int(g.integers(0, 60)), notes.NEGATED_SITES)


@dataclass(frozen=True)
class Kind:
    """A kind of synthetic person: its truth label, share, age at onset and record maker."""

    label: str
    share: float
    onset_age: tuple[int, int]
    #: makes the person's records; returns the day of the diagnosis (None: not diagnosed)
    draw: Callable[[Rows, int, int], int | None]


KINDS: tuple[Kind, ...] = (
    Kind("cno_adult", 0.003, (25, 56), planted_adult),
    Kind("crmo_child", 0.0015, (6, 15), planted_child),
    Kind("diagnosed", 0.0005, (25, 56), diagnosed),
    Kind("lookalike_tietze", 0.004, (20, 70), lookalike_tietze),
    Kind("lookalike_osteoarthritis", 0.01, (50, 85), lookalike_osteoarthritis),
    Kind("lookalike_bacterial_osteomyelitis", 0.001, (3, 15), lookalike_bacterial_om),
)
#: the kinds a screen should find
PLANTED = ("cno_adult", "crmo_child")
#: the kinds that are true cases (planted, and already diagnosed in the data)
CASE_KINDS = (*PLANTED, "diagnosed")
