"""Calendar feeds, client anniversaries, and the renewal alarm setting.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

Written by hand.

- calendar_feed: one live feed link per rep. Only the SHA-256 of the link's token is stored
  (unique: a feed is found by it), so a link can be shown only when it is made. `etag` and
  `changed_at` are the feed's content as last served, for conditional requests.
- client.client_since: the day the client became a client, for anniversaries; NULL means the
  day it was added (created_at), so existing rows need no value.
- workspace.renewal_alarm_days: how many days before a renewal the feed's alarm rings. NOT NULL
  with a server default, so existing workspaces read the product's default, 14.

The new columns are nullable or have a server default: adding them rewrites no rows, on SQLite
(ALTER TABLE ADD COLUMN) as on PostgreSQL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_feed",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_calendar_feed")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_token_hash")),
    )
    with op.batch_alter_table("client") as batch_op:
        batch_op.add_column(sa.Column("client_since", sa.Date(), nullable=True))
    with op.batch_alter_table("workspace") as batch_op:
        batch_op.add_column(
            sa.Column("renewal_alarm_days", sa.Integer(), server_default="14", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("workspace") as batch_op:
        batch_op.drop_column("renewal_alarm_days")
    with op.batch_alter_table("client") as batch_op:
        batch_op.drop_column("client_since")
    op.drop_table("calendar_feed")
