"""The sources' diagnostic path as steps (issue 13): done steps with date and result, the rest as suggestions.

Adults follow the NHG leaflet (who diagnoses, which imaging, what lab results mean, expertise centre, patient
association); children the CRMO parent information (exclusion work-up, imaging, when a biopsy is and is not
needed). A step not yet done that names a concept offers a draft FHIR ServiceRequest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from cnopad.domain import CareRole, Concept, ImagingResult, Observation, Quantity
from cnopad.engine.cards import LANGS
from cnopad.engine.compiled import per_knowledge_base
from cnopad.engine.criteria.result import PathStepResult, StepState
from cnopad.engine.indexing import TESTS
from cnopad.engine.predicates.diagnosis import lesion_picture, typical_course_since
from cnopad.engine.suggestions import Offer, offer, suggestion
from cnopad.engine.uuids import uuid5
from cnopad.engine.view import RecordView
from cnopad.errors import KnowledgeBaseError
from cnopad.knowledge.base import KnowledgeBase
from cnopad.knowledge.criteria import PathStep

#: the rule whose parameters decide when a biopsy may be avoided (CRMO-DX-NO-BIOPSY-1), so both agree
_NO_BIOPSY_RULE = "child-biopsy-may-be-avoided"
_BIOPSY_RESULTS = (
    Concept.BIOPSY_CONSISTENT_WITH_CNO,
    Concept.BIOPSY_TUMOUR,
    Concept.BIOPSY_INFECTION,
    Concept.BIOPSY_NONSPECIFIC,
)


def path_card_id(patient_id: str) -> str:
    """The stable uuid of the diagnostic-path card of one patient (its suggestions derive from it)."""
    return uuid5(f"diagnostic-path|{patient_id}")


@dataclass(frozen=True, slots=True)
class _Step:
    """One path step with its fixed texts and offers per language."""

    model: PathStep
    imaging: frozenset[Concept]
    roles: frozenset[CareRole]
    text: Mapping[str, str]
    offers: Mapping[str, tuple[Offer, ...]]  # draft ServiceRequests, fixed apart from the patient
    tests: frozenset[Concept]  # a results step's tests (done_when.concepts); empty for other kinds
    #: the result of a step not done that offers nothing, per language and state: the same for every patient
    plain: dict[tuple[str, StepState], PathStepResult] = field(default_factory=dict, compare=False)


class _Path:
    """The diagnostic path of a knowledge base, compiled once: step texts, state labels and offers per language."""

    __slots__ = ("adult", "child", "labels")

    def __init__(self, kb: KnowledgeBase) -> None:
        book = kb.criteria.path
        self.labels = {lang: {StepState(name): text.get(lang) for name, text in book.states.items()} for lang in LANGS}
        self.adult = tuple(_compile(kb, step) for step in book.adult)
        self.child = tuple(_compile(kb, step) for step in book.child)


def _compile(kb: KnowledgeBase, step: PathStep) -> _Step:
    suggested = [(s, kb.valuesets.coding_for(s.concept)) for s in step.suggest]
    offers = {
        lang: tuple(
            offer(f"{step.id}:{s.concept.value}", "ServiceRequest", coding, s.label.get(lang))
            for s, coding in suggested
        )
        for lang in LANGS
    }
    text = {lang: step.text.get(lang) for lang in LANGS}
    tests = frozenset(step.done_when.concepts) if step.kind == "results" else frozenset()
    if not tests <= TESTS:
        # _lab_results first asks the view's index, which holds a test's observation (even one recorded absent)
        # only for the concepts of indexing.TESTS
        msg = f"knowledge/diagnostic_path: step {step.id}: {sorted(tests - TESTS)} are not indexed as tests"
        raise KnowledgeBaseError(msg)
    return _Step(step, frozenset(step.done_when.imaging), frozenset(step.done_when.roles), text, offers, tests)


_compiled_path = per_knowledge_base(_Path)


def diagnostic_path(v: RecordView, kb: KnowledgeBase, lang: str) -> tuple[PathStepResult, ...]:
    """Every step of the patient's path (adult or child) with its state on ``as_of``."""
    path = _compiled_path(kb)
    labels = path.labels[lang]
    card_id = path_card_id(v.patient_id)
    return tuple([_step(v, kb, step, card_id, labels, lang) for step in (path.adult if v.adult else path.child)])


def _step(
    v: RecordView, kb: KnowledgeBase, step: _Step, card_id: str, labels: Mapping[StepState, str], lang: str
) -> PathStepResult:
    model = step.model
    kind = model.kind
    done = _done(v, kb, step, lang)
    if done is not None:
        day, result, evidence = done
        # a note stays a note; the record shows what it is about
        state = StepState.NOTE if kind == "note" else StepState.DONE
    else:
        day, result, evidence = None, None, ()
        if kind == "note":
            state = StepState.NOTE
        elif kind == "biopsy":
            state = _biopsy_state(v, kb)
        else:
            state = StepState.TODO
    offers = step.offers[lang] if state in (StepState.TODO, StepState.NEEDED) else ()
    if done is None and not offers:
        plain = step.plain.get((lang, state))
        if plain is None:
            plain = step.plain[lang, state] = PathStepResult(
                model.id, model.kind, state, labels[state], step.text[lang], model.statements
            )
        return plain
    return PathStepResult(
        id=model.id,
        kind=model.kind,
        state=state,
        state_label=labels[state],
        text=step.text[lang],
        statements=model.statements,
        done_on=day,
        result=result,
        evidence=evidence,
        suggestions=tuple([suggestion(card_id, o, v) for o in offers]),
    )


