"""Read models: set-based reads for the nudge pass, the App Home and the weekly recap."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Executable,
    case,
    func,
    select,
    type_coerce,
    union,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from bot.core.model import (
    ClientActivity,
    ClientWeek,
    Kind,
    RepTally,
    Status,
    Week,
    WeekTouch,
)
from bot.db.repository._rows import (
    CLIENT_COLUMNS,
    aware,
    client_from,
)
from bot.db.schema import (
    ClientRow,
    RepRow,
    SnoozeRow,
    TouchRow,
)

# Past this many bound values, an IN list is replaced by reading everything and filtering.
_MAX_IN_LIST = 10_000


# Up to this many reps, client_activity reads only their clients' touches.
_FEW_OWNERS = 50


def client_activity(
    session: Session, team_id: str, now: dt.datetime, owners: Iterable[str] | None = None
) -> list[ClientActivity]:
    """Active clients with their latest touch, value touch, promise and problem, as of now.

    With `owners`, only their clients, plus the clients they promised a follow-up to. Four
    statements whatever the size of the book: the latest promise per client, the promises handed
    over, the clients, and one GROUP BY over touches. Touches dated after `now` are ignored.
    The touch statements read the covering indexes ix_touch_team_client_activity and
    ix_touch_team_rep_logged, and the partial ix_touch_team_promise_owner.
    """
    wanted = set(owners or ())
    scope = []
    if owners is not None and len(wanted) <= _FEW_OWNERS:
        # A few reps (a home tab, /touch list): read only their share of the book, their
        # clients and those they promised a follow-up to, not every touch in the workspace.
        # The nudge pass asks for most reps: one scan of everything is cheaper there.
        theirs = union(
            select(ClientRow.id).where(
                ClientRow.team_id == team_id, ClientRow.owner_id.in_(wanted)
            ),
            select(TouchRow.client_id).where(
                TouchRow.team_id == team_id,
                TouchRow.rep_id.in_(wanted),
                TouchRow.follow_up_on.is_not(None),
            ),
            select(TouchRow.client_id).where(
                TouchRow.team_id == team_id, TouchRow.promise_owner.in_(wanted)
            ),
        )
        scope.append(TouchRow.client_id.in_(theirs))
    in_scope = (TouchRow.team_id == team_id, TouchRow.occurred_at <= now, *scope)

    # Each client's latest promise, joined back on its (client, time) for its date and rep.
    latest_promise = (
        select(TouchRow.client_id, func.max(TouchRow.occurred_at).label("at"))
        .where(*in_scope, TouchRow.follow_up_on.is_not(None))
        .group_by(TouchRow.client_id)
        .subquery()
    )
    promise_rows = session.execute(
        select(TouchRow.client_id, TouchRow.follow_up_on, TouchRow.rep_id, TouchRow.occurred_at)
        .join(
            latest_promise,
            (TouchRow.client_id == latest_promise.c.client_id)
            & (TouchRow.occurred_at == latest_promise.c.at),
        )
        .where(TouchRow.team_id == team_id, TouchRow.follow_up_on.is_not(None), *scope)
    )
    promises: dict[int, tuple[dt.date | None, str]] = {}
    made_at: dict[int, dt.datetime] = {}
    for client_id, due, rep_id, at in promise_rows:
        promises[client_id] = (due, rep_id)
        made_at[client_id] = at
    # A promise is kept by the rep who made it, unless it was handed over to a new owner when
    # they left (touch.promise_owner). Those are few: read on their own, from a partial index,
    # so the statement above stays on the covering index.
    handed_over = session.execute(
        select(TouchRow.client_id, TouchRow.occurred_at, TouchRow.promise_owner).where(
            TouchRow.team_id == team_id, TouchRow.promise_owner.is_not(None)
        )
    )
    for client_id, at, keeper in handed_over:
        if client_id in promises and made_at[client_id] == at:
            promises[client_id] = (promises[client_id][0], str(keeper))

    connection = session.connection()
    active = select(*CLIENT_COLUMNS).where(
        ClientRow.team_id == team_id, ClientRow.status == Status.ACTIVE.value
    )
    if owners is None:
        clients = {row.id: client_from(row) for row in connection.execute(active)}
    else:
        promised = {c for c, (_, rep_id) in promises.items() if rep_id in wanted}
        # Filter in SQL while the lists are short, as a UNION ALL so each half reads its own
        # index (an OR read every client; a client in both halves is kept once below). In a
        # big book nearly every client has a promise, and one bound parameter per client would
        # overflow the driver's limit (65,535 on PostgreSQL): then read the whole book and
        # filter here instead.
        query: Executable = active
        if len(wanted) + len(promised) <= _MAX_IN_LIST:
            query = union_all(
                active.where(ClientRow.owner_id.in_(wanted)),
                active.where(ClientRow.id.in_(promised)),
            )
        clients = {
            row.id: client_from(row)
            for row in connection.execute(query)
            if row.owner_id in wanted or row.id in promised
        }
    if not clients:
        return []

    # The aggregates come back raw (ISO text on SQLite, datetimes on PostgreSQL) and `aware`
    # reads both: SQLAlchemy's own conversion, per value, doubled the cost of a big book.
    latest = (
        select(
            TouchRow.client_id,
            type_coerce(func.max(TouchRow.occurred_at), NullType()),
            type_coerce(
                func.max(case((TouchRow.kind == Kind.VALUE.value, TouchRow.occurred_at))),
                NullType(),
            ),
            type_coerce(func.max(case((TouchRow.about_problem, TouchRow.occurred_at))), NullType()),
            type_coerce(
                func.max(case((TouchRow.follow_up_on.is_not(None), TouchRow.occurred_at))),
                NullType(),
            ),
        )
        .where(*in_scope)
        .group_by(TouchRow.client_id)
    )
    stats: dict[int, tuple[Any, ...]] = {}
    for client_id, last, last_value, problem, promise_at in connection.execute(latest):
        if client_id in clients:
            stats[client_id] = (last, last_value, problem, promise_at)

    activities = []
    for client_id, client in sorted(clients.items()):
        last, last_value, problem, promise_at = stats.get(client_id, (None, None, None, None))
        due, promise_by = promises.get(client_id, (None, None))
        activities.append(
            ClientActivity(
                client=client,
                last_touch_at=aware(last),
                last_value_at=aware(last_value),
                promise_due=due,
                promise_made_at=aware(promise_at),
                promise_by=promise_by,
                problem_at=aware(problem),
            )
        )
    return activities


def snoozes(session: Session, team_id: str, today: dt.date) -> dict[tuple[str, int], dt.date]:
    """(rep, client) -> the day the client comes back, for snoozes still running."""
    rows = session.execute(
        select(SnoozeRow.rep_id, SnoozeRow.client_id, SnoozeRow.until).where(
            SnoozeRow.team_id == team_id, SnoozeRow.until > today
        )
    )
    return {(rep, client_id): until for rep, client_id, until in rows}


def rep_snoozes(session: Session, team_id: str, rep_id: str, today: dt.date) -> dict[int, dt.date]:
    """One rep's running snoozes: client -> the day it comes back."""
    rows = session.execute(
        select(SnoozeRow.client_id, SnoozeRow.until).where(
            SnoozeRow.team_id == team_id, SnoozeRow.rep_id == rep_id, SnoozeRow.until > today
        )
    )
    return {row.client_id: row.until for row in rows}


