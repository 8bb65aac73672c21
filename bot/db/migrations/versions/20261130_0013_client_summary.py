"""A summary row per client, so the nudge pass reads only the clients that can be due.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30

Written by hand. `client_summary` holds what the nudge rules need from each client's touches
(kept by every write, see bot/db/repository/summary.py) and `next_check_on`, the first day a
rule could fire for the client; the index on (team_id, next_check_on) is the pass's read.

The rows are filled here from the touches with one INSERT ... SELECT, so the pass is right at
once. The day can't be worked out in SQL (it takes the rules' own arithmetic), so every active
client starts due for a look, as if the pass read the whole book like before; the nightly
summary check, or `touchbase db check-summary --repair` straight after the upgrade, moves each
day forward.
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The latest promise's date or keeper (its rep, unless handed over to a new owner when they
# left): on a tie, the one logged last.
LATEST_PROMISE = """(
    SELECT {column} FROM touch p
    WHERE p.team_id = c.team_id AND p.client_id = c.id AND p.occurred_at = f.promise_at
      AND p.follow_up_on IS NOT NULL
    ORDER BY p.id DESC LIMIT 1
)"""

BACKFILL = f"""
INSERT INTO client_summary (
    client_id, team_id, last_touch_at, last_value_at, promise_due, promise_made_at, promise_by,
    problem_at, last_logged_at, next_check_on
)
SELECT c.id, c.team_id, f.last_at, f.value_at, {LATEST_PROMISE.format(column="p.follow_up_on")},
       f.promise_at, {LATEST_PROMISE.format(column="coalesce(p.promise_owner, p.rep_id)")},
       f.problem_at, f.logged_at,
       CASE WHEN c.status = 'archived' THEN NULL ELSE :look_now END
FROM client c
LEFT JOIN (
    SELECT team_id, client_id,
           max(occurred_at) AS last_at,
           max(CASE WHEN kind = 'value' THEN occurred_at END) AS value_at,
           max(CASE WHEN about_problem THEN occurred_at END) AS problem_at,
           max(CASE WHEN follow_up_on IS NOT NULL THEN occurred_at END) AS promise_at,
           max(logged_at) AS logged_at
    FROM touch
    GROUP BY team_id, client_id
) f ON f.team_id = c.team_id AND f.client_id = c.id
"""


def upgrade() -> None:
    op.create_table(
        "client_summary",
        sa.Column("client_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("last_touch_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_value_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("promise_due", sa.Date(), nullable=True),
        sa.Column("promise_made_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("promise_by", sa.String(length=32), nullable=True),
        sa.Column("problem_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_logged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_check_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_client_summary_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_client_summary")),
    )
    op.create_index(
        "ix_client_summary_team_next_check", "client_summary", ["team_id", "next_check_on"]
    )
    op.execute(
        sa.text(BACKFILL).bindparams(sa.bindparam("look_now", dt.date(1970, 1, 1), sa.Date()))
    )


def downgrade() -> None:
    op.drop_index("ix_client_summary_team_next_check", table_name="client_summary")
    op.drop_table("client_summary")
