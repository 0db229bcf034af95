"""The assessment cache: per patient, a JSON summary of the newest assessment, so the worklist of a
practitioner with a thousand patients is one indexed query instead of a thousand assessments."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, String, and_, case, delete, insert, or_, select, type_coerce
from sqlalchemy.orm import Session

from cnopad.store.tables import assessment_cache, care_team_index, entries, patients


@dataclass(frozen=True, slots=True)
class CachedSummary:
    """One patient's row for a worklist: who, which summary is stored (its computation stamp), and whether
    that summary is stale (never computed, for another day or knowledge version, or older than an entry)."""

    patient_id: str
    name: str | None
    birth_date: date
    stamp: object  # when the stored summary was computed, as the database returns it (None: never)
    stale: bool


def fingerprint(knowledge_version: str) -> str:
    """The fixed-length (64 hex) stamp stored for a knowledge version.

    The version string names every knowledge file and grows with them (623 characters once broke every
    write on PostgreSQL, which enforces the column length that SQLite ignores); the cache only compares it.
    """
    return hashlib.sha256(knowledge_version.encode("utf-8")).hexdigest()


def _as_date(value: object) -> date:
    # SQLAlchemy's SQLite date parsing is a regular expression per value; ISO text parses far faster
    return value if isinstance(value, date) else date.fromisoformat(str(value))


class AssessmentCacheRepository:
    """Reads and replaces cached assessment summaries (no patient data beyond what the worklist shows)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def rows(self, *, member: tuple[str, str] | None, today: date, knowledge_version: str) -> list[CachedSummary]:
        """Every visible patient and the state of its summary; ``member`` limits to that practitioner's patients.

        Staleness is decided in the database (one indexed look-up per patient), so a worklist of a thousand
        patients costs one query.
        """
        newer_entry = (
            select(entries.c.patient_id)
            .where(entries.c.patient_id == patients.c.id, entries.c.updated_at > assessment_cache.c.computed_at)
            .exists()
        )
        stale = case(
            (
                or_(
                    assessment_cache.c.computed_at.is_(None),
                    assessment_cache.c.as_of != today,
                    assessment_cache.c.knowledge_version != fingerprint(knowledge_version),
                    patients.c.updated_at > assessment_cache.c.computed_at,
                    newer_entry,
                ),
                1,
            ),
            else_=0,
        )
        stmt: Select[tuple[object, ...]] = (
            select(
                patients.c.id,
                patients.c.name,
                type_coerce(patients.c.birth_date, String).label("birth"),
                type_coerce(assessment_cache.c.computed_at, String).label("stamp"),
                stale.label("stale"),
            )
            .select_from(patients)
            .outerjoin(assessment_cache, assessment_cache.c.patient_id == patients.c.id)
        )
        if member is not None:
            visible = select(care_team_index.c.patient_id).where(
                and_(
                    care_team_index.c.identifier_system == member[0],
                    care_team_index.c.identifier_value == member[1],
                )
            )
            stmt = stmt.where(patients.c.id.in_(visible))
        return [
            CachedSummary(r.id, r.name, _as_date(r.birth), r.stamp, bool(r.stale)) for r in self.session.execute(stmt)
        ]

    def summaries(self, patient_ids: Iterable[str]) -> dict[str, str]:
        """The stored summary JSON of these patients."""
        ids = list(patient_ids)
        out: dict[str, str] = {}
        for start in range(0, len(ids), 500):  # stay under the database's bound-parameter limit
            chunk = ids[start : start + 500]
            rows = self.session.execute(
                select(assessment_cache.c.patient_id, assessment_cache.c.summary).where(
                    assessment_cache.c.patient_id.in_(chunk)
                )
            )
            out.update((r.patient_id, r.summary) for r in rows)
        return out

    def is_current(self, patient_id: str, *, as_of: date, knowledge_version: str) -> bool:
        """Whether the stored summary of one patient was computed for this day and knowledge version."""
        row = self.session.execute(
            select(assessment_cache.c.as_of, assessment_cache.c.knowledge_version).where(
                assessment_cache.c.patient_id == patient_id
            )
        ).first()
        return (
            row is not None and _as_date(row.as_of) == as_of and row.knowledge_version == fingerprint(knowledge_version)
        )

    def forget(self, patient_id: str) -> None:
        """Drop one patient's summary: the next worklist recomputes it (after a card action, which is no entry)."""
        self.session.execute(delete(assessment_cache).where(assessment_cache.c.patient_id == patient_id))

    def put(self, patient_id: str, *, as_of: date, knowledge_version: str, summary: str, now: datetime) -> None:
        """Replace one patient's summary."""
        self.put_many([(patient_id, summary)], as_of=as_of, knowledge_version=knowledge_version, now=now)

    def put_many(self, items: Iterable[tuple[str, str]], *, as_of: date, knowledge_version: str, now: datetime) -> None:
        """Replace the summaries of several patients in two statements."""
        rows = [
            {
                "patient_id": pid,
                "as_of": as_of,
                "knowledge_version": fingerprint(knowledge_version),
                "computed_at": now,
                "summary": text,
            }
            for pid, text in items
        ]
        if not rows:
            return
        self.session.execute(
            delete(assessment_cache).where(assessment_cache.c.patient_id.in_([r["patient_id"] for r in rows]))
        )
        self.session.execute(insert(assessment_cache), rows)
