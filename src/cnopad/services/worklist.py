"""Assess-and-cache: the worklist of a practitioner's patients, and one patient assessed live.

A worklist for a thousand patients cannot run the engine a thousand times per request, so each
patient's newest assessment is summarised (due and overdue tasks by kind, critical and warning cards,
next due date, care providers) and stored. A summary is refreshed after every write through
:mod:`cnopad.services.entries`, and lazily when it was computed for an earlier day, with another
knowledge version, or before an entry was written by another path (an import).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cnopad.domain import CareRole, PatientRecord
from cnopad.domain.access import Role
from cnopad.engine import Assessment, Indicator, TaskStatus
from cnopad.engine import assess as engine_assess
from cnopad.services.access import Basis, ensure_can_list, ensure_can_read
from cnopad.store import EmergencyGrant, UnitOfWork
from cnopad.store.assessment_cache import AssessmentCacheRepository, CachedSummary
from cnopad.store.cds import CardAction

#: the languages a summary keeps its task titles and card summaries in
LANGUAGES = ("nl", "en")
#: how many open tasks and urgent cards a summary keeps for display
_KEEP = 6


def assess(record: PatientRecord, as_of: date, *, lang: str) -> Assessment:
    """Run the decision engine on one record in ``lang``."""
    return engine_assess(record, as_of, lang=lang)


def days_late(due: date, day: date) -> int:
    """Whole days from a due date to ``day`` (0 when not after it)."""
    return max(0, (day - due).days)


@dataclass(frozen=True, slots=True)
class TaskDigest:
    """An open task as the worklist shows it (title in every language)."""

    kind: str
    status: str
    due: date
    title: dict[str, str]


@dataclass(frozen=True, slots=True)
class CardDigest:
    """An urgent card as the worklist shows it (summary in every language)."""

    indicator: str
    summary: dict[str, str]


@dataclass(frozen=True)
class PatientDigest:
    """The summary of one assessment that the worklist sorts and filters on."""

    overdue: dict[str, int] = field(default_factory=dict)
    due: dict[str, int] = field(default_factory=dict)
    critical: int = 0
    warning: int = 0
    next_due: date | None = None
    providers: tuple[str, ...] = ()
    coordinator: bool = False
    tasks: tuple[TaskDigest, ...] = ()
    cards: tuple[CardDigest, ...] = ()

    @property
    def overdue_total(self) -> int:
        """Number of overdue tasks."""
        return sum(self.overdue.values())

    @property
    def due_total(self) -> int:
        """Number of tasks due now."""
        return sum(self.due.values())

    def days_overdue(self, today: date) -> int:
        """Days since the due date of the oldest overdue task (0 when none is overdue)."""
        return max((days_late(t.due, today) for t in self.tasks if t.status == "overdue"), default=0)

    def to_json(self) -> str:
        """Canonical JSON for the cache."""
        return json.dumps(
            {
                "overdue": self.overdue,
                "due": self.due,
                "critical": self.critical,
                "warning": self.warning,
                "next_due": self.next_due.isoformat() if self.next_due else None,
                "providers": list(self.providers),
                "coordinator": self.coordinator,
                "tasks": [[t.kind, t.status, t.due.isoformat(), t.title] for t in self.tasks],
                "cards": [[c.indicator, c.summary] for c in self.cards],
            },
            sort_keys=True,
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> PatientDigest:
        """Read a cached summary back."""
        d: dict[str, Any] = json.loads(text)
        return cls(
            overdue=dict(d["overdue"]),
            due=dict(d["due"]),
            critical=int(d["critical"]),
            warning=int(d["warning"]),
            next_due=date.fromisoformat(d["next_due"]) if d["next_due"] else None,
            providers=tuple(d["providers"]),
            coordinator=bool(d.get("coordinator", False)),
            tasks=tuple(TaskDigest(k, s, date.fromisoformat(due), dict(t)) for k, s, due, t in d["tasks"]),
            cards=tuple(CardDigest(i, dict(s)) for i, s in d["cards"]),
        )


def digest(
    record: PatientRecord, assessments: dict[str, Assessment], *, put_aside: frozenset[str] = frozenset()
) -> PatientDigest:
    """Summarise the assessments of one record (the same engine result in each language); cards in
    ``put_aside`` (overridden or snoozed by the team) are not counted."""
    first = assessments[LANGUAGES[0]]
    open_tasks = sorted((t for t in first.tasks if t.status is not TaskStatus.DONE), key=lambda t: (t.due, t.id))
    titles = {lang: {t.id: t.title for t in a.tasks} for lang, a in assessments.items()}
    summaries = {lang: {c.uuid: c.summary for c in a.cards} for lang, a in assessments.items()}
    cards = [c for c in first.cards if c.uuid not in put_aside]
    urgent = [c for c in cards if c.indicator in (Indicator.CRITICAL, Indicator.WARNING)]
    urgent.sort(key=lambda c: (c.indicator is not Indicator.CRITICAL, c.rule_id))
    today = first.as_of
    team = [m for m in record.care_team if m.active_on(today)]
    return PatientDigest(
        overdue=dict(Counter(t.kind for t in open_tasks if t.status is TaskStatus.OVERDUE)),
        due=dict(Counter(t.kind for t in open_tasks if t.status is TaskStatus.DUE)),
        critical=sum(1 for c in cards if c.indicator is Indicator.CRITICAL),
        warning=sum(1 for c in cards if c.indicator is Indicator.WARNING),
        next_due=open_tasks[0].due if open_tasks else None,
        providers=tuple(sorted({m.name for m in team})),
        coordinator=any(CareRole.COORDINATOR in m.roles for m in team),
        tasks=tuple(
            TaskDigest(t.kind, t.status.value, t.due, {lang: titles[lang].get(t.id, t.title) for lang in titles})
            for t in open_tasks[:_KEEP]
        ),
        cards=tuple(
            CardDigest(c.indicator.value, {lang: summaries[lang].get(c.uuid, c.summary) for lang in summaries})
            for c in urgent[:_KEEP]
        ),
    )


def put_aside(uow: UnitOfWork, patient_id: str, *, today: date) -> frozenset[str]:
    """The uuids of the patient's cards the team overrode or snoozed (until after ``today``)."""
    standing = uow.cds.standing_actions(patient_id, today=today)
    return frozenset(uuid for uuid, a in standing.items() if a.outcome in ("overridden", "snoozed"))


