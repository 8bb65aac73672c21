"""Pending touches: a `/touch` waiting for the rep to pick which client they meant."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.core.model import PendingTouch
from bot.db.schema import PendingTouchRow


def add_pending_touch(
    session: Session, team_id: str, rep_id: str, note: str, day: dt.date | None, now: dt.datetime
) -> int:
    """Keep the touch until the rep picks its client; returns the ID the buttons carry."""
    row = PendingTouchRow(team_id=team_id, rep_id=rep_id, note=note, day=day, created_at=now)
    session.add(row)
    session.flush()
    return row.id


def lock_pending_touch(
    session: Session, team_id: str, rep_id: str, pending_id: int, since: dt.datetime
) -> PendingTouch | None:
    """The rep's pending touch if it was typed at or after `since`, locked until the transaction
    ends, so of two clicks at once the second waits and then sees it logged."""
    row = session.scalar(
        select(PendingTouchRow)
        .where(
            PendingTouchRow.team_id == team_id,
            PendingTouchRow.id == pending_id,
            PendingTouchRow.rep_id == rep_id,
            PendingTouchRow.created_at >= since,
        )
        .with_for_update()
    )
    if row is None:
        return None
    return PendingTouch(row.id, row.note, row.day, row.logged_at is not None)


def mark_pending_logged(session: Session, pending_id: int, now: dt.datetime) -> None:
    session.execute(
        update(PendingTouchRow).where(PendingTouchRow.id == pending_id).values(logged_at=now)
    )


def prune_pending_touches(session: Session, before: dt.datetime) -> None:
    """Drop the pending touches typed before `before`, picked or not."""
    session.execute(delete(PendingTouchRow).where(PendingTouchRow.created_at < before))
