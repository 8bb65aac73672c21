"""A workspace's settings."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.core.model import (
    WorkspaceSettings,
)
from bot.db.repository._rows import settings_of
from bot.db.repository.summary import recheck_workspace
from bot.db.schema import (
    WorkspaceRow,
)

# A Core statement on the session's connection: every /touch reads the settings.
_SETTINGS = select(WorkspaceRow.__table__).where(
    WorkspaceRow.__table__.c.team_id == bindparam("team_id")
)


def workspace_settings(session: Session, team_id: str) -> WorkspaceSettings:
    session.flush()  # a workspace row added or changed in this session: read it as it is now
    return settings_of(
        team_id, session.connection().execute(_SETTINGS, {"team_id": team_id}).first()
    )


def settings_by_team(session: Session, team_ids: Iterable[str]) -> dict[str, WorkspaceSettings]:
    """The settings of each workspace named, in one read (of every row: one per workspace, and
    no IN list to outgrow a driver's limit on parameters)."""
    rows = {row.team_id: row for row in session.scalars(select(WorkspaceRow))}
    return {team: settings_of(team, rows.get(team)) for team in team_ids}


def retention_settings(session: Session) -> list[WorkspaceSettings]:
    """The settings of every workspace that removes old notes (note_retention_days is set)."""
    rows = session.scalars(
        select(WorkspaceRow)
        .where(WorkspaceRow.note_retention_days.is_not(None))
        .order_by(WorkspaceRow.team_id)
    )
    return [settings_of(row.team_id, row) for row in rows]


def save_workspace_settings(session: Session, settings: WorkspaceSettings) -> None:
    """Save the settings and work out every client's next check with them. Writers of the
    summary wait meanwhile (PostgreSQL): the row is held FOR UPDATE."""
    row = session.scalar(
        select(WorkspaceRow).where(WorkspaceRow.team_id == settings.team_id).with_for_update()
    ) or WorkspaceRow(team_id=settings.team_id)
    row.cadence_a = settings.cadence_a
    row.cadence_b = settings.cadence_b
    row.cadence_c = settings.cadence_c
    row.cadence_untiered = settings.cadence_untiered
    row.renewal_window_days = settings.renewal_window_days
    row.nudge_hour = settings.nudge_hour
    row.holiday_country = settings.holiday_country
    row.renudge_days = settings.renudge_days
    row.claim_check_days = settings.claim_check_days
    row.date_order = settings.date_order
    row.recap_quotes = settings.recap_quotes
    row.notes_visible_to = settings.notes_visible_to.value
    row.note_retention_days = settings.note_retention_days
    row.renewal_alarm_days = settings.renewal_alarm_days
    row.recap_channel = settings.recap_channel
    row.timezone = settings.timezone
    row.admins = None if settings.admins is None else ",".join(sorted(settings.admins))
    session.add(row)
    session.flush()
    recheck_workspace(session, settings)