def _done(
    v: RecordView, kb: KnowledgeBase, step: _Step, lang: str
) -> tuple[date | None, str | None, tuple[str, ...]] | None:
    when = step.model.done_when
    titles = kb.valuesets
    if step.model.kind == "results":
        return _lab_results(v, when.concepts, step.tests, kb, lang)
    if step.imaging:
        # the latest matching study (the view lists imaging by date): scan from the end, no list, no set per study
        for last in reversed(v.imaging):
            if not step.imaging.isdisjoint(last.concepts):
                return last.performed, _imaging_text(last, kb, lang), (last.id,)
    for concept in when.concepts:
        found = v.events.get(concept)
        if found:
            day, entry = found[-1]
            result = None
            if concept is Concept.BONE_BIOPSY:
                results = [
                    titles.title(c, lang) for c in _BIOPSY_RESULTS if any(e == entry for _, e in v.events.get(c, ()))
                ]
                result = ", ".join(results) or None
            return day, result, (entry,)
    for concept in when.referrals:
        referrals = v.referred.get(concept)
        if referrals:
            last_referral = max(referrals, key=lambda r: (r.authored or date.min, r.id))
            return last_referral.authored, titles.title(concept, lang), (last_referral.id,)
    members = [m for m in v.team if m.roles & step.roles] if step.roles else []
    if members:
        return members[0].start, members[0].organization or members[0].name, (members[0].id,)
    return None


def _lab_results(
    v: RecordView, concepts: tuple[Concept, ...], tests: frozenset[Concept], kb: KnowledgeBase, lang: str
) -> tuple[date | None, str | None, tuple[str, ...]] | None:
    """The latest result of each test (every observation of its latest day, by its own display), newest date."""
    events = v.events  # the view indexes every test observation on or before as_of (indexing.TESTS, _compile)
    for concept in concepts:
        if concept in events:
            break
    else:
        return None  # none of the tests on record: no need to scan the observations
    parts: list[str] = []
    evidence: list[str] = []
    last: date | None = None
    observed = _observed(v, tests)
    for concept in concepts:
        found = observed.get(concept)
        if not found:
            continue
        day = max(o.effective or date.min for o in found)
        for o in sorted((o for o in found if o.effective == day), key=lambda x: x.id):
            if o.id in evidence:
                continue
            name = next((c.display for c in o.codings if c.display), None) or kb.valuesets.title(concept, lang)
            parts.append(f"{name} {_value(o)} ({day.isoformat()})")
            evidence.append(o.id)
        last = day if last is None or day > last else last
    return (last, "; ".join(parts), tuple(evidence)) if parts else None


def _observed(v: RecordView, tests: frozenset[Concept]) -> dict[Concept, list[Observation]]:
    """The observations of these tests dated on or before ``as_of``, by test, in record order (one pass for all the
    tests; the path asks once per patient, and only for a few tests, so other concepts are not listed)."""
    out: dict[Concept, list[Observation]] = {}
    as_of = v.as_of
    for o in v.record.observations:
        if o.effective and o.effective <= as_of and not tests.isdisjoint(o.concepts):
            for concept in o.concepts & tests:
                found = out.get(concept)
                if found is None:
                    out[concept] = [o]
                else:
                    found.append(o)
    return out


def _value(o: Observation) -> str:
    value = o.value
    if isinstance(value, Quantity):
        return f"{value.value} {value.unit or ''}".strip()
    return "-" if value is None else str(value)


def _imaging_text(study: ImagingResult, kb: KnowledgeBase, lang: str) -> str:
    modality = ", ".join(sorted(kb.valuesets.title(c, lang) for c in study.concepts if c is not Concept.IMAGING))
    findings = ", ".join(sorted(kb.valuesets.title(c, lang) for c in study.findings))
    return f"{modality}: {findings}" if findings else modality


def _biopsy_state(v: RecordView, kb: KnowledgeBase) -> StepState:
    """Needed with one lesion or a tumour not excluded; may be avoided with the typical course; else consider."""
    count, _ = lesion_picture(v)
    if count == 1 or v.has(Concept.TUMOUR_NOT_EXCLUDED):
        return StepState.NEEDED
    rule = kb.rules.by_id.get(_NO_BIOPSY_RULE)
    if rule is not None and typical_course_since(v, rule.params) is not None:
        return StepState.MAY_BE_AVOIDED
    return StepState.CONSIDER