def refresh(uow: UnitOfWork, record: PatientRecord, *, today: date, knowledge_version: str) -> PatientDigest:
    """Assess one record in every language and store its summary (inside the caller's unit of work)."""
    found = digest(
        record,
        {lang: assess(record, today, lang=lang) for lang in LANGUAGES},
        put_aside=put_aside(uow, record.patient.id, today=today),
    )
    AssessmentCacheRepository(uow.session).put(
        record.patient.id, as_of=today, knowledge_version=knowledge_version, summary=found.to_json(), now=uow.clock()
    )
    return found


@dataclass(frozen=True, slots=True)
class WorklistRow:
    """One patient on the worklist."""

    patient_id: str
    name: str | None
    birth_date: date
    digest: PatientDigest


@dataclass(frozen=True)
class Worklist:
    """A page of the worklist, the filter choices, and why it is empty when it must be."""

    rows: tuple[WorklistRow, ...]
    total: int
    kinds: tuple[str, ...]
    providers: tuple[str, ...]
    refreshed: int = 0
    empty_reason: str | None = None  # "researcher" or "no-practitioner"


#: parsed summaries by patient, with the time they were computed: a summary is parsed once per process
_PARSED: dict[str, tuple[object, PatientDigest]] = {}
_PARSED_MAX = 200_000


def _known_digests(rows: list[CachedSummary], cache: AssessmentCacheRepository) -> dict[str, PatientDigest]:
    """The cached summaries of ``rows``, parsed from JSON only when this process has not seen them yet."""
    out: dict[str, PatientDigest] = {}
    missing = []
    for row in rows:
        known = _PARSED.get(row.patient_id)
        if known is not None and known[0] == row.stamp:
            out[row.patient_id] = known[1]
        else:
            missing.append(row)
    if missing:
        texts = cache.summaries(r.patient_id for r in missing)
        if len(_PARSED) + len(missing) > _PARSED_MAX:
            _PARSED.clear()
        for row in missing:
            parsed = PatientDigest.from_json(texts[row.patient_id])
            out[row.patient_id] = parsed
            if row.stamp is not None:
                _PARSED[row.patient_id] = (row.stamp, parsed)
    return out


def _urgency(row: WorklistRow, today: date) -> tuple[int, int, int, int, int, date, str, str]:
    """Critical advice first, then warnings, then overdue tasks (most days overdue first), then due tasks."""
    d = row.digest
    tier = 0 if d.critical else 1 if d.warning else 2 if d.overdue_total else 3 if d.due_total else 4
    return (
        tier,
        -d.days_overdue(today),
        -d.critical,
        -d.warning,
        -d.due_total,
        d.next_due or date.max,
        row.name or "",
        row.patient_id,
    )


