"""The record repository: patients and their entries, read and written with an audit event each time."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Select, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cnopad.domain import KIND_OF, CareTeamMember, Entry, Patient, PatientRecord
from cnopad.domain.access import Actor
from cnopad.errors import ConflictError, NotFoundError
from cnopad.store.audit import AuditLog
from cnopad.store.codec import digest, dumps, load_entry, load_patient
from cnopad.store.tables import care_team_index, entries, patients


@dataclass(frozen=True, slots=True)
class SaveStats:
    """What one save changed: new, changed and unchanged entries (the patient row included)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class PatientSummary:
    """A patient as a list shows it."""

    id: str
    name: str | None
    birth_date: date


class RecordRepository:
    """Reads and writes patient records; every read and write adds an audit event (NEN 7513)."""

    def __init__(
        self,
        session: Session,
        audit: AuditLog,
        actor: Actor,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.session = session
        self.audit = audit
        self.actor = actor
        self.clock = clock

    # ------------------------------------------------------------------ reading
    def exists(self, patient_id: str) -> bool:
        """True when a record with this id is stored (no patient data is read)."""
        return self.session.execute(select(patients.c.id).where(patients.c.id == patient_id)).first() is not None

    def lock(self, patient_id: str) -> bool:
        """Lock the patient's row until the transaction ends (PostgreSQL; SQLite transactions are already
        serial) so an access check and the write it allows see the same care team. False: no such patient."""
        stmt = select(patients.c.id).where(patients.c.id == patient_id).with_for_update()
        return self.session.execute(stmt).first() is not None

    def get(self, patient_id: str, *, purpose: str, audit: bool = True) -> PatientRecord:
        """The whole record of one patient; NotFoundError when there is none."""
        row = self.session.execute(select(patients.c.payload).where(patients.c.id == patient_id)).first()
        if row is None:
            msg = f"no patient with id {patient_id!r}"
            raise NotFoundError(msg)
        patient = load_patient(json.loads(row.payload))
        found = [
            load_entry(r.kind, json.loads(r.payload))
            for r in self.session.execute(
                select(entries.c.kind, entries.c.payload).where(entries.c.patient_id == patient_id)
            )
        ]
        if audit:
            self.audit.append(
                self.actor, "read", patient_id=patient_id, purpose=purpose, detail=f"entries={len(found)}"
            )
        return PatientRecord.build(patient, found)

    def list(
        self,
        *,
        purpose: str,
        query: str | None = None,
        member: tuple[str, str] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[PatientSummary]:
        """Patients by id or name (``query``), optionally only those whose care team holds ``member``."""
        stmt = select(patients.c.id, patients.c.name, patients.c.birth_date).order_by(patients.c.name, patients.c.id)
        if member is not None:
            stmt = stmt.where(patients.c.id.in_(self._member_patients(member)))
        if query:
            # the user's text is matched literally: % and _ (and the escape character) lose their LIKE meaning
            escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            like = f"%{escaped}%"
            stmt = stmt.where(
                or_(
                    func.lower(patients.c.id).like(like, escape="\\"),
                    func.lower(patients.c.name).like(like, escape="\\"),
                )
            )
        rows = self.session.execute(stmt.limit(limit).offset(offset)).all()
        self.audit.append(self.actor, "list", patient_id=None, purpose=purpose, detail=f"patients={len(rows)}")
        return [PatientSummary(r.id, r.name, r.birth_date) for r in rows]

    def _member_patients(self, member: tuple[str, str]) -> Select[tuple[str]]:
        """Patients whose care team holds ``member`` today (a membership that ended no longer counts)."""
        today = self.clock().date()
        index = care_team_index.c
        return select(index.patient_id).where(
            index.identifier_system == member[0],
            index.identifier_value == member[1],
            or_(index.start_date.is_(None), index.start_date <= today),
            or_(index.end_date.is_(None), index.end_date >= today),
        )

    def is_member(self, patient_id: str, member: tuple[str, str]) -> bool:
        """True when ``member`` (identifier system, value) is in the patient's care team."""
        stmt = self._member_patients(member).where(care_team_index.c.patient_id == patient_id)
        return self.session.execute(stmt).first() is not None

    def count(self) -> int:
        """Number of stored patients."""
        return int(self.session.execute(select(func.count()).select_from(patients)).scalar_one())

    # ------------------------------------------------------------------ writing
    def save(self, record: PatientRecord, *, purpose: str, action: str = "import") -> SaveStats:
        """Insert or update the patient and every entry (by kind and id); never deletes entries."""
        stats = self._save_patient(record.patient)
        entry_stats, team_changed = self._save_entries(record.patient.id, record.entries())
        stats = SaveStats(
            stats.created + entry_stats.created,
            stats.updated + entry_stats.updated,
            stats.unchanged + entry_stats.unchanged,
        )
        if team_changed:
            self._reindex_care_team(record.patient.id)
        self.audit.append(
            self.actor,
            action,
            patient_id=record.patient.id,
            purpose=purpose,
            detail=f"created={stats.created} updated={stats.updated} unchanged={stats.unchanged}",
        )
        return stats

    def add_entries(self, patient_id: str, new: Iterable[Entry], *, purpose: str, action: str = "record") -> SaveStats:
        """Add or replace entries of an existing patient."""
        if not self.exists(patient_id):
            msg = f"no patient with id {patient_id!r}"
            raise NotFoundError(msg)
        stats, team_changed = self._save_entries(patient_id, new)
        if team_changed:
            self._reindex_care_team(patient_id)
        self.audit.append(
            self.actor,
            action,
            patient_id=patient_id,
            purpose=purpose,
            detail=f"created={stats.created} updated={stats.updated} unchanged={stats.unchanged}",
        )
        return stats

    def _save_patient(self, patient: Patient) -> SaveStats:
        text = dumps(patient)
        new_digest = digest(text)
        now = self.clock()
        row = self.session.execute(select(patients.c.digest).where(patients.c.id == patient.id)).first()
        if row is None:
            try:
                self.session.execute(
                    insert(patients).values(
                        id=patient.id,
                        name=patient.name,
                        birth_date=patient.birth_date,
                        payload=text,
                        digest=new_digest,
                        version=1,
                        created_at=now,
                        updated_at=now,
                    )
                )
            except IntegrityError as exc:
                # another transaction created this patient after our access check (PostgreSQL): its care team
                # was not checked against this write, so nothing is written; the caller may try again
                msg = f"patient {patient.id!r} was created at the same time by someone else; try again"
                raise ConflictError(msg) from exc
            return SaveStats(created=1)
        if row.digest == new_digest:
            return SaveStats(unchanged=1)
        self.session.execute(
            update(patients)
            .where(patients.c.id == patient.id)
            .values(
                name=patient.name,
                birth_date=patient.birth_date,
                payload=text,
                digest=new_digest,
                version=patients.c.version + 1,
                updated_at=now,
            )
        )
        return SaveStats(updated=1)

    def _save_entries(self, patient_id: str, new: Iterable[Entry]) -> tuple[SaveStats, bool]:
        existing = {
            (r.kind, r.entry_id): r.digest
            for r in self.session.execute(
                select(entries.c.kind, entries.c.entry_id, entries.c.digest).where(entries.c.patient_id == patient_id)
            )
        }
        now = self.clock()
        inserts: list[dict[str, object]] = []
        updates: list[dict[str, object]] = []
        unchanged = 0
        team_changed = False
        for entry in new:
            kind = KIND_OF[type(entry)]
            text = dumps(entry)
            new_digest = digest(text)
            old = existing.get((kind, entry.id))
            if old == new_digest:
                unchanged += 1
                continue
            team_changed = team_changed or kind == "care_team"
            row = {
                "patient_id": patient_id,
                "kind": kind,
                "entry_id": entry.id,
                "payload": text,
                "digest": new_digest,
                "updated_at": now,
            }
            if old is None:
                inserts.append(row)
            else:
                updates.append({**row, "b_patient": patient_id, "b_kind": kind, "b_entry": entry.id})
        if inserts:
            self.session.execute(insert(entries), inserts)
        if updates:
            self.session.execute(
                update(entries)
                .where(
                    entries.c.patient_id == bindparam("b_patient"),
                    entries.c.kind == bindparam("b_kind"),
                    entries.c.entry_id == bindparam("b_entry"),
                )
                .values(
                    payload=bindparam("payload"),
                    digest=bindparam("digest"),
                    updated_at=bindparam("updated_at"),
                ),
                [{k: v for k, v in u.items() if k not in ("patient_id", "kind", "entry_id")} for u in updates],
            )
        return SaveStats(created=len(inserts), updated=len(updates), unchanged=unchanged), team_changed

    def _reindex_care_team(self, patient_id: str) -> None:
        """Rebuild the patient's rows in the care-team index from the stored care-team entries."""
        self.session.execute(delete(care_team_index).where(care_team_index.c.patient_id == patient_id))
        rows = []
        for r in self.session.execute(
            select(entries.c.payload).where(entries.c.patient_id == patient_id, entries.c.kind == "care_team")
        ):
            member = load_entry("care_team", json.loads(r.payload))
            assert isinstance(member, CareTeamMember)  # noqa: S101 - kind guarantees it
            if member.identifier is not None:
                rows.append(
                    {
                        "patient_id": patient_id,
                        "member_id": member.id,
                        "identifier_system": member.identifier.system,
                        "identifier_value": member.identifier.value,
                        "roles": ",".join(sorted(member.roles)),
                        "start_date": member.start,
                        "end_date": member.end,
                    }
                )
        if rows:
            self.session.execute(insert(care_team_index), rows)
