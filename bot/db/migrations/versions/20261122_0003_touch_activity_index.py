"""Covering indexes for the nudge pass's and a rep's per-client aggregates.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Written by hand from what bench/nudge_pass.py and bench/touch_latency.py measured
(docs/benchmarks.md):

- ix_touch_team_client_occurred (team, client, occurred_at) becomes
  ix_touch_team_client_activity, the same columns plus kind, about_problem, follow_up_on and
  rep_id, so `client_activity`'s GROUP BY and each client's latest promise are read from the
  index alone, in client order. Before, SQLite walked (team, occurred_at) and looked every
  touch up in the table, then sorted: at 100k clients (2M touches) the bare GROUP BY took
  ~6 s, with this index ~1.3 s. Its prefix still serves a client's recent touches.
- ix_touch_team_rep_logged (team, rep, logged_at) also covers follow_up_on and client_id, so
  the clients a rep promised a follow-up to (their home tab, /touch list) are found without
  reading the table: at 100k clients one rep's `client_activity` went from ~0.7 s to ~40 ms.

The new activity index is built before the old one goes, so the pass always has one. On
PostgreSQL each build holds a write lock on `touch` for its duration (seconds for millions of
rows).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVITY = ["team_id", "client_id", "occurred_at", "kind", "about_problem", "follow_up_on", "rep_id"]
REP_LOGGED = ["team_id", "rep_id", "logged_at"]


def upgrade() -> None:
    op.create_index("ix_touch_team_client_activity", "touch", ACTIVITY)
    op.drop_index("ix_touch_team_client_occurred", table_name="touch")
    op.drop_index("ix_touch_team_rep_logged", table_name="touch")
    op.create_index(
        "ix_touch_team_rep_logged", "touch", [*REP_LOGGED, "follow_up_on", "client_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_touch_team_rep_logged", table_name="touch")
    op.create_index("ix_touch_team_rep_logged", "touch", REP_LOGGED)
    op.create_index(
        "ix_touch_team_client_occurred", "touch", ["team_id", "client_id", "occurred_at"]
    )
    op.drop_index("ix_touch_team_client_activity", table_name="touch")
