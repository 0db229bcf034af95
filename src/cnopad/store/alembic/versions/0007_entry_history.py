"""Entry history and voiding: who wrote, changed or voided each entry, when and why; a voided entry keeps
its row with status ``entered-in-error``.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entries") as batch:
        batch.add_column(sa.Column("status", sa.String(20), nullable=False, server_default="current"))
    op.create_table(
        "entry_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "patient_id",
            sa.String(64),
            sa.ForeignKey("patients.id", ondelete="CASCADE", name="fk_entry_history_patient_id_patients"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("entry_id", sa.String(128), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("user_role", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_entry_history"),
    )
    op.create_index("ix_entry_history_patient_entry", "entry_history", ["patient_id", "kind", "entry_id"])


def downgrade() -> None:
    op.drop_index("ix_entry_history_patient_entry", table_name="entry_history")
    op.drop_table("entry_history")
    with op.batch_alter_table("entries") as batch:
        batch.drop_column("status")
