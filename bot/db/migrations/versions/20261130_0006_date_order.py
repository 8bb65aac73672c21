"""A workspace's date order: how /touch reads a day written in numbers, such as 11/12.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

Written by hand: one column with a server default, so existing workspaces read MDY.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(
            sa.Column("date_order", sa.String(length=3), server_default="MDY", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("date_order")
