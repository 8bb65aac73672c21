"""The touches a rep is reminded of: each client's last value-adding contact, and the touch that
made its latest promise. Read only for the few clients on a morning note or a Home tab, or in
one rep's calendar feed, never for a whole book."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from bot.core.model import Kind, Touch
from bot.db.repository._rows import touch_of
from bot.db.schema import TouchRow


def _latest_select(which: Any) -> Select[Any]:
    """The latest touch of each client that is `which`, as of :now, among :client_ids of the
    workspace :team_id, as plain rows: the ORM's objects cost more than the query itself."""
    latest = (
        select(TouchRow.client_id, func.max(TouchRow.occurred_at).label("at"))
        .where(
            TouchRow.team_id == bindparam("team_id"),
            TouchRow.client_id.in_(bindparam("client_ids", expanding=True)),
            TouchRow.occurred_at <= bindparam("now"),
            which,
        )
        .group_by(TouchRow.client_id)
        .subquery()
    )
    return (
        select(*TouchRow.__table__.c)
        .join(
            latest,
            (TouchRow.client_id == latest.c.client_id) & (TouchRow.occurred_at == latest.c.at),
        )
        .where(TouchRow.team_id == bindparam("team_id"), which)
        .order_by(TouchRow.id)
    )


# Built once: building them took as long as running them, for every workspace of a pass.
_LAST_VALUE = _latest_select(TouchRow.kind == Kind.VALUE.value)
_PROMISE = _latest_select(TouchRow.follow_up_on.is_not(None))


def last_value_touches(
    session: Session, team_id: str, client_ids: Iterable[int], now: dt.datetime
) -> dict[int, Touch]:
    """Client ID -> its latest value-adding touch as of `now`, for the clients that have one."""
    return _latest(session, _LAST_VALUE, team_id, client_ids, now)


def promise_touches(
    session: Session, team_id: str, client_ids: Iterable[int], now: dt.datetime
) -> dict[int, Touch]:
    """Client ID -> its latest touch that promised a follow-up as of `now`: the promise the nudge
    rules remind (bot.db.repository.reads.client_activity)."""
    return _latest(session, _PROMISE, team_id, client_ids, now)


def _latest(
    session: Session,
    statement: Select[Any],
    team_id: str,
    client_ids: Iterable[int],
    now: dt.datetime,
) -> dict[int, Touch]:
    ids = sorted(set(client_ids))
    if not ids:
        return {}
    rows = session.execute(statement, {"team_id": team_id, "client_ids": ids, "now": now})
    # Two touches at the same instant: the one logged last.
    return {row.client_id: touch_of(row) for row in rows}
