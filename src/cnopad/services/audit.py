"""Audit-log use cases: verify the chain, list events, add an audit key."""

from __future__ import annotations

from pathlib import Path

from cnopad.store import AuditEvent, AuditReport, UnitOfWork, add_audit_key


def verify_audit(uow: UnitOfWork) -> AuditReport:
    """Check the whole hash chain; the check itself is recorded."""
    report = uow.audit.verify()
    uow.audit.append(
        uow.actor,
        "audit-verify",
        patient_id=None,
        purpose="audit",
        detail=f"rows={report.rows} problems={len(report.problems)}",
    )
    uow.commit()
    return report


def audit_events(uow: UnitOfWork, *, patient_id: str | None = None, limit: int = 50) -> list[AuditEvent]:
    """The newest audit events (optionally of one patient); reading the log is itself recorded."""
    events = uow.audit.events(patient_id=patient_id, limit=limit)
    uow.audit.append(uow.actor, "audit-read", patient_id=patient_id, purpose="audit", detail=f"events={len(events)}")
    uow.commit()
    return events


def rotate_audit_key(uow: UnitOfWork, key_file: Path) -> str:
    """Add a new key to the audit key file (it signs from the next start on); the rotation is recorded."""
    key_id = add_audit_key(key_file)
    uow.audit.append(uow.actor, "audit-key-added", patient_id=None, purpose="audit", detail=f"key={key_id}")
    uow.commit()
    return key_id
