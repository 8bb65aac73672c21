"""Requests already seen, so replays of signed requests and Slack's retries do nothing twice.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

Written by hand: one small table keyed by a SHA-256, written by every web process with an
insert that does nothing on conflict, and pruned by age (hence the index on seen_at).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "seen_request",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_seen_request")),
    )
    op.create_index("ix_seen_request_seen_at", "seen_request", ["seen_at"])


def downgrade() -> None:
    op.drop_index("ix_seen_request_seen_at", table_name="seen_request")
    op.drop_table("seen_request")
