"""Follow-ups handed over from a rep who left, and workspaces that uninstalled the app.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

Written by hand.

- touch.promise_owner: who keeps a follow-up when not the rep who promised it, set when an
  admin gives a departed rep's client a new owner. Rewriting touch.rep_id instead would change
  who made the contact (the client's history, the recap's thanks). Nearly every row leaves it
  NULL, so its index is partial: only the handed-over follow-ups are in it.
- workspace.uninstalled_at: when Slack said the app was uninstalled or its token revoked.

Both columns are nullable: adding them rewrites no rows, on SQLite (ALTER TABLE ADD COLUMN)
as on PostgreSQL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HANDED_OVER = sa.text("promise_owner IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("touch") as batch_op:
        batch_op.add_column(sa.Column("promise_owner", sa.String(length=32), nullable=True))
    op.create_index(
        "ix_touch_team_promise_owner",
        "touch",
        ["team_id", "promise_owner"],
        sqlite_where=HANDED_OVER,
        postgresql_where=HANDED_OVER,
    )
    with op.batch_alter_table("workspace") as batch_op:
        batch_op.add_column(sa.Column("uninstalled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspace") as batch_op:
        batch_op.drop_column("uninstalled_at")
    op.drop_index("ix_touch_team_promise_owner", table_name="touch")
    with op.batch_alter_table("touch") as batch_op:
        batch_op.drop_column("promise_owner")
