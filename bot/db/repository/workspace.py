"""A workspace's settings."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.model import (
    NoteReaders,
    WorkspaceSettings,
)
from bot.db.schema import (
    WorkspaceRow,
)


def workspace_settings(session: Session, team_id: str) -> WorkspaceSettings:
    row = session.get(WorkspaceRow, team_id)
    return WorkspaceSettings(team_id) if row is None else _settings_of(row)


def retention_settings(session: Session) -> list[WorkspaceSettings]:
    """The settings of every workspace that removes old notes (note_retention_days is set)."""
    rows = session.scalars(
        select(WorkspaceRow)
        .where(WorkspaceRow.note_retention_days.is_not(None))
        .order_by(WorkspaceRow.team_id)
    )
    return [_settings_of(row) for row in rows]


def _settings_of(row: WorkspaceRow) -> WorkspaceSettings:
    return WorkspaceSettings(
        team_id=row.team_id,
        cadence_a=row.cadence_a,
        cadence_b=row.cadence_b,
        cadence_c=row.cadence_c,
        cadence_untiered=row.cadence_untiered,
        renewal_window_days=row.renewal_window_days,
        nudge_hour=row.nudge_hour,
        holiday_country=row.holiday_country,
        renudge_days=row.renudge_days,
        claim_check_days=row.claim_check_days,
        date_order=row.date_order,
        recap_quotes=row.recap_quotes,
        notes_visible_to=NoteReaders(row.notes_visible_to),
        note_retention_days=row.note_retention_days,
        renewal_alarm_days=row.renewal_alarm_days,
    )


def save_workspace_settings(session: Session, settings: WorkspaceSettings) -> None:
    row = session.get(WorkspaceRow, settings.team_id) or WorkspaceRow(team_id=settings.team_id)
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
    session.add(row)
