"""The medication step plan: current step, whether to escalate and why, prerequisites, and the history.

Adults follow the NHG leaflet (NSAID -> bisphosphonate -> TNF-alpha inhibitor, NHG-STEP-1); children
follow what the CRMO parent information states (NSAIDs first, stronger medication after), where
anti-TNF is an open question and never presented as the next step.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from cnopad.domain import CNO_MEDICATION, Concept
from cnopad.engine.assessment import Step, StepPeriod, StepPlan, Task, TaskStatus
from cnopad.engine.dates import add_months
from cnopad.engine.predicates.medication import course_never_given, first_start
from cnopad.engine.predicates.safety import bisphosphonate_current
from cnopad.engine.view import RecordView
from cnopad.knowledge.step_plan import StepLine, StepPlanSide, StepPlanWording

_RANK = {Step.NONE: 0, Step.NSAID: 1, Step.BISPHOSPHONATE: 2, Step.TNF: 3, Step.OTHER: 4}
_STEP_OF = {Concept.NSAID: Step.NSAID, Concept.BISPHOSPHONATE: Step.BISPHOSPHONATE, Concept.TNF_INHIBITOR: Step.TNF}


def _step(concepts: frozenset[Concept]) -> Step:
    for concept in (Concept.TNF_INHIBITOR, Concept.BISPHOSPHONATE, Concept.NSAID):
        if concept in concepts:
            return _STEP_OF[concept]
    return Step.OTHER


def current_step(v: RecordView) -> Step:
    """The highest step among the CNO drugs in use (a recent bisphosphonate infusion counts as in use)."""
    steps = {_step(m.concepts) for m in v.on_cno_medication()}
    if bisphosphonate_current(v):
        steps.add(Step.BISPHOSPHONATE)
    return max(steps, key=_RANK.__getitem__, default=Step.NONE)


_LABELS: dict[tuple[int, str], tuple[StepPlanWording, dict[str, str]]] = {}


def _labels(wording: StepPlanWording, lang: str) -> dict[str, str]:
    """Step labels in ``lang`` (Step is a StrEnum, so its members are the keys); computed once per wording."""
    found = _LABELS.get((id(wording), lang))
    if found is None or found[0] is not wording:
        found = _LABELS[(id(wording), lang)] = (
            wording,
            {step: text.get(lang) for step, text in wording.labels.items()},
        )
    return found[1]


def history(v: RecordView, labels: StepPlanWording, lang: str) -> tuple[StepPeriod, ...]:
    """One period per CNO drug ever taken, oldest first, for the timeline."""
    names = _labels(labels, lang)
    periods: dict[str, StepPeriod] = {}
    for concept in CNO_MEDICATION:
        for m in v.taken(concept):
            if m.id not in periods:
                step = _step(m.concepts)
                periods[m.id] = StepPeriod(step, m.id, m.text or names[step], m.start, m.end)
    infusions = v.events.get(Concept.BISPHOSPHONATE, [])
    if infusions and not v.taken(Concept.BISPHOSPHONATE):
        label = names["bisphosphonate"]
        periods["administrations"] = StepPeriod(
            Step.BISPHOSPHONATE, "administrations", label, infusions[0][0], infusions[-1][0]
        )
    return tuple(sorted(periods.values(), key=lambda s: (s.start or date.min, s.medication_id)))


class _Lines:
    """Collects the plan's reasons and prerequisites in one language with their statements."""

    def __init__(self, wording: StepPlanWording, side: StepPlanSide, lang: str) -> None:
        self.wording, self.side, self.lang = wording, side, lang
        self.reasons: list[str] = []
        self.prerequisites: list[str] = []
        self.statements: dict[str, None] = {}

    def _text(self, line: StepLine, values: dict[str, str]) -> str:
        self.statements.update(dict.fromkeys(line.statements))
        return line.text.get(self.lang).format(**values) if values else line.text.get(self.lang)

    def reason(self, key: str, **values: str) -> None:
        self.reasons.append(self._text(self.side.reasons[key], values))

    def prerequisite(self, key: str, done: date | None) -> None:
        state = self.wording.states["done" if done else "missing"].get(self.lang)
        months = self.wording.params["prerequisite_months"]
        state = state.format(date=done.isoformat()) if done else state.format(months=months)
        self.prerequisites.append(self._text(self.side.prerequisites[key], {"state": state}))

    def windows(self) -> None:
        """The evidence windows behind "insufficient effect" (step_plan.yaml params), said on the card."""
        self.reason("windows", **_windows(self.wording))

    def close(self) -> None:
        self.reasons.append(self._text(self.side.always, {}))


_WINDOWS: dict[int, tuple[StepPlanWording, dict[str, str]]] = {}