def rep_week(
    session: Session, team_id: str, rep_id: str, since: dt.datetime, now: dt.datetime
) -> Week:
    """Touches the rep logged that happened from `since` until `now`, and the value-adding ones."""
    touches, value = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((TouchRow.kind == Kind.VALUE.value, 1), else_=0)), 0),
        ).where(
            TouchRow.team_id == team_id,
            TouchRow.rep_id == rep_id,
            TouchRow.occurred_at >= since,
            TouchRow.occurred_at <= now,
        )
    ).one()
    return Week(int(touches), int(value))


def _in_week(starts_at: dt.datetime, ends_at: dt.datetime) -> Any:
    return (TouchRow.occurred_at >= starts_at) & (TouchRow.occurred_at < ends_at)


def recap_reps(
    session: Session, team_id: str, starts_at: dt.datetime, ends_at: dt.datetime
) -> list[RepTally]:
    """Each rep's touches in the week and how many added value, most value first, with names.

    One GROUP BY over the week, then the names joined onto the (few) grouped rows.
    """
    value = case((TouchRow.kind == Kind.VALUE.value, 1), else_=0)
    grouped = (
        select(
            TouchRow.rep_id,
            func.count().label("touches"),
            func.sum(value).label("value_touches"),
        )
        .where(TouchRow.team_id == team_id, _in_week(starts_at, ends_at))
        .group_by(TouchRow.rep_id)
        .subquery()
    )
    rows = session.execute(
        select(grouped.c.rep_id, RepRow.display_name, grouped.c.touches, grouped.c.value_touches)
        .outerjoin(RepRow, (RepRow.team_id == team_id) & (RepRow.user_id == grouped.c.rep_id))
        .order_by(grouped.c.value_touches.desc(), grouped.c.rep_id)
    )
    return [
        RepTally(rep_id, name, int(touches), int(value_touches or 0))
        for rep_id, name, touches, value_touches in rows
    ]


