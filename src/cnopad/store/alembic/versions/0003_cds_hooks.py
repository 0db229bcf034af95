"""CDS Hooks: issued cards (uuid -> rule), feedback, and the JWT replay cache.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cds_cards",
        sa.Column("uuid", sa.String(64), nullable=False),
        sa.Column("rule_id", sa.String(120), nullable=False),
        sa.Column("service_id", sa.String(80), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("uuid", name="pk_cds_cards"),
    )
    op.create_table(
        "cds_feedback",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("service_id", sa.String(80), nullable=False),
        sa.Column("card_uuid", sa.String(200), nullable=False),
        sa.Column("rule_id", sa.String(120), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("reason_system", sa.String(300), nullable=True),
        sa.Column("reason_code", sa.String(200), nullable=True),
        sa.Column("reason_display", sa.String(300), nullable=True),
        sa.Column("user_comment", sa.Text, nullable=True),
        sa.Column("accepted_suggestions", sa.Text, nullable=True),
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client", sa.String(300), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cds_feedback"),
    )
    op.create_table(
        "cds_jwt_ids",
        sa.Column("issuer", sa.String(300), nullable=False),
        sa.Column("jti", sa.String(300), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("issuer", "jti", name="pk_cds_jwt_ids"),
    )
    op.create_index("ix_cds_jwt_ids_expires_at", "cds_jwt_ids", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_cds_jwt_ids_expires_at", table_name="cds_jwt_ids")
    for table in ("cds_jwt_ids", "cds_feedback", "cds_cards"):
        op.drop_table(table)
