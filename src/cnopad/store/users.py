"""Users of cnopad: role, API-token hash, password hash, and the practitioner identifier that links a
clinician to the care teams they are in. Secrets themselves are never stored."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, case, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cnopad.domain.access import Role
from cnopad.errors import ConflictError, NotFoundError
from cnopad.store.tables import users


def token_hash(token: str) -> str:
    """SHA-256 of an API token (tokens are long random strings, so a fast hash suffices)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class User:
    """A user as the application sees it (no secrets)."""

    id: int
    name: str
    role: Role
    practitioner: tuple[str, str] | None
    active: bool
    failed_logins: int = 0
    locked_until: datetime | None = None


class UserRepository:
    """Create users and find them by name or token."""

    def __init__(self, session: Session, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.session = session
        self.clock = clock

    def add(
        self,
        name: str,
        role: Role,
        *,
        token: str | None = None,
        password_hash: str | None = None,
        practitioner: tuple[str, str] | None = None,
    ) -> User:
        """Create a user; a taken name is a ConflictError."""
        try:
            with self.session.begin_nested():
                result = cast(
                    CursorResult[Any],
                    self.session.execute(
                        insert(users).values(
                            name=name,
                            role=role.value,
                            token_hash=token_hash(token) if token else None,
                            password_hash=password_hash,
                            practitioner_system=practitioner[0] if practitioner else None,
                            practitioner_value=practitioner[1] if practitioner else None,
                            active=True,
                            failed_logins=0,
                            created_at=self.clock(),
                        )
                    ),
                )
        except IntegrityError as exc:
            msg = f"a user named {name!r} already exists"
            raise ConflictError(msg) from exc
        user_id = result.inserted_primary_key[0] if result.inserted_primary_key else 0
        return User(int(user_id), name, role, practitioner, True)

    def by_token(self, token: str) -> User | None:
        """The active user holding this API token, or None."""
        row = self.session.execute(
            select(users).where(users.c.token_hash == token_hash(token), users.c.active.is_(True))
        ).first()
        return self._user(row) if row else None

    def by_name(self, name: str) -> User | None:
        """The user with this name, or None."""
        row = self.session.execute(select(users).where(users.c.name == name)).first()
        return self._user(row) if row else None

    def password_hash(self, name: str) -> str | None:
        """The stored password hash of a user (for the login check only)."""
        row = self.session.execute(select(users.c.password_hash).where(users.c.name == name)).first()
        return row.password_hash if row else None

    def set_token(self, name: str, token: str) -> None:
        """Replace a user's API token."""
        done = cast(
            CursorResult[Any],
            self.session.execute(update(users).where(users.c.name == name).values(token_hash=token_hash(token))),
        )
        if done.rowcount == 0:
            msg = f"no user named {name!r}"
            raise NotFoundError(msg)

    def set_password_hash(self, name: str, value: str) -> None:
        """Replace a user's password hash."""
        self.session.execute(update(users).where(users.c.name == name).values(password_hash=value))

    def claim_login_attempt(self, name: str, *, now: datetime, lock_after: int, lock_until: datetime) -> int | None:
        """Count one sign-in attempt before its password is checked, in one atomic UPDATE ... RETURNING.

        Returns the attempt's number since the last successful sign-in; the attempt that reaches
        ``lock_after`` also locks the account until ``lock_until``. None when the account is locked now (or
        absent or inactive): nothing is counted and the password must not be checked. Concurrent attempts
        (threads, worker processes) each get their own number, so exactly ``lock_after`` get through.
        """
        count = users.c.failed_logins + 1
        statement = (
            update(users)
            .where(
                users.c.name == name,
                users.c.active.is_(True),
                or_(users.c.locked_until.is_(None), users.c.locked_until <= now),
            )
            .values(failed_logins=count, locked_until=case((count >= lock_after, lock_until), else_=None))
            .returning(users.c.failed_logins)
        )
        row = self.session.execute(statement).first()
        return int(row.failed_logins) if row else None

    def record_login(self, name: str, *, success: bool, locked_until: datetime | None = None) -> None:
        """Count failed logins (reset on success) and set a lock-out time when given."""
        values: dict[str, object] = (
            {"failed_logins": 0, "locked_until": None}
            if success
            else {"failed_logins": users.c.failed_logins + 1, "locked_until": locked_until}
        )
        self.session.execute(update(users).where(users.c.name == name).values(**values))

    def all(self) -> list[User]:
        """Every user, by name."""
        return [self._user(r) for r in self.session.execute(select(users).order_by(users.c.name))]

    @staticmethod
    def _user(row: object) -> User:
        r = row._mapping  # type: ignore[attr-defined]
        practitioner = (r["practitioner_system"], r["practitioner_value"]) if r["practitioner_value"] else None
        locked = r["locked_until"]
        if locked is not None and locked.tzinfo is None:
            locked = locked.replace(tzinfo=UTC)
        return User(
            r["id"],
            r["name"],
            Role(r["role"]),
            practitioner,
            bool(r["active"]),
            int(r["failed_logins"]),
            locked,
        )