def _windows(wording: StepPlanWording) -> dict[str, str]:
    """The wording's params as text, for the "windows" reason: they do not depend on the patient (once per wording)."""
    found = _WINDOWS.get(id(wording))
    if found is None or found[0] is not wording:
        found = _WINDOWS[id(wording)] = (wording, {k: str(v) for k, v in wording.params.items()})
    return found[1]


#: the kinds of task that are a scheduled course of the current medication
COURSE_TASKS = frozenset({"pamidronate_course"})


def _hold(v: RecordView, lines: _Lines, tasks: Sequence[Task]) -> bool:
    """True (and the reason said) when a scheduled course is overdue, or no course of a scheduled drug is on
    record since its start: whether the drug works too little cannot be judged, so no next step is suggested."""
    overdue = sorted(t.due for t in tasks if t.kind in COURSE_TASKS and t.status is TaskStatus.OVERDUE)
    if overdue:
        lines.reason("course_overdue", due=overdue[0].isoformat())
        return True
    unknown = course_never_given(v)
    if unknown is not None:
        # never the record's internal id: without a text or display, the drug is named by its step ("bisfosfonaat")
        named = unknown.text or next((c.display for c in unknown.codings if c.display), None)
        drug = named or _labels(lines.wording, lines.lang)[_step(unknown.concepts)]
        lines.reason("adherence_unknown", drug=drug, start=unknown.start.isoformat() if unknown.start else "?")
        return True
    return False


def _recent(v: RecordView, concept: Concept, months: int) -> date | None:
    last = v.last(concept)
    return last if last is not None and last >= add_months(v.as_of, -months) else None


def _adult(v: RecordView, lines: _Lines, current: Step, tasks: Sequence[Task]) -> bool:
    if not v.confirmed:
        lines.reason("no_diagnosis")
        return False
    params = lines.wording.params
    months = params["prerequisite_months"]
    active = v.active_within(params["activity_months"])
    escalate = False
    if current is Step.NONE and active is not None:
        lines.reason("start_nsaid")
    elif current is Step.NSAID:
        start = first_start(v, Concept.NSAID)
        pain = v.pain_after(start) if start is not None else None
        if start is not None and pain is not None and not _hold(v, lines, tasks):
            escalate = True
            lines.reason("nsaid_insufficient", pain_date=pain.isoformat(), start=_show(start))
        lines.windows()
        lines.prerequisite("dental_check", _recent(v, Concept.DENTAL_CHECK, months))
    elif current is Step.BISPHOSPHONATE:
        start = first_start(v, Concept.BISPHOSPHONATE)
        pain = v.pain_after(start) if start is not None else None
        # "still many complaints" (NHG-TNF-1): pain and activity after the start, as the matching rule reads it
        if (
            start is not None
            and pain is not None
            and active is not None
            and active > start
            and not _hold(v, lines, tasks)
        ):
            escalate = True
            lines.reason(
                "bisphosphonate_insufficient",
                pain_date=pain.isoformat(),
                active_date=active.isoformat(),
                start=_show(start),
            )
        lines.windows()
        lines.prerequisite("tb_screening", _recent(v, Concept.TB_SCREENING, months))
        lines.prerequisite("hbv_screening", _recent(v, Concept.HBV_SCREENING, months))
    elif current is Step.TNF:
        lines.reason("tnf_last_step")
    elif current is Step.OTHER:
        lines.reason("other_medication")
    return escalate


def _child(v: RecordView, lines: _Lines, current: Step, tasks: Sequence[Task]) -> bool:
    if not v.confirmed:
        lines.reason("no_diagnosis")
        return False
    if current is Step.NONE:
        lines.reason("start_nsaid")
        return False
    params = lines.wording.params
    active = v.active_within(params["activity_months"])
    if current is Step.NSAID:
        lines.windows()
        for m in v.active(Concept.NSAID) if active is not None else ():
            if (
                m.start is not None
                and add_months(m.start, params["child_nsaid_months"]) <= v.as_of
                and active is not None
                and active > m.start
                and not _hold(v, lines, tasks)
            ):
                lines.reason("stronger_medication", pain_date=active.isoformat(), start=m.start.isoformat())
                return True
        return False
    lines.reason("on_stronger_medication")
    return False


def _show(day: date) -> str:
    return "?" if day == date.min else day.isoformat()


def build_step_plan(v: RecordView, wording: StepPlanWording, lang: str, tasks: Sequence[Task] = ()) -> StepPlan:
    """The step plan for the patient's age group, in ``lang``; ``tasks`` tell whether a course is overdue."""
    current = current_step(v)
    side = wording.adult if v.adult else wording.child
    lines = _Lines(wording, side, lang)
    escalate = _adult(v, lines, current, tasks) if v.adult else _child(v, lines, current, tasks)
    lines.close()
    return StepPlan(
        current=current,
        escalation=escalate,
        reasons=tuple(lines.reasons),
        statements=tuple(lines.statements),
        prerequisites=tuple(lines.prerequisites),
        history=history(v, wording, lang),
    )
