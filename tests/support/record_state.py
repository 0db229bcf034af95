"""What a refused write must leave as it was, and what the audit log says of a user: shared by the write
authorisation tests and the access matrix, so both compare the same state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cnopad.bootstrap import Container
from cnopad.store import AuditEvent
from cnopad.store.tables import care_team_index, entries, patients


def record_state(container: Container, patient_id: str) -> tuple[Any, ...]:
    """Everything an import or an entry could change: the patient row, every entry and the care-team index."""
    with container.unit(container.operator()) as uow:
        s = uow.session
        row = s.execute(select(patients.c.digest, patients.c.version).where(patients.c.id == patient_id)).one()
        stored = s.execute(
            select(entries.c.kind, entries.c.entry_id, entries.c.digest)
            .where(entries.c.patient_id == patient_id)
            .order_by(entries.c.kind, entries.c.entry_id)
        ).all()
        team = s.execute(
            select(care_team_index.c.member_id, care_team_index.c.identifier_value)
            .where(care_team_index.c.patient_id == patient_id)
            .order_by(care_team_index.c.member_id)
        ).all()
    return tuple(row), tuple(map(tuple, stored)), tuple(map(tuple, team))


def _newest(container: Container, user: str, limit: int) -> AuditEvent | None:
    with container.unit(container.operator()) as uow:
        return next((e for e in uow.audit.events(limit=limit) if e.user == user), None)


def last_event(container: Container, user: str, *, limit: int = 500) -> AuditEvent:
    """The newest audit event of ``user`` among the last ``limit`` events (the test fails when there is none)."""
    found = _newest(container, user, limit)
    assert found is not None, f"no audit event of {user} among the last {limit}"
    return found


def last_action(container: Container, user: str, *, limit: int = 500) -> str | None:
    """The action of the newest audit event of ``user`` among the last ``limit`` events, or ``None``."""
    found = _newest(container, user, limit)
    return None if found is None else found.action
