"""The workspaces of each organization that installed Touchbase org-wide (Enterprise Grid).

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30

Written by hand. An org-wide install's token belongs to the organization, not to a workspace:
`slack_org_teams` links each workspace that Slack's signed requests show under the
organization to it, so the nudge pass and the recap reach those workspaces with its token. The
table starts empty: the links come with the next request from each workspace.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_org_teams",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("enterprise_id", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name="pk_slack_org_teams"),
    )
    op.create_index("ix_slack_org_teams_enterprise_id", "slack_org_teams", ["enterprise_id"])


def downgrade() -> None:
    op.drop_index("ix_slack_org_teams_enterprise_id", table_name="slack_org_teams")
    op.drop_table("slack_org_teams")
