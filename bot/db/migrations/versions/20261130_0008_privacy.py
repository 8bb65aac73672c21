"""Privacy: private touches, the workspace's privacy settings, and the audit log.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

Written by hand. The new NOT NULL columns get server defaults, so existing rows read as the
product's defaults: touches not private, no quotes in the recap, notes readable by the team.
`audit.client_id` has no foreign key on purpose: an entry outlives the client it names.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("touch") as batch_op:
        batch_op.add_column(
            sa.Column("private", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("workspace") as batch_op:
        batch_op.add_column(
            sa.Column("recap_quotes", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "notes_visible_to", sa.String(length=16), server_default="team", nullable=False
            )
        )
        batch_op.add_column(sa.Column("note_retention_days", sa.Integer(), nullable=True))
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    op.create_index("ix_audit_team_at", "audit", ["team_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_team_at", table_name="audit")
    op.drop_table("audit")
    with op.batch_alter_table("workspace") as batch_op:
        batch_op.drop_column("note_retention_days")
        batch_op.drop_column("notes_visible_to")
        batch_op.drop_column("recap_quotes")
    with op.batch_alter_table("touch") as batch_op:
        batch_op.drop_column("private")
