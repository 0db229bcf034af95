"""The store: SQLAlchemy tables, repositories, the unit of work, the audit log, Alembic migrations."""

from cnopad.store.audit import AuditEvent, AuditLog, AuditReport, audit_is_keyed
from cnopad.store.audit_checkpoints import CheckpointLog
from cnopad.store.audit_keys import AuditKeyring, add_audit_key, open_keyring
from cnopad.store.database import make_engine, migrate
from cnopad.store.emergency_access import EmergencyAccessRepository, EmergencyGrant
from cnopad.store.records import PatientSummary, RecordRepository, SaveStats
from cnopad.store.unit_of_work import Store, UnitOfWork
from cnopad.store.users import User, UserRepository, token_hash

__all__ = [
    "AuditEvent",
    "AuditKeyring",
    "AuditLog",
    "AuditReport",
    "CheckpointLog",
    "EmergencyAccessRepository",
    "EmergencyGrant",
    "PatientSummary",
    "RecordRepository",
    "SaveStats",
    "Store",
    "UnitOfWork",
    "User",
    "UserRepository",
    "add_audit_key",
    "audit_is_keyed",
    "make_engine",
    "migrate",
    "open_keyring",
    "token_hash",
]
