"""Demo users for ``make run``: one per role, with a fresh API token printed at each start.

They exist only to try the product on the synthetic demo data; a production install creates its
users with ``cnopad user add``.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Protocol

from cnopad.domain.access import Actor, Role
from cnopad.services.auth import hash_password
from cnopad.services.users import new_token
from cnopad.store import UnitOfWork

#: the demo GP and specialist are linked (by AGB code) to the care teams of the demo bundles
DEMO_USERS: tuple[tuple[str, Role, tuple[str, str] | None], ...] = (
    ("demo-huisarts", Role.GP, ("http://fhir.nl/fhir/NamingSystem/agb-z", "01999001")),
    ("demo-specialist", Role.SPECIALIST, ("http://fhir.nl/fhir/NamingSystem/agb-z", "01999002")),
    ("demo-lumc", Role.EXPERTISE_CENTRE, ("http://fhir.nl/fhir/NamingSystem/agb-z", "01999003")),
    ("demo-onderzoeker", Role.RESEARCHER, None),
    ("demo-beheer", Role.ADMIN, None),
)


@dataclass(frozen=True)
class DemoLogin:
    """A demo user's name, role, and this run's API token and web password."""

    name: str
    role: str
    token: str
    password: str = ""


class _Units(Protocol):
    def unit(self, actor: Actor) -> UnitOfWork: ...
    def operator(self) -> Actor: ...


def ensure_demo_users(container: _Units) -> list[DemoLogin]:
    """Create the demo users when missing and give each a new API token and web password for this run."""
    logins = []
    with container.unit(container.operator()) as uow:
        for name, role, practitioner in DEMO_USERS:
            token = new_token()
            # new each run, so a demo database is never reachable with an old password; letters and digits only
            password = "demo-" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(10))
            if uow.users.by_name(name) is None:
                uow.users.add(name, role, token=token, practitioner=practitioner, password_hash=hash_password(password))
            else:
                uow.users.set_token(name, token)
                uow.users.set_password_hash(name, hash_password(password))
                uow.users.record_login(name, success=True)  # a new run lifts a demo lock-out
            logins.append(DemoLogin(name, role.value, token, password))
        uow.audit.append(uow.actor, "user-token", patient_id=None, purpose="demo", detail="demo users refreshed")
        uow.commit()
    return logins
