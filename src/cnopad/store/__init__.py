"""The store: SQLAlchemy tables, repositories, the unit of work, the audit log, Alembic migrations."""

from cnopad.store.audit import AuditEvent, AuditLog, AuditReport
from cnopad.store.database import make_engine, migrate
from cnopad.store.emergency_access import EmergencyAccessRepository, EmergencyGrant
from cnopad.store.records import PatientSummary, RecordRepository, SaveStats
from cnopad.store.unit_of_work import Store, UnitOfWork
from cnopad.store.users import User, UserRepository, token_hash

__all__ = [
    "AuditEvent",
    "AuditLog",
    "AuditReport",
    "EmergencyAccessRepository",
    "EmergencyGrant",
    "PatientSummary",
    "RecordRepository",
    "SaveStats",
    "Store",
    "UnitOfWork",
    "User",
    "UserRepository",
    "make_engine",
    "migrate",
    "token_hash",
]
