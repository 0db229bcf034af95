"""The diagnostic-path card for a suspected CNO (CDS patient-view; issue 13): info, never critical.

It carries the source's diagnostic path as steps, each with its statement ids (done: date and result; not done:
a suggestion, with a draft FHIR ServiceRequest where the step names one), a one-line summary of each criteria
instrument that applies (its status: a score as a range only when its weights are verified, else "score not
computed: weights not verified"), the adult notice (NHG-DX-DELAY-1) and the source document's own disclaimer.
"""

from __future__ import annotations

from cnopad.engine.assessment import Card, Indicator, Source
from cnopad.engine.criteria.path import path_card_id
from cnopad.engine.criteria.result import CriteriaReport, InstrumentResult, State, Status, StepState
from cnopad.knowledge.base import KnowledgeBase

#: the rule id the card is remembered under (CDS feedback) and shown with
RULE_ID = "diagnostic-path"
_MARK = {StepState.DONE: "✔", StepState.NOTE: "ℹ", StepState.MAY_BE_AVOIDED: "○"}


def _instrument_line(r: InstrumentResult, kb: KnowledgeBase, lang: str) -> str:
    words = kb.criteria.path.card
    purpose = words.purposes[r.purpose].get(lang)  # type: ignore[index]  # validated Literal on load
    line = f"- **{r.title}** ({purpose}): {r.status_label}"
    if r.score_min is not None:
        line += f"; {r.score_min}–{r.score_max}/{r.max_points} (≥ {r.threshold})"
    if not r.weights_verified and r.status is not Status.NOT_COMPUTED:
        line += f"; {words.weights_unverified.get(lang)}"
    if not r.content_verified:
        line += f"; {words.content_unverified.get(lang)}"
    unknown = sum(1 for i in r.items if i.state is State.UNKNOWN)
    if unknown:
        line += f"; {unknown} {words.unknown_items.get(lang)}"
    return line


def path_card(report: CriteriaReport, kb: KnowledgeBase) -> Card | None:
    """The card for a suspected CNO, or None when the record holds no suspicion (confirmed or no diagnosis)."""
    if report.diagnosis != "suspected":
        return None
    lang = report.lang
    book = kb.criteria.path
    words = book.card
    document = kb.sources.documents["nhg" if report.age_group == "adult" else "crmo"]
    counted = [s for s in report.path if s.state is not StepState.NOTE]
    done = sum(1 for s in counted if s.state is StepState.DONE)
    parts: list[str] = []
    if report.notice:
        parts.append(f"**{report.notice}** ({', '.join(report.notice_statements)})")
    lines = [f"**{words.path_heading.get(lang)}**"]
    for step in report.path:
        mark = _MARK.get(step.state, "☐")
        line = f"- {mark} {step.state_label}: {step.text}"
        if step.done_on or step.result:
            when = step.done_on.isoformat() if step.done_on else ""
            line += f" — {when} {step.result or ''}".rstrip()
        lines.append(f"{line} ({', '.join(step.statements)})")
    parts.append("\n".join(lines))
    applicable = [
        r for r in report.instruments if r.status is not Status.NOT_APPLICABLE or r.status_reason != "not_for_age_group"
    ]
    parts.append(
        "\n".join([f"**{words.criteria_heading.get(lang)}**", *(_instrument_line(r, kb, lang) for r in applicable)])
    )
    parts.append(f"_{document.disclaimer.text.get(lang)}_")
    statements = dict.fromkeys(report.notice_statements)
    for step in report.path:
        statements.update(dict.fromkeys(step.statements))
    statements.update(dict.fromkeys(document.disclaimer.statements))
    return Card(
        uuid=path_card_id(report.patient_id),
        rule_id=RULE_ID,
        summary=words.summary.get(lang).format(done=done, total=len(counted)),
        indicator=Indicator.INFO,
        detail="\n\n".join(parts),
        source=Source(document.label.get(lang), document.url),
        statements=tuple(statements),
        kind="diagnostic",
        suggestions=tuple(s for step in report.path for s in step.suggestions),
        selection_behavior="any",
        evidence=tuple(dict.fromkeys(e for step in report.path for e in step.evidence)),
    )
