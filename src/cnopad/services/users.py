"""User administration: add users with a role and an API token (shown once, stored as a hash)."""

from __future__ import annotations

import secrets

from cnopad.domain.access import Role
from cnopad.services.access import ensure_administrator
from cnopad.store import UnitOfWork, User


def new_token() -> str:
    """A fresh API token: 'cnp_' and 32 random URL-safe bytes."""
    return "cnp_" + secrets.token_urlsafe(32)


def add_user(
    uow: UnitOfWork,
    name: str,
    role: Role,
    *,
    practitioner: tuple[str, str] | None = None,
    password_hash: str | None = None,
) -> tuple[User, str]:
    """Create a user and return it with its API token (the only time the token is visible)."""
    token = new_token()
    user = uow.users.add(name, role, token=token, practitioner=practitioner, password_hash=password_hash)
    uow.audit.append(
        uow.actor,
        "user-add",
        patient_id=None,
        purpose="administration",
        detail=f"user={name} role={role.value}",
    )
    uow.commit()
    return user, token


def rotate_token(uow: UnitOfWork, name: str) -> str:
    """Give a user a new API token (the old one stops working)."""
    token = new_token()
    uow.users.set_token(name, token)
    uow.audit.append(uow.actor, "user-token", patient_id=None, purpose="administration", detail=f"user={name}")
    uow.commit()
    return token


def list_users(uow: UnitOfWork) -> list[User]:
    """Every user with role and practitioner identifier (administrators and the operator only; audited)."""
    ensure_administrator(uow)
    found = uow.users.all()
    uow.audit.append(uow.actor, "user-list", patient_id=None, purpose="administration", detail=f"users={len(found)}")
    uow.commit()
    return found
