"""Server-side web sessions: a hash of the random session id, its user, CSRF token and expiry times.

The browser holds only the random id (in an HttpOnly cookie); a stolen copy of the database cannot be
replayed as a session because only the SHA-256 of the id is stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from cnopad.domain.access import Role
from cnopad.store.tables import users, web_sessions


def session_hash(session_id: str) -> str:
    """SHA-256 of a session id (ids are long random strings, so a fast hash suffices)."""
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class WebSession:
    """A live session joined with its user (who they are, their role and practitioner identifier)."""

    user: str
    role: Role
    practitioner: tuple[str, str] | None
    csrf_token: str
    last_seen: datetime
    expires_at: datetime


class WebSessionRepository:
    """Create, find, touch and end web sessions."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, session_id: str, user: str, csrf_token: str, *, now: datetime, expires_at: datetime) -> None:
        """Store a new session (by the hash of its id)."""
        self.session.execute(
            insert(web_sessions).values(
                id_hash=session_hash(session_id),
                user_name=user,
                csrf_token=csrf_token,
                created_at=now,
                last_seen=now,
                expires_at=expires_at,
            )
        )

    def find(self, session_id: str) -> WebSession | None:
        """The session with this id and its active user, or None (unknown id or inactive user)."""
        row = self.session.execute(
            select(
                web_sessions.c.csrf_token,
                web_sessions.c.last_seen,
                web_sessions.c.expires_at,
                users.c.name,
                users.c.role,
                users.c.practitioner_system,
                users.c.practitioner_value,
            )
            .join(users, users.c.name == web_sessions.c.user_name)
            .where(web_sessions.c.id_hash == session_hash(session_id), users.c.active.is_(True))
        ).first()
        if row is None:
            return None
        practitioner = (row.practitioner_system, row.practitioner_value) if row.practitioner_value else None
        return WebSession(
            row.name, Role(row.role), practitioner, row.csrf_token, _utc(row.last_seen), _utc(row.expires_at)
        )

    def touch(self, session_id: str, *, now: datetime) -> None:
        """Record activity on a session (for the idle time-out)."""
        self.session.execute(
            update(web_sessions).where(web_sessions.c.id_hash == session_hash(session_id)).values(last_seen=now)
        )

    def remove(self, session_id: str) -> None:
        """End one session."""
        self.session.execute(delete(web_sessions).where(web_sessions.c.id_hash == session_hash(session_id)))

    def remove_expired(self, *, now: datetime, idle_before: datetime) -> int:
        """End every session past its absolute expiry or idle since ``idle_before``; returns how many."""
        result = self.session.execute(
            delete(web_sessions).where((web_sessions.c.expires_at < now) | (web_sessions.c.last_seen < idle_before))
        )
        return int(getattr(result, "rowcount", 0) or 0)
