"""Card actions in the web app share the CDS Hooks feedback store: the patient, the user, a snooze date and
an undo (who and when) on each outcome, so one report counts both surfaces and an action can be reversed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_NAMES = ("patient_id", "user_name", "snooze_until", "undone_at", "undone_by")


def _columns() -> tuple[sa.Column[object], ...]:
    return (
        sa.Column("patient_id", sa.String(64), nullable=True),
        sa.Column("user_name", sa.String(200), nullable=True),
        sa.Column("snooze_until", sa.Date, nullable=True),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sa.String(200), nullable=True),
    )


def upgrade() -> None:
    with op.batch_alter_table("cds_feedback") as batch:
        for column in _columns():
            batch.add_column(column)
    # "what has the team done with this patient's cards?" is asked on every patient page
    op.create_index("ix_cds_feedback_patient", "cds_feedback", ["patient_id", "card_uuid"])


def downgrade() -> None:
    op.drop_index("ix_cds_feedback_patient", table_name="cds_feedback")
    with op.batch_alter_table("cds_feedback") as batch:
        for name in reversed(_NAMES):
            batch.drop_column(name)