def worklist(
    uow: UnitOfWork,
    *,
    today: date,
    knowledge_version: str,
    query: str | None = None,
    kind: str | None = None,
    provider: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Worklist:
    """The actor's patients, most urgent first (critical, warning, most days overdue, due); filtered and paged.

    Administrators are refused (ForbiddenError, audited); researchers get an empty list with the reason.
    """
    ensure_can_list(uow)
    actor = uow.actor
    if actor.role is Role.RESEARCHER or (not actor.sees_all_patients and actor.practitioner is None):
        reason = "researcher" if actor.role is Role.RESEARCHER else "no-practitioner"
        uow.audit.append(actor, "list", patient_id=None, purpose="worklist", detail=f"patients=0 ({reason})")
        uow.commit()
        return Worklist((), 0, (), (), empty_reason=reason)
    cache = AssessmentCacheRepository(uow.session)
    cached = cache.rows(
        member=None if actor.sees_all_patients else actor.practitioner, today=today, knowledge_version=knowledge_version
    )
    stale = [r for r in cached if r.stale]
    fresh = _refresh_many(uow, cache, stale, today=today, knowledge_version=knowledge_version)
    digests = _known_digests([r for r in cached if r.patient_id not in fresh], cache)
    digests.update(fresh)
    rows = [WorklistRow(r.patient_id, r.name, r.birth_date, digests[r.patient_id]) for r in cached]
    kinds = sorted({k for r in rows for k in (*r.digest.overdue, *r.digest.due)})
    providers = sorted({p for r in rows for p in r.digest.providers})
    selected = [r for r in rows if _matches(r, query=query, kind=kind, provider=provider)]
    selected.sort(key=lambda r: _urgency(r, today))
    page = tuple(selected[offset : offset + limit])
    uow.audit.append(actor, "list", patient_id=None, purpose="worklist", detail=f"patients={len(page)}")
    uow.commit()
    return Worklist(page, len(selected), tuple(kinds), tuple(providers), refreshed=len(fresh))


def _matches(row: WorklistRow, *, query: str | None, kind: str | None, provider: str | None) -> bool:
    if query:
        needle = query.casefold()
        if needle not in row.patient_id.casefold() and needle not in (row.name or "").casefold():
            return False
    if kind and kind not in row.digest.overdue and kind not in row.digest.due:
        return False
    return not (provider and provider not in row.digest.providers)


def _refresh_many(
    uow: UnitOfWork,
    cache: AssessmentCacheRepository,
    stale: Iterable[CachedSummary],
    *,
    today: date,
    knowledge_version: str,
) -> dict[str, PatientDigest]:
    fresh: dict[str, PatientDigest] = {}
    for row in stale:
        record = uow.records.get(row.patient_id, purpose="worklist")
        fresh[row.patient_id] = digest(
            record,
            {lang: assess(record, today, lang=lang) for lang in LANGUAGES},
            put_aside=put_aside(uow, row.patient_id, today=today),
        )
    cache.put_many(
        ((pid, d.to_json()) for pid, d in fresh.items()),
        as_of=today,
        knowledge_version=knowledge_version,
        now=uow.clock(),
    )
    return fresh


@dataclass(frozen=True)
class PatientView:
    """One patient's record and its live assessment in the requested language, why the user may see it,
    who opened it by emergency access (newest first), and what the team did with its cards (per card uuid)."""

    record: PatientRecord
    assessment: Assessment
    basis: Basis = Basis.CARE_TEAM
    emergency: tuple[EmergencyGrant, ...] = ()
    actions: Mapping[str, CardAction] = field(default_factory=dict)


def open_patient(
    uow: UnitOfWork, patient_id: str, *, today: date, lang: str, knowledge_version: str, purpose: str = "care"
) -> PatientView:
    """Check access, read the record (audited) and assess it live; refresh its cached summary when stale."""
    basis = ensure_can_read(uow, patient_id)
    record = uow.records.get(patient_id, purpose=basis.purpose(purpose))
    assessment = assess(record, today, lang=lang)
    cache = AssessmentCacheRepository(uow.session)
    actions = uow.cds.standing_actions(patient_id, today=today)
    if not cache.is_current(patient_id, as_of=today, knowledge_version=knowledge_version):
        others = {other: assess(record, today, lang=other) for other in LANGUAGES if other != lang}
        aside = frozenset(uuid for uuid, a in actions.items() if a.outcome in ("overridden", "snoozed"))
        found = digest(record, {lang: assessment, **others} if lang in LANGUAGES else others, put_aside=aside)
        cache.put(
            patient_id, as_of=today, knowledge_version=knowledge_version, summary=found.to_json(), now=uow.clock()
        )
    emergency = tuple(uow.emergency.for_patient(patient_id))
    uow.commit()
    return PatientView(record, assessment, basis, emergency, actions)
