"""Audit-log use cases: verify the chain, list events."""

from __future__ import annotations

from cnopad.store import AuditEvent, AuditReport, UnitOfWork


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
