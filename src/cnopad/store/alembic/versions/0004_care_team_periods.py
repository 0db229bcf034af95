"""Care-team index: the period of each membership, so a member whose membership ended loses access.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("care_team_index") as batch:
        batch.add_column(sa.Column("start_date", sa.Date, nullable=True))
        batch.add_column(sa.Column("end_date", sa.Date, nullable=True))
    # fill the periods of existing rows from the stored care-team entries (start/end as ISO dates)
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT patient_id, entry_id, payload FROM entries WHERE kind = 'care_team'")).all()
    for patient_id, entry_id, payload in rows:
        member = json.loads(payload)
        start = date.fromisoformat(member["start"]) if member.get("start") else None
        end = date.fromisoformat(member["end"]) if member.get("end") else None
        if start is None and end is None:
            continue
        bind.execute(
            sa.text(
                "UPDATE care_team_index SET start_date = :start, end_date = :end "
                "WHERE patient_id = :patient AND member_id = :member"
            ),
            {"start": start, "end": end, "patient": patient_id, "member": entry_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("care_team_index") as batch:
        batch.drop_column("end_date")
        batch.drop_column("start_date")
