"""Read models: set-based reads for the nudge pass, the App Home and the weekly recap."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Executable,
    bindparam,
    case,
    func,
    select,
    union,
    union_all,
)
from sqlalchemy.orm import Session

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
from bot.db.repository.summary import (
    NO_TOUCHES,
    RULE_CLIENT_COLUMNS,
    SEEN_FACTS,
    activity_from,
    activity_of,
    touch_facts,
)
from bot.db.schema import (
    ClientRow,
    ClientSummaryRow,
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
    """Active clients with their latest touch, value touch, promise and problem, as of now,
    worked out from the touches themselves (the nudge pass reads the summary instead, see
    `due_activities`).

    With `owners`, only their clients, plus the clients they promised a follow-up to. Two
    statements whatever the size of the book: one read of the touches (see
    `summary.facts_select`, where a promise handed over to a new owner is kept by them) and the
    clients. Touches dated after `now` are ignored.
    """
    wanted = set(owners or ())
    scope = []
    if owners is not None and len(wanted) <= _FEW_OWNERS:
        # A few reps (a home tab, /touch list): read only their share of the book, their
        # clients and those they promised a follow-up to, not every touch in the workspace.
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
    facts = touch_facts(session, team_id, TouchRow.occurred_at <= now, *scope)

    connection = session.connection()
    active = select(*CLIENT_COLUMNS).where(
        ClientRow.team_id == team_id, ClientRow.status == Status.ACTIVE.value
    )
    if owners is None:
        clients = {row.id: client_from(row) for row in connection.execute(active)}
    else:
        promised = {c for c, known in facts.items() if known.promise_by in wanted}
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
        # Converted once each: a client in both halves comes back twice.
        rows = {
            row.id: row
            for row in connection.execute(query)
            if row.owner_id in wanted or row.id in promised
        }
        clients = {client_id: client_from(row) for client_id, row in rows.items()}
    return [
        activity_of(client, facts.get(client_id, NO_TOUCHES))
        for client_id, client in sorted(clients.items())
    ]


# Built once, for any workspace and day: building it cost as much as running it in a small
# workspace, once for every workspace of a pass.
_DUE = (
    select(*RULE_CLIENT_COLUMNS, *SEEN_FACTS)
    .join(ClientSummaryRow, ClientSummaryRow.client_id == ClientRow.id)
    .where(
        ClientSummaryRow.team_id == bindparam("team_id"),
        ClientSummaryRow.next_check_on <= bindparam("until"),
        ClientRow.status == Status.ACTIVE.value,
    )
)


def due_activities(
    session: Session, team_id: str, until: dt.date, now: dt.datetime
) -> list[ClientActivity]:
    """The nudge pass's read: active clients whose next check has come by `until`, with what
    the rules need from their touches as of `now`, from their summary. It grows with the
    clients that can be due, not with the book; a client's aliases are neither read nor decoded.

    A summary counting a touch dated after `now` (today's, imported before noon) is worked out
    afresh from the touches as of `now` instead, like `client_activity`.
    """
    rows = session.connection().execute(_DUE, {"team_id": team_id, "until": until})
    width = len(RULE_CLIENT_COLUMNS)
    found = [activity_from(client_from(row[:width]), row[width:]) for row in rows]
    ahead = {a.client.id for a in found if a.last_touch_at and a.last_touch_at > now}
    if not ahead:
        return found
    as_of_now = touch_facts(
        session, team_id, TouchRow.client_id.in_(ahead), TouchRow.occurred_at <= now
    )
    return [
        activity_of(a.client, as_of_now.get(a.client.id, NO_TOUCHES)) if a.client.id in ahead else a
        for a in found
    ]


def promise_makers(session: Session, team_id: str, until: dt.date) -> set[str]:
    """Whoever made a promise on a client whose next check has come by `until`: a rep may keep
    promises on clients they don't own, and owning none doesn't excuse them from a reminder.
    The same range of ix_client_summary_team_next_check as `due_activities`."""
    return set(
        session.scalars(
            select(ClientSummaryRow.promise_by)
            .distinct()
            .join(ClientRow, ClientSummaryRow.client_id == ClientRow.id)
            .where(
                ClientSummaryRow.team_id == team_id,
                ClientSummaryRow.next_check_on <= until,
                ClientSummaryRow.promise_by.is_not(None),
                ClientRow.status == Status.ACTIVE.value,
            )
        )
    )


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
