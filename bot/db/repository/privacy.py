"""Privacy requests and rules: erasing a client, reading all of one client's touches for an
access request, and removing the text of old notes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, Update, delete, select, update
from sqlalchemy.orm import Session

from bot.core.model import Touch
from bot.db.repository._rows import touch_of
from bot.db.repository.clients import book_changed
from bot.db.schema import ClientRow, NudgeRow, PendingTouchRow, SnoozeRow, TouchRow


@dataclass(frozen=True)
class Erased:
    """How many rows went with the client."""

    touches: int
    nudges: int
    snoozes: int
    pending_touches: int


def _rowcount(session: Session, statement: Delete | Update) -> int:
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def erase_client(session: Session, team_id: str, client_id: int) -> Erased | None:
    """Delete the client, its touches, the reminders that named it and its snoozes; None when
    there is no such client. Tables added later reach the client by a cascading foreign key.

    The workspace's pending touches go too. They hold notes typed before the rep picked the
    client, with no client id: the note may be about this client yet needn't name it (the rep
    typed a prefix or a typo). Erasures are rare, and the cost is small: a rep picking a
    client at that very moment is asked to send the /touch again.
    """
    found = session.scalar(
        select(ClientRow.id)
        .where(ClientRow.team_id == team_id, ClientRow.id == client_id)
        .with_for_update()
    )
    if found is None:
        return None
    erased = Erased(
        touches=_rowcount(
            session,
            delete(TouchRow).where(TouchRow.team_id == team_id, TouchRow.client_id == client_id),
        ),
        nudges=_rowcount(
            session,
            delete(NudgeRow).where(NudgeRow.team_id == team_id, NudgeRow.client_id == client_id),
        ),
        snoozes=_rowcount(
            session,
            delete(SnoozeRow).where(SnoozeRow.team_id == team_id, SnoozeRow.client_id == client_id),
        ),
        pending_touches=_rowcount(
            session, delete(PendingTouchRow).where(PendingTouchRow.team_id == team_id)
        ),
    )
    session.execute(delete(ClientRow).where(ClientRow.id == client_id))
    book_changed(session, team_id)
    return erased


def client_touches(session: Session, team_id: str, client_id: int) -> list[Touch]:
    """Every touch with the client, oldest first."""
    rows = session.scalars(
        select(TouchRow)
        .where(TouchRow.team_id == team_id, TouchRow.client_id == client_id)
        .order_by(TouchRow.occurred_at, TouchRow.id)
    )
    return [touch_of(r) for r in rows]


def remove_old_notes(session: Session, team_id: str, before: dt.datetime, removed: str) -> int:
    """Replace the text of every note on a touch that happened before `before` with `removed`,
    keeping the touch (its day, kind, promise and client). Returns how many notes changed."""
    return _rowcount(
        session,
        update(TouchRow)
        .where(
            TouchRow.team_id == team_id,
            TouchRow.occurred_at < before,
            TouchRow.note != removed,
        )
        .values(note=removed),
    )
