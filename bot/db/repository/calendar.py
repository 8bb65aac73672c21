"""Calendar feed links: one live link per rep, found by the SHA-256 of its token."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.core.model import CalendarLink
from bot.db.schema import CalendarFeedRow


def replace_calendar_link(
    session: Session, team_id: str, user_id: str, token_hash: str, now: dt.datetime
) -> None:
    """The rep's new link; whatever link they had stops working with this commit."""
    row = session.get(CalendarFeedRow, (team_id, user_id))
    if row is None:
        row = CalendarFeedRow(team_id=team_id, user_id=user_id)
        session.add(row)
    row.token_hash = token_hash
    row.created_at = now
    row.etag = None
    row.changed_at = None
    session.flush()


def revoke_calendar_link(session: Session, team_id: str, user_id: str) -> bool:
    """Whether the rep had a link to revoke."""
    result = session.execute(
        delete(CalendarFeedRow).where(
            CalendarFeedRow.team_id == team_id, CalendarFeedRow.user_id == user_id
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def calendar_link(session: Session, token_hash: str) -> CalendarLink | None:
    row = session.scalar(select(CalendarFeedRow).where(CalendarFeedRow.token_hash == token_hash))
    if row is None:
        return None
    return CalendarLink(row.team_id, row.user_id, row.created_at, row.etag, row.changed_at)


def calendar_feed_changed(
    session: Session, token_hash: str, etag: str, changed_at: dt.datetime
) -> None:
    """Remember the feed's new content; nothing if that link was replaced or revoked meanwhile."""
    session.execute(
        update(CalendarFeedRow)
        .where(CalendarFeedRow.token_hash == token_hash)
        .values(etag=etag, changed_at=changed_at)
    )
