"""A version of each workspace's book, for the name index each process keeps.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

Written by hand.

- workspace.book_version: bumped by every change to the workspace's clients (a BIGINT: a
  workspace without a row starts at the time in microseconds, past any version it had). A process reads
  it with one primary-key lookup per command and, when it moved, reads only the clients
  changed since the version its index holds.
- client.changed_version: the book_version of the client's last change; indexed with team_id
  for that read.

Both are NOT NULL with a server default of 0, so adding them rewrites no rows; a process
starting on an existing book reads it whole once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "workspace", sa.Column("book_version", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.add_column(
        "client", sa.Column("changed_version", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.create_index("ix_client_team_changed", "client", ["team_id", "changed_version"])


def downgrade() -> None:
    op.drop_index("ix_client_team_changed", table_name="client")
    op.drop_column("client", "changed_version")
    op.drop_column("workspace", "book_version")
