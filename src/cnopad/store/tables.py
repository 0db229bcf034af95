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
    # "current", or "entered-in-error" (voided with a reason: kept, exported so, never assessed)
    Column("status", String(20), nullable=False, server_default="current"),
)

#: who wrote, changed or voided which entry, when, and why (a void): the record's own history, per entry
entry_history = Table(
    "entry_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient_id", String(64), ForeignKey("patients.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("entry_id", String(128), nullable=False),
    Column("action", String(20), nullable=False),  # record, import, void (the audit log's action words)
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_name", String(200), nullable=False),
    Column("user_role", String(40), nullable=False),
    Column("reason", Text, nullable=True),
    Index("ix_entry_history_patient_entry", "patient_id", "kind", "entry_id"),
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
    Column("start_date", Date, nullable=True),
    Column("end_date", Date, nullable=True),
    Index("ix_care_team_index_identifier", "identifier_system", "identifier_value"),
)

#: NEN 7513 audit log: append-only (database triggers refuse UPDATE, DELETE and TRUNCATE) and chained by
#: HMAC-SHA256 under the key ``key_id`` (NULL: a row written before keying, with the unkeyed SHA-256)
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
    Column("key_id", String(40), nullable=True),
)

#: the newest audit row's number and hash: appenders lock it (PostgreSQL) and it reveals a cut-off tail.
#: Triggers let it move only forward. ``unkeyed_until``: the last row written before keying (migration
#: 0006); ``chain_id``: this log's id in the checkpoint file.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("unkeyed_until", Integer, nullable=False),
    Column("chain_id", String(32), nullable=False),
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

#: signed-in web sessions: only a hash of the random session id is kept, with the session's CSRF token
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_name", String(120), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

#: per patient, a summary of the newest assessment (counts of due tasks and cards) so a worklist is one query
assessment_cache = Table(
    "assessment_cache",
    metadata,
    Column("patient_id", String(64), ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True),
    Column("as_of", Date, nullable=False),
    Column("knowledge_version", String(500), nullable=False),  # its SHA-256 (assessment_cache.fingerprint)
    Column("computed_at", DateTime(timezone=True), nullable=False),
    Column("summary", Text, nullable=False),
)

#: cards cnopad returned through CDS Hooks: uuid -> rule (no patient data), to attribute feedback to rules
cds_cards = Table(
    "cds_cards",
    metadata,
    Column("uuid", String(64), primary_key=True),
    Column("rule_id", String(120), nullable=False),
    Column("service_id", String(80), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
)

#: CDS Hooks feedback: accepted or overridden cards, with the override reason
cds_feedback = Table(
    "cds_feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("service_id", String(80), nullable=False),
    Column("card_uuid", String(200), nullable=False),
    Column("rule_id", String(120), nullable=True),
    Column("outcome", String(20), nullable=False),
    Column("reason_system", String(300), nullable=True),
    Column("reason_code", String(200), nullable=True),
    Column("reason_display", String(300), nullable=True),
    Column("user_comment", Text, nullable=True),
    Column("accepted_suggestions", Text, nullable=True),
    Column("outcome_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("client", String(300), nullable=False),
    # the web app's card actions (migration 0008): on whose card, by whom, snoozed until, undone when and by whom
    Column("patient_id", String(64), nullable=True),
    Column("user_name", String(200), nullable=True),
    Column("snooze_until", Date, nullable=True),
    Column("undone_at", DateTime(timezone=True), nullable=True),
    Column("undone_by", String(200), nullable=True),
    Index("ix_cds_feedback_patient", "patient_id", "card_uuid"),
)

#: JWT ids already seen per issuer, kept until the token expires (CDS Hooks replay protection)
cds_jwt_ids = Table(
    "cds_jwt_ids",
    metadata,
    Column("issuer", String(300), primary_key=True),
    Column("jti", String(300), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)

#: emergency access ("break-glass", NEN 7510): a clinician outside the care team opens one record for a limited
#: time, with a reason; the grant never makes them a care-team member (migration 0005)
emergency_access = Table(
    "emergency_access",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient_id", String(64), ForeignKey("patients.id", ondelete="CASCADE"), nullable=False),
    Column("user_name", String(200), nullable=False),
    Column("user_role", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_emergency_access_patient_user", "patient_id", "user_name", "expires_at"),
)

#: "which patients changed since their summary was computed?" is asked on every worklist view (migration 0002)
Index("ix_entries_patient_updated", entries.c.patient_id, entries.c.updated_at)
