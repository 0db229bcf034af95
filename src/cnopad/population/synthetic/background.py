"""Background records for every synthetic person, drawn with vectorised NumPy (one chunk at a time).

Common complaints, infections, short NSAID and antibiotic courses, some CRP and haemoglobin results, chest
X-rays and routine notes. The rates make a plausible-looking practice; they are invented for testing and
claim nothing about real prevalence. A few background records happen to match the score (a chest
complaint, an osteoarthritis label), as in real data.
"""

from __future__ import annotations

import numpy as np

from cnopad.population.synthetic import notes
from cnopad.population.synthetic.dates import END, START
from cnopad.population.synthetic.tables import Batch
from cnopad.population.synthetic.vocabulary import Vocabulary

#: (source concept key, standard concept key, relative weight); None means concept id 0
CONDITIONS: tuple[tuple[str | None, str | None, float], ...] = (
    (None, "sct_pharyngitis", 18),
    (None, "sct_sinusitis", 12),
    (None, "sct_otitis", 8),
    (None, "sct_asthma", 5),
    ("icpc_headache", None, 12),
    ("icpc_low_back", None, 12),
    ("icpc_knee", None, 7),
    ("icpc_shoulder", None, 7),
    ("icpc_fever", None, 5),
    ("icpc_chest", None, 1.8),
    ("icpc_leg", None, 3),
    ("icpc_ankle", None, 2),
    ("icpc_arm", None, 1),
    ("icpc_oa", "sct_oa", 2),
    ("icpc_psoriasis", None, 0.25),
    ("icd_fibromyalgia", "sct_fibromyalgia", 0.3),
    ("icd_chest_pain", None, 0.3),
    ("icd_tietze", None, 0.1),
    ("icd_limb_pain", None, 0.3),
    ("icd_ppp", None, 0.03),
)
#: coded conditions per person over the 18-year window (a GP records a few episodes a year; kept lower
#: so a million persons stay a laptop-sized benchmark)
CONDITIONS_PER_PERSON = 10.0
#: ICPC complaints are sometimes stored in the observation table, as some ETLs do
OBSERVATION_SHARE = 0.05


def add_background(
    batch: Batch, rng: np.random.Generator, vocab: Vocabulary, person_id: np.ndarray, birth: np.ndarray
) -> None:
    """Draw the background records of one chunk of persons into ``batch``."""
    obs_start = np.maximum(birth, START)
    _conditions(batch, rng, vocab, person_id, birth, obs_start)
    _drugs(batch, rng, vocab, person_id, obs_start)
    _measurements(batch, rng, vocab, person_id, obs_start)
    who = rng.random(person_id.size) < 0.05
    batch.add(
        "procedure_occurrence",
        person_id=person_id[who],
        procedure_concept_id=np.full(who.sum(), vocab.id("sct_xray_chest")),
        procedure_date=_day_in(rng, obs_start[who]),
    )
    idx = np.repeat(np.arange(person_id.size), rng.poisson(0.5, person_id.size))
    batch.add(
        "note",
        person_id=person_id[idx],
        note_date=_day_in(rng, obs_start[idx]),
        note_title="Consult",
        note_text=[notes.ROUTINE[i] for i in rng.integers(0, len(notes.ROUTINE), idx.size)],
    )


def _day_in(rng: np.random.Generator, start: np.ndarray) -> np.ndarray:
    day: np.ndarray = start + (rng.random(start.size) * (END - start)).astype(np.int64)
    return day


def _conditions(
    batch: Batch, rng: np.random.Generator, vocab: Vocabulary, pid: np.ndarray, birth: np.ndarray, obs_start: np.ndarray
) -> None:
    counts = rng.poisson(CONDITIONS_PER_PERSON, pid.size)
    idx = np.repeat(np.arange(pid.size), counts)
    day = _day_in(rng, obs_start[idx])
    weights = np.array([w for *_, w in CONDITIONS])
    pick = rng.choice(len(CONDITIONS), size=idx.size, p=weights / weights.sum())
    src = np.array([vocab.id(s) if s else 0 for s, _, _ in CONDITIONS], dtype=np.int64)[pick]
    std = np.array([vocab.id(s) if s else 0 for _, s, _ in CONDITIONS], dtype=np.int64)[pick]
    # osteoarthritis and fibromyalgia before 40 would look odd: those draws become a sore throat
    young = (day - birth[idx]) < 40 * 365
    late = np.isin(src, [vocab.id("icpc_oa"), vocab.id("icd_fibromyalgia")]) & young
    src[late], std[late] = 0, vocab.id("sct_pharyngitis")
    icpc = np.isin(src, [vocab.id(k) for k, *_ in CONDITIONS if k and k.startswith("icpc_")])
    as_obs = icpc & (rng.random(idx.size) < OBSERVATION_SHARE)
    keep = ~as_obs
    batch.add(
        "condition_occurrence",
        person_id=pid[idx][keep],
        condition_concept_id=std[keep],
        condition_source_concept_id=src[keep],
        condition_start_date=day[keep],
    )
    batch.add(
        "observation",
        person_id=pid[idx][as_obs],
        observation_concept_id=std[as_obs],
        observation_source_concept_id=src[as_obs],
        observation_date=day[as_obs],
    )


def _drugs(batch: Batch, rng: np.random.Generator, vocab: Vocabulary, pid: np.ndarray, obs_start: np.ndarray) -> None:
    for keys, share, low, high in (
        (("ibuprofen", "naproxen"), 0.25, 5, 22),
        (("amoxicillin", "cefuroxime"), 0.40, 5, 11),
        (("paracetamol",), 0.20, 3, 15),
    ):
        who = np.flatnonzero(rng.random(pid.size) < share)
        courses = rng.integers(1, 5, who.size)
        idx = np.repeat(who, courses)
        start = _day_in(rng, obs_start[idx])
        length = rng.integers(low, high, idx.size)
        product = np.array([vocab.drug(k) for k in keys])[rng.integers(0, len(keys), idx.size)]
        batch.add(
            "drug_exposure",
            person_id=pid[idx],
            drug_concept_id=product,
            drug_exposure_start_date=start,
            drug_exposure_end_date=np.minimum(start + length - 1, END),
            days_supply=length.astype(np.int32),
        )


def _measurements(
    batch: Batch, rng: np.random.Generator, vocab: Vocabulary, pid: np.ndarray, obs_start: np.ndarray
) -> None:
    who = np.flatnonzero(rng.random(pid.size) < 0.20)
    idx = np.repeat(who, rng.integers(1, 5, who.size))
    value = np.round(rng.lognormal(1.0, 1.1, idx.size), 1)
    in_dl = rng.random(idx.size) < 0.10
    batch.add(
        "measurement",
        person_id=pid[idx],
        measurement_concept_id=vocab.id("loinc_crp"),
        measurement_date=_day_in(rng, obs_start[idx]),
        value_as_number=np.where(in_dl, np.round(value / 10, 2), value),
        unit_concept_id=np.where(in_dl, vocab.id("ucum_mg_dl"), vocab.id("ucum_mg_l")),
    )
    who = np.flatnonzero(rng.random(pid.size) < 0.20)
    batch.add(
        "measurement",
        person_id=pid[who],
        measurement_concept_id=vocab.id("loinc_hb"),
        measurement_date=_day_in(rng, obs_start[who]),
        value_as_number=np.round(rng.normal(13.5, 1.2, who.size), 1),
        unit_concept_id=vocab.id("ucum_g_dl"),
    )
