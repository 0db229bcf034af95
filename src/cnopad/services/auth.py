"""Signing in to the web app: argon2id password check, lock-out after repeated failures, server-side
sessions with a session-bound CSRF token, idle and absolute time-outs.

Policy (a product choice, see docs/web.md): after ``LOCKOUT_AFTER`` failed attempts in a row the account
is locked for ``LOCKOUT_MINUTES``; a session ends after ``IDLE_MINUTES`` without activity and at most
``SESSION_HOURS`` after sign-in. Failed and successful sign-ins are written to the audit log.

An attempt is counted (atomically, in the database) and committed *before* its password is checked, and no
transaction is open while argon2 runs: concurrent attempts from any number of threads or worker processes
get through exactly ``LOCKOUT_AFTER`` times, and a slow hash holds no database lock or connection. At most
``PARALLEL_HASHES`` argon2 computations run at once in a process (each takes ~64 MiB and all cores), so a
burst of sign-ins queues instead of starving the server. Callers on an event loop run ``login`` in a
worker thread (``web/routes_auth.py``).
"""

from __future__ import annotations

import os
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from cnopad.domain import input_rules
from cnopad.domain.access import Actor, Channel, Role
from cnopad.errors import CnopadError
from cnopad.store import UnitOfWork
from cnopad.store.web_sessions import WebSession, WebSessionRepository

__all__ = [
    "LOCKOUT_AFTER",
    "LOCKOUT_MINUTES",
    "PARALLEL_HASHES",
    "LoginRefused",
    "SignedIn",
    "WebSession",
    "actor_of",
    "current_session",
    "hash_password",
    "login",
    "logout",
    "set_password",
]

LOCKOUT_AFTER = 5
LOCKOUT_MINUTES = 15
IDLE_MINUTES = 60
SESSION_HOURS = 10
#: last_seen is written at most this often, so reading pages does not turn every request into a write
TOUCH_EVERY = timedelta(minutes=2)
#: longest accepted user name and password; longer input is refused before hashing (argon2 cost)
MAX_NAME = 120
MAX_PASSWORD = 256

#: argon2 computations at once per process: half the cores (each hash already uses 4 lanes), at least one
PARALLEL_HASHES = max(1, (os.cpu_count() or 2) // 2)

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory defaults
_hash_slots = threading.BoundedSemaphore(PARALLEL_HASHES)
#: a hash of a random password, verified against when the user does not exist so timing does not tell
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class LoginRefused(CnopadError):
    """Wrong name or password, or the account is locked: one answer for all, so accounts cannot be probed."""

    code = "login-refused"


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted, parameters in the hash string)."""
    with _hash_slots:
        return _hasher.hash(password)


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A new session: the id for the cookie (shown once) and its CSRF token."""

    session_id: str
    csrf_token: str
    user: str


def login(uow: UnitOfWork, name: str, password: str, *, now: datetime) -> SignedIn:
    """Check the password and open a session; failures count towards the lock-out and are audited.

    Blocking (database and argon2): call it from a worker thread, not on an event loop.
    """
    if (
        not name
        or not password
        or len(name) > MAX_NAME
        or len(password) > MAX_PASSWORD
        # a name no user can have (NUL, which PostgreSQL cannot even compare) gets the answer of a wrong password
        or input_rules.text_reason(name, multiline=False) is not None
        or any(0xD800 <= ord(ch) <= 0xDFFF for ch in password)
    ):
        _refuse(uow, input_rules.shown(name[:MAX_NAME]), "malformed input")
    user = uow.users.by_name(name)
    stored = uow.users.password_hash(name) if user is not None else None
    if user is None or stored is None or not user.active:
        uow.commit()  # end the read before the slow hash: no transaction (SQLite: no write lock) is held
        _verify(_DUMMY_HASH, password)
        _refuse(uow, name, "unknown or inactive user")
    attempt = uow.users.claim_login_attempt(
        name, now=now, lock_after=LOCKOUT_AFTER, lock_until=now + timedelta(minutes=LOCKOUT_MINUTES)
    )
    if attempt is None:
        _refuse(uow, name, "locked")
    uow.commit()  # the attempt counts whatever happens next, and argon2 runs outside any transaction
    if not _verify(stored, password):
        locked = " - locked" if attempt >= LOCKOUT_AFTER else ""
        _refuse(uow, name, f"wrong password (failure {attempt}){locked}")
    uow.users.record_login(name, success=True)
    if _hasher.check_needs_rehash(stored):
        uow.users.set_password_hash(name, hash_password(password))
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    WebSessionRepository(uow.session).add(
        session_id, name, csrf, now=now, expires_at=now + timedelta(hours=SESSION_HOURS)
    )
    uow.audit.append(_actor(name, user.role), "login", patient_id=None, purpose="authentication", detail="web")
    uow.commit()
    return SignedIn(session_id, csrf, name)


def _verify(stored: str, password: str) -> bool:
    with _hash_slots:
        try:
            return _hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def _refuse(uow: UnitOfWork, name: str, reason: str) -> NoReturn:
    # recorded as the web service itself (no user is signed in), naming the account that was tried
    uow.audit.append(
        uow.actor, "login-refused", patient_id=None, purpose="authentication", detail=f"user={name} {reason}"
    )
    uow.commit()
    msg = "name or password is wrong, or the account is locked"
    raise LoginRefused(msg)


def _actor(name: str, role: Role) -> Actor:
    return Actor(name, role, Channel.WEB)


def current_session(uow: UnitOfWork, session_id: str | None, *, now: datetime) -> WebSession | None:
    """The live session for a cookie value, or None when absent, unknown, idle too long or expired."""
    if not session_id or len(session_id) > 100:
        return None
    repo = WebSessionRepository(uow.session)
    found = repo.find(session_id)
    if found is None:
        return None
    if found.expires_at <= now or found.last_seen + timedelta(minutes=IDLE_MINUTES) <= now:
        repo.remove(session_id)
        uow.commit()
        return None
    if now - found.last_seen >= TOUCH_EVERY:
        repo.touch(session_id, now=now)
        uow.commit()
    return found


def logout(uow: UnitOfWork, session_id: str, *, now: datetime) -> None:
    """End a session (and sweep expired ones); audited."""
    repo = WebSessionRepository(uow.session)
    found = repo.find(session_id)
    repo.remove(session_id)
    repo.remove_expired(now=now, idle_before=now - timedelta(minutes=IDLE_MINUTES))
    if found is not None:
        uow.audit.append(
            _actor(found.user, found.role), "logout", patient_id=None, purpose="authentication", detail="web"
        )
    uow.commit()


def actor_of(session: WebSession) -> Actor:
    """The actor a web session acts as (web channel, with the practitioner identifier for care teams)."""
    return Actor(session.user, session.role, Channel.WEB, session.practitioner)


def set_password(uow: UnitOfWork, name: str, password: str) -> None:
    """Give a user a (new) password; stored as an argon2id hash; audited."""
    uow.users.set_password_hash(name, hash_password(password))
    uow.audit.append(uow.actor, "user-password", patient_id=None, purpose="administration", detail=f"user={name}")
    uow.commit()
