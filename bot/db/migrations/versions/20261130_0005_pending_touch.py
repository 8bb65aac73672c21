"""Pending touches: a `/touch` waiting for the rep to pick which client they meant.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

Written by hand. The pick buttons used to carry the note as JSON, and Slack's 2,000 characters
per button value cut notes short (a CJK character is six once JSON-escaped); they now carry
this table's ID. Rows are pruned by age, hence the index on created_at.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_touch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("rep_id", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_touch")),
    )
    op.create_index("ix_pending_touch_created_at", "pending_touch", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_pending_touch_created_at", table_name="pending_touch")
    op.drop_table("pending_touch")
