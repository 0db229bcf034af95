"""SQLAlchemy tables of the store. Alembic migrations in ``store/alembic`` create and change them."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: one row per patient: the Patient itself (pseudonymous id, birth date, sex, name) as JSON plus search columns
patients = Table(
    "patients",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=True),
    Column("birth_date", Date, nullable=False),
    Column("payload", Text, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

#: every record entry (condition, medication, observation, ...) as canonical JSON, keyed by kind and id
entries = Table(
    "entries",
    metadata,
    Column("patient_id", String(64), ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("entry_id", String(128), primary_key=True),
    Column("payload", Text, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

#: who is in whose care team, by practitioner identifier (for role-based access: a GP sees their patients)
care_team_index = Table(
    "care_team_index",
    metadata,
    Column("patient_id", String(64), ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", String(128), primary_key=True),
    Column("identifier_system", String(200), nullable=False),
    Column("identifier_value", String(200), nullable=False),
    Column("roles", String(200), nullable=False),
    Index("ix_care_team_index_identifier", "identifier_system", "identifier_value"),
)

#: NEN 7513 audit log: append-only (database triggers refuse UPDATE and DELETE) and hash-chained
audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_name", String(200), nullable=False),
    Column("user_role", String(40), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("action", String(40), nullable=False),
    Column("patient_id", String(64), nullable=True, index=True),
    Column("purpose", String(80), nullable=False),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

#: the newest audit row's number and hash: appenders lock it (PostgreSQL) and it reveals a cut-off tail
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

#: people who use cnopad, their role, and hashes of their API token and password (never the secrets)
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(120), nullable=False, unique=True),
    Column("role", String(40), nullable=False),
    Column("token_hash", String(64), nullable=True, unique=True),
    Column("password_hash", String(200), nullable=True),
    Column("practitioner_system", String(200), nullable=True),
    Column("practitioner_value", String(200), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
