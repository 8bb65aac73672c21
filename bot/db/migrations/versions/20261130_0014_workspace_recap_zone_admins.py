"""A workspace's recap channel, time zone and admins, set from Slack or `touchbase settings`.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30

Written by hand: three nullable columns. NULL means the default: the environment's
TOUCHBASE_RECAP_CHANNEL, TOUCHBASE_TIMEZONE and TOUCHBASE_ADMINS for a single workspace, so an
upgraded deployment behaves as before until someone sets a value.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(sa.Column("recap_channel", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("admins", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("admins")
        batch.drop_column("timezone")
        batch.drop_column("recap_channel")
