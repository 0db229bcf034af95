"""The product writes its own words: no run of seven words copied from the source leaflets; patient texts stay short."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from cnopad.knowledge import KnowledgeBase
from conftest import ROOT

SEEDS = ROOT.parent / "shared" / "seeds"
#: hashes of every 7-word run of the leaflets (tools/source_shingles.py), for checkouts without ../shared
FINGERPRINTS = ROOT / "tests" / "fixtures" / "source_shingles.txt"
RUN = 7


def _hash(run: tuple[str, ...]) -> str:
    return hashlib.sha256(" ".join(run).encode("utf-8")).hexdigest()[:16]


def _source_runs() -> set[str]:
    """Hashed 7-word runs of the leaflets: from the leaflets themselves when present, else the fingerprints."""
    if SEEDS.exists():
        seed = _words(" ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))))
        runs = {_hash(tuple(seed[i : i + RUN])) for i in range(len(seed) - RUN + 1)}
        assert runs == set(FINGERPRINTS.read_text(encoding="utf-8").split()), "run tools/source_shingles.py"
        return runs
    return set(FINGERPRINTS.read_text(encoding="utf-8").split())


def _words(text: str) -> list[str]:
    return re.findall(r"[a-zà-ÿ0-9]+", text.lower())


def _product_dutch(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    """(where, Dutch text) for every piece of wording the product shows."""
    for rule in kb.rules:
        parts = [rule.summary, rule.detail, *(n for n in rule.notes.values())]
        parts += [i.text for i in rule.items if i.text] + ([rule.inference] if rule.inference else [])
        for part in parts:
            yield f"rule {rule.id}", part.nl
    for text in kb.texts.texts:
        yield f"text {text.id}", text.body.nl
    for schedule in kb.schedules.schedules:
        for note in schedule.notes.values():
            yield f"task {schedule.kind}", note.nl
    for side in (kb.step_plan.adult, kb.step_plan.child):
        for line in (side.always, *side.reasons.values(), *side.prerequisites.values()):
            yield "step plan", line.text.nl
    for document in kb.sources.documents.values():
        yield f"document {document.id}", document.disclaimer.text.nl


def test_no_run_of_seven_words_is_copied_from_the_source_leaflets(kb: KnowledgeBase) -> None:
    runs = _source_runs()
    copied = []
    for where, text in _product_dutch(kb):
        words = _words(text)
        copied += [
            f"{where}: {' '.join(words[i : i + RUN])}"
            for i in range(len(words) - RUN + 1)
            if _hash(tuple(words[i : i + RUN])) in runs
        ]
    assert not copied, "wording copied from the sources:\n" + "\n".join(copied)


def test_patient_and_parent_texts_use_short_sentences_for_b1_readers(kb: KnowledgeBase) -> None:
    """A proxy for B1 reading level: on average at most 14 words per sentence, none longer than 24."""
    too_long = []
    for text in kb.texts.texts:
        if text.audience.value == "clinician":
            continue
        for lang in ("nl", "en"):
            sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.body.get(lang).strip()) if s]
            lengths = [len(s.split()) for s in sentences]
            if sum(lengths) / len(lengths) > 14 or max(lengths) > 24:
                too_long.append(f"{text.id} ({lang}): mean {sum(lengths) / len(lengths):.1f}, max {max(lengths)}")
    assert not too_long, too_long


def test_child_texts_never_present_pet_or_anti_tnf_as_settled(kb: KnowledgeBase) -> None:
    for text in kb.texts.texts:
        if text.scope.value != "child":
            continue
        body = text.body.en.lower()
        if "pet" in _words(body) or "anti-tnf" in body:
            assert "open question" in body, text.id
