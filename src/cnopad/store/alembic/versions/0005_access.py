"""Emergency access ("break-glass"): time-limited grants for a clinician outside a patient's care team.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "emergency_access",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("patient_id", sa.String(64), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("user_role", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_emergency_access"),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], ondelete="CASCADE", name="fk_emergency_access_patient_id_patients"
        ),
    )
    # "does this user hold a current grant for this patient?" is asked on every refused-by-care-team access
    op.create_index(
        "ix_emergency_access_patient_user", "emergency_access", ["patient_id", "user_name", "expires_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_emergency_access_patient_user", table_name="emergency_access")
    op.drop_table("emergency_access")
