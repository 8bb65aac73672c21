"""Touches: recording, flipping, undoing and reading them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from bot.core.model import (
    Kind,
    NewTouch,
    Touch,
)
from bot.db.repository._rows import (
    touch_of,
)
from bot.db.repository.summary import refresh_after_touch, refresh_summaries
from bot.db.schema import (
    TouchRow,
)

# One Core statement on the session's connection, its id returned: no ORM object to build and
# flush on every /touch, nor the ORM's per-statement work.
_INSERT_TOUCH = insert(TouchRow).returning(TouchRow.id)


def add_touch(session: Session, new: NewTouch) -> Touch:
    touch_id = session.connection().execute(_INSERT_TOUCH, _touch_values(new)).scalar()
    assert touch_id is not None
    refresh_after_touch(session, new)
    return Touch(
        id=touch_id,
        team_id=new.team_id,
        client_id=new.client_id,
        rep_id=new.rep_id,
        occurred_at=new.occurred_at,
        logged_at=new.logged_at,
        note=new.note,
        kind=new.kind,
        source=new.source,
        follow_up_on=new.follow_up_on,
        about_problem=new.about_problem,
        private=new.private,
    )


def _touch_values(t: NewTouch) -> dict[str, object]:
    return {
        "team_id": t.team_id,
        "client_id": t.client_id,
        "rep_id": t.rep_id,
        "occurred_at": t.occurred_at,
        "logged_at": t.logged_at,
        "note": t.note,
        "kind": t.kind.value,
        "source": t.source.value,
        "follow_up_on": t.follow_up_on,
        "about_problem": t.about_problem,
        "private": t.private,
    }


def add_touches(session: Session, touches: Sequence[NewTouch]) -> int:
    """Bulk insert, for imports and seeding; returns how many were written."""
    if not touches:
        return 0
    session.execute(insert(TouchRow), [_touch_values(t) for t in touches])
    clients: dict[str, set[int]] = {}
    for t in touches:
        clients.setdefault(t.team_id, set()).add(t.client_id)
    for team_id, client_ids in clients.items():
        refresh_summaries(session, team_id, client_ids)
    return len(touches)


def get_touch(session: Session, team_id: str, touch_id: int) -> Touch | None:
    row = session.scalar(
        select(TouchRow).where(TouchRow.team_id == team_id, TouchRow.id == touch_id)
    )
    return touch_of(row) if row else None


def set_touch_kind(session: Session, team_id: str, touch_id: int, kind: Kind) -> None:
    client_ids = session.scalars(
        update(TouchRow)
        .where(TouchRow.team_id == team_id, TouchRow.id == touch_id)
        .values(kind=kind.value)
        .returning(TouchRow.client_id)
    )
    refresh_summaries(session, team_id, client_ids)


def delete_touch(session: Session, team_id: str, touch_id: int) -> None:
    client_ids = session.scalars(
        delete(TouchRow)
        .where(TouchRow.team_id == team_id, TouchRow.id == touch_id)
        .returning(TouchRow.client_id)
    )
    refresh_summaries(session, team_id, client_ids)


def latest_touch_logged_by(session: Session, team_id: str, rep_id: str) -> Touch | None:
    row = session.scalar(
        select(TouchRow)
        .where(TouchRow.team_id == team_id, TouchRow.rep_id == rep_id)
        .order_by(TouchRow.logged_at.desc(), TouchRow.id.desc())
        .limit(1)
    )
    return touch_of(row) if row else None


def recent_touches(session: Session, team_id: str, client_id: int, limit: int = 5) -> list[Touch]:
    rows = session.scalars(
        select(TouchRow)
        .where(TouchRow.team_id == team_id, TouchRow.client_id == client_id)
        .order_by(TouchRow.occurred_at.desc(), TouchRow.id.desc())
        .limit(limit)
    )
    return [touch_of(r) for r in rows]


def all_touches(session: Session, team_id: str) -> list[Touch]:
    rows = session.scalars(
        select(TouchRow).where(TouchRow.team_id == team_id).order_by(TouchRow.id)
    )
    return [touch_of(r) for r in rows]


def count_touches(session: Session, team_id: str) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(TouchRow).where(TouchRow.team_id == team_id)
        )
        or 0
    )