def recap_value_touches(
    session: Session, team_id: str, starts_at: dt.datetime, ends_at: dt.datetime, limit: int
) -> list[WeekTouch]:
    """The week's latest value-adding touches on active clients, most recent first."""
    rows = session.execute(
        select(
            TouchRow.client_id,
            ClientRow.name,
            TouchRow.rep_id,
            RepRow.display_name,
            TouchRow.occurred_at,
            TouchRow.note,
            TouchRow.private,
        )
        .select_from(TouchRow)
        .join(ClientRow, (ClientRow.id == TouchRow.client_id) & (ClientRow.team_id == team_id))
        .outerjoin(RepRow, (RepRow.team_id == team_id) & (RepRow.user_id == TouchRow.rep_id))
        .where(
            TouchRow.team_id == team_id,
            _in_week(starts_at, ends_at),
            TouchRow.kind == Kind.VALUE.value,
            ClientRow.status == Status.ACTIVE.value,
        )
        .order_by(TouchRow.occurred_at.desc(), TouchRow.id.desc())
        .limit(limit)
    )
    return [
        WeekTouch(client_id, client_name, rep_id, rep_name, at, note, private)
        for client_id, client_name, rep_id, rep_name, at, note, private in rows
    ]


def recap_clients(
    session: Session,
    team_id: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    now: dt.datetime,
) -> list[ClientWeek]:
    """Each active client with its last touch and last value touch as of now, its first touch
    in the week and its last touch before it.

    One statement: the active clients, outer-joined to one GROUP BY over the workspace's
    touches, which the (team, client, kind, occurred_at) index answers on its own.
    """
    until_now = TouchRow.occurred_at <= now
    stats = (
        select(
            TouchRow.client_id,
            func.max(case((until_now, TouchRow.occurred_at))).label("last_at"),
            func.max(
                case(((TouchRow.kind == Kind.VALUE.value) & until_now, TouchRow.occurred_at))
            ).label("last_value_at"),
            func.min(case((_in_week(starts_at, ends_at), TouchRow.occurred_at))).label("first_in"),
            func.max(case((TouchRow.occurred_at < starts_at, TouchRow.occurred_at))).label(
                "before"
            ),
        )
        .where(TouchRow.team_id == team_id)
        .group_by(TouchRow.client_id)
        .subquery()
    )
    # Columns rather than ORM rows: a book of 10,000 clients loads in a fraction of the time.
    rows = session.connection().execute(
        select(
            *CLIENT_COLUMNS,
            stats.c.last_at,
            stats.c.last_value_at,
            stats.c.first_in,
            stats.c.before,
        )
        .outerjoin(stats, stats.c.client_id == ClientRow.id)
        .where(ClientRow.team_id == team_id, ClientRow.status == Status.ACTIVE.value)
    )
    width = len(CLIENT_COLUMNS)
    return [
        ClientWeek(
            activity=ClientActivity(
                client=client_from(row[:width]),
                last_touch_at=aware(last),
                last_value_at=aware(last_value),
            ),
            first_in_week=aware(first_in),
            last_before_week=aware(before),
        )
        for row in rows
        for last, last_value, first_in, before in (row[width:],)
    ]
