"""Evidence from the flip button: per workspace and word, how often reps flipped to each kind.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

Written by hand: one small table keyed by (team, word), read for the words of one note.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kind_evidence",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("word", sa.String(length=64), nullable=False),
        sa.Column("to_value", sa.Integer(), nullable=False),
        sa.Column("to_routine", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "word", name=op.f("pk_kind_evidence")),
    )


def downgrade() -> None:
    op.drop_table("kind_evidence")
