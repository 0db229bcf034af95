"""Emergency-access grants ("break-glass"): who opened which record outside its care team, why, and until when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from cnopad.store.tables import emergency_access


@dataclass(frozen=True, slots=True)
class EmergencyGrant:
    """One emergency access: the user, their role, the reason they gave, and its window (UTC)."""

    patient_id: str
    user: str
    role: str
    reason: str
    granted_at: datetime
    expires_at: datetime

    def active_at(self, moment: datetime) -> bool:
        """True while the grant is in force."""
        return self.granted_at <= moment < self.expires_at


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class EmergencyAccessRepository:
    """Stores grants and answers whether one is in force; grants are never changed or removed."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def grant(
        self, patient_id: str, user: str, role: str, reason: str, *, granted_at: datetime, expires_at: datetime
    ) -> EmergencyGrant:
        """Record a new grant."""
        self.session.execute(
            insert(emergency_access).values(
                patient_id=patient_id,
                user_name=user,
                user_role=role,
                reason=reason,
                granted_at=granted_at,
                expires_at=expires_at,
            )
        )
        return EmergencyGrant(patient_id, user, role, reason, granted_at, expires_at)

    def active(self, patient_id: str, user: str, now: datetime) -> EmergencyGrant | None:
        """The user's grant for this patient that runs longest, if one is in force at ``now``."""
        c = emergency_access.c
        row = self.session.execute(
            select(emergency_access)
            .where(c.patient_id == patient_id, c.user_name == user, c.granted_at <= now, c.expires_at > now)
            .order_by(c.expires_at.desc())
            .limit(1)
        ).first()
        return self._grant(row) if row is not None else None

    def for_patient(self, patient_id: str, *, limit: int = 20) -> list[EmergencyGrant]:
        """The newest grants for one patient (for the patient page), newest first."""
        c = emergency_access.c
        rows = self.session.execute(
            select(emergency_access).where(c.patient_id == patient_id).order_by(c.id.desc()).limit(limit)
        )
        return [self._grant(r) for r in rows]

    @staticmethod
    def _grant(row: object) -> EmergencyGrant:
        r = row._mapping  # type: ignore[attr-defined]
        return EmergencyGrant(
            r["patient_id"], r["user_name"], r["user_role"], r["reason"], _utc(r["granted_at"]), _utc(r["expires_at"])
        )
