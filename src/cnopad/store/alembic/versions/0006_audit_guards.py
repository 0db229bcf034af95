"""Audit log you can trust: a key id per row, a recorded boundary for rows written before keying,
a log id for the checkpoints, and guards on TRUNCATE (PostgreSQL) and on the head.

Existing rows keep their unkeyed SHA-256; ``audit_head.unkeyed_until`` records the last of them,
and the first keyed row links to it. ``cnopad.store.audit_guards`` holds the same trigger
definitions, for ``verify`` to compare with what the database holds.

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FORWARD_ONLY = "the audit head only moves forward, one appended row at a time"

SQLITE_TRIGGERS = {
    "audit_head_no_insert": "CREATE TRIGGER audit_head_no_insert BEFORE INSERT ON audit_head "
    f"BEGIN SELECT RAISE(ABORT, '{FORWARD_ONLY}'); END",
    "audit_head_no_delete": "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
    f"BEGIN SELECT RAISE(ABORT, '{FORWARD_ONLY}'); END",
    "audit_head_forward_only": "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head "
    "WHEN NEW.id IS NOT OLD.id OR NEW.seq IS NOT OLD.seq + 1 OR NEW.unkeyed_until IS NOT OLD.unkeyed_until "
    "OR NEW.chain_id IS NOT OLD.chain_id "
    "OR NOT EXISTS (SELECT 1 FROM audit_events WHERE seq = NEW.seq AND hash = NEW.hash) "
    f"BEGIN SELECT RAISE(ABORT, '{FORWARD_ONLY}'); END",
}

POSTGRES_FUNCTION = (
    "CREATE FUNCTION audit_head_forward_only() RETURNS trigger AS $$"
    " BEGIN"
    f" IF TG_OP <> 'UPDATE' THEN RAISE EXCEPTION '% refused: {FORWARD_ONLY}', TG_OP; END IF;"
    " IF NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1"
    " OR NEW.unkeyed_until IS DISTINCT FROM OLD.unkeyed_until OR NEW.chain_id IS DISTINCT FROM OLD.chain_id"
    " OR NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.seq = NEW.seq AND e.hash = NEW.hash)"
    f" THEN RAISE EXCEPTION '{FORWARD_ONLY}'; END IF;"
    " RETURN NEW; END; $$ LANGUAGE plpgsql"
)
POSTGRES_TRIGGERS = {
    "audit_events_no_truncate": "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
    "audit_head_forward_only": "CREATE TRIGGER audit_head_forward_only BEFORE INSERT OR UPDATE OR DELETE "
    "ON audit_head FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only()",
    "audit_head_no_truncate": "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_head_forward_only()",
}


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("key_id", sa.String(40), nullable=True))
    op.add_column("audit_head", sa.Column("unkeyed_until", sa.Integer, nullable=True))
    op.add_column("audit_head", sa.Column("chain_id", sa.String(32), nullable=True))
    # the rows written so far keep their unkeyed hashes; the first keyed row links to the last of them
    op.execute(
        sa.text("UPDATE audit_head SET unkeyed_until = seq, chain_id = :chain WHERE id = 1").bindparams(
            chain=uuid.uuid4().hex
        )
    )
    with op.batch_alter_table("audit_head") as batch:  # SQLite copies the table: it has no triggers yet
        batch.alter_column("unkeyed_until", existing_type=sa.Integer, nullable=False)
        batch.alter_column("chain_id", existing_type=sa.String(32), nullable=False)
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)
    else:
        op.execute(POSTGRES_FUNCTION)
        for statement in POSTGRES_TRIGGERS.values():
            op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    keyed = bind.execute(sa.text("SELECT seq > unkeyed_until FROM audit_head WHERE id = 1")).scalar()
    if keyed:
        msg = (
            "the audit log holds keyed rows, which the code of revision 0004 cannot verify; "
            "downgrading would make the log look tampered with"
        )
        raise RuntimeError(msg)
    if bind.dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        # DROP COLUMN in place: copying audit_events (batch mode) would drop its append-only triggers
        op.execute("ALTER TABLE audit_events DROP COLUMN key_id")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_head")
        op.execute("DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head")
        op.execute("DROP FUNCTION IF EXISTS audit_head_forward_only()")
        op.drop_column("audit_events", "key_id")
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("chain_id")
        batch.drop_column("unkeyed_until")
