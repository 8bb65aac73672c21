"""Repository functions: each takes a Session, filters on the workspace and returns domain values.

The caller owns the transaction (see `Database.transaction`).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Executable,
    case,
    delete,
    func,
    insert,
    select,
    type_coerce,
    union,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from bot.core.home import HandedBack, Week
from bot.core.model import (
    Client,
    ClientActivity,
    Kind,
    NewClient,
    NewTouch,
    Rep,
    Source,
    Status,
    Tier,
    Touch,
    WorkspaceSettings,
)
from bot.core.recap import ClientWeek, RepTally, WeekTouch
from bot.db.schema import (
    ClientRow,
    NudgeRow,
    OutboxRow,
    RepRow,
    SnoozeRow,
    TouchRow,
    WorkspaceRow,
)


def name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _client(row: ClientRow) -> Client:
    return Client(
        id=row.id,
        team_id=row.team_id,
        name=row.name,
        aliases=tuple(row.aliases or ()),
        owner_id=row.owner_id,
        tier=Tier(row.tier) if row.tier else None,
        renewal_date=row.renewal_date,
        status=Status(row.status),
        created_at=row.created_at,
    )


def _touch(row: TouchRow) -> Touch:
    return Touch(
        id=row.id,
        team_id=row.team_id,
        client_id=row.client_id,
        rep_id=row.rep_id,
        occurred_at=row.occurred_at,
        logged_at=row.logged_at,
        note=row.note,
        kind=Kind(row.kind),
        source=Source(row.source),
        follow_up_on=row.follow_up_on,
        about_problem=row.about_problem,
    )


def _rep(row: RepRow) -> Rep:
    return Rep(
        team_id=row.team_id,
        user_id=row.user_id,
        display_name=row.display_name,
        tz=row.tz,
        paused_until=row.paused_until,
        active=row.active,
        is_admin=row.is_admin,
        profile_refreshed_at=row.profile_refreshed_at,
    )


# Workspace settings


def workspace_settings(session: Session, team_id: str) -> WorkspaceSettings:
    row = session.get(WorkspaceRow, team_id)
    if row is None:
        return WorkspaceSettings(team_id)
    return WorkspaceSettings(
        team_id=team_id,
        cadence_a=row.cadence_a,
        cadence_b=row.cadence_b,
        cadence_c=row.cadence_c,
        cadence_untiered=row.cadence_untiered,
        renewal_window_days=row.renewal_window_days,
        nudge_hour=row.nudge_hour,
        holiday_country=row.holiday_country,
        renudge_days=row.renudge_days,
        claim_check_days=row.claim_check_days,
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
    session.add(row)


# Clients

# Whole-book reads (every /touch matches against the book; the nudge pass reads it all) fetch
# plain rows, not ORM objects, and convert the JSON, date and datetime columns here: the
# ORM and SQLAlchemy's per-value conversions were most of the cost of reading a big book.
_CLIENT_COLUMNS = (
    ClientRow.id,
    ClientRow.team_id,
    ClientRow.name,
    type_coerce(ClientRow.aliases, NullType()).label("aliases"),
    ClientRow.owner_id,
    ClientRow.tier,
    type_coerce(ClientRow.renewal_date, NullType()).label("renewal_date"),
    ClientRow.status,
    type_coerce(ClientRow.created_at, NullType()).label("created_at"),
)
_TIERS = {tier.value: tier for tier in Tier}
_STATUSES = {status.value: status for status in Status}


def _client_from(row: Any) -> Client:
    """A Client from a row of `_CLIENT_COLUMNS` (raw values: see `_aliases`, `_date`, `_utc`)."""
    id_, team_id, name, aliases, owner_id, tier, renewal_date, status, created_at = row
    return Client(
        id=id_,
        team_id=team_id,
        name=name,
        aliases=_aliases(aliases),
        owner_id=owner_id,
        tier=_TIERS[tier] if tier else None,
        renewal_date=_date(renewal_date),
        status=_STATUSES[status],
        created_at=_utc(created_at),
    )


def _aliases(value: str | list[str] | None) -> tuple[str, ...]:
    """SQLite hands back the JSON text; PostgreSQL's driver, the decoded list."""
    if isinstance(value, str):
        return () if value == "[]" else tuple(json.loads(value))
    return tuple(value or ())


def _date(value: dt.date | str | None) -> dt.date | None:
    """SQLite hands back ISO text; PostgreSQL's driver, a date."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def active_clients(session: Session, team_id: str) -> list[Client]:
    rows = session.connection().execute(
        select(*_CLIENT_COLUMNS)
        .where(ClientRow.team_id == team_id, ClientRow.status == Status.ACTIVE.value)
        .order_by(ClientRow.name_key)
    )
    return [_client_from(r) for r in rows]


def all_clients(session: Session, team_id: str) -> list[Client]:
    rows = session.scalars(
        select(ClientRow).where(ClientRow.team_id == team_id).order_by(ClientRow.name_key)
    )
    return [_client(r) for r in rows]


def get_client(session: Session, team_id: str, client_id: int) -> Client | None:
    row = session.scalar(
        select(ClientRow).where(ClientRow.team_id == team_id, ClientRow.id == client_id)
    )
    return _client(row) if row else None


def clients_by_name(session: Session, team_id: str, names: Iterable[str]) -> dict[str, Client]:
    """Clients keyed by folded name, for the given names that exist."""
    keys = {name_key(n) for n in names}
    if not keys:
        return {}
    rows = session.scalars(
        select(ClientRow).where(ClientRow.team_id == team_id, ClientRow.name_key.in_(keys))
    )
    return {r.name_key: _client(r) for r in rows}


def upsert_client(session: Session, new: NewClient, now: dt.datetime) -> str:
    """Insert the client, or update the one with the same name (keeping its status).

    Returns "created", "updated" or "unchanged".
    """
    key = name_key(new.name)
    row = session.scalar(
        select(ClientRow).where(ClientRow.team_id == new.team_id, ClientRow.name_key == key)
    )
    values = {
        "name": new.name,
        "aliases": list(new.aliases),
        "owner_id": new.owner_id,
        "tier": new.tier.value if new.tier else None,
        "renewal_date": new.renewal_date,
    }
    if row is None:
        session.add(
            ClientRow(
                team_id=new.team_id,
                name_key=key,
                created_at=now,
                status=new.status.value,
                **values,
            )
        )
        session.flush()
        return "created"
    if all(getattr(row, column) == value for column, value in values.items()):
        return "unchanged"
    for column, value in values.items():
        setattr(row, column, value)
    session.flush()
    return "updated"


def add_client(session: Session, new: NewClient, now: dt.datetime) -> Client:
    row = ClientRow(
        team_id=new.team_id,
        name=new.name,
        name_key=name_key(new.name),
        aliases=list(new.aliases),
        owner_id=new.owner_id,
        tier=new.tier.value if new.tier else None,
        renewal_date=new.renewal_date,
        status=new.status.value,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return _client(row)


# Touches


def add_touch(session: Session, new: NewTouch) -> Touch:
    row = TouchRow(
        team_id=new.team_id,
        client_id=new.client_id,
        rep_id=new.rep_id,
        occurred_at=new.occurred_at,
        logged_at=new.logged_at,
        note=new.note,
        kind=new.kind.value,
        source=new.source.value,
        follow_up_on=new.follow_up_on,
        about_problem=new.about_problem,
    )
    session.add(row)
    session.flush()
    return _touch(row)


def add_touches(session: Session, touches: Sequence[NewTouch]) -> int:
    """Bulk insert, for imports and seeding; returns how many were written."""
    if not touches:
        return 0
    session.execute(
        insert(TouchRow),
        [
            {
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
            }
            for t in touches
        ],
    )
    return len(touches)


def get_touch(session: Session, team_id: str, touch_id: int) -> Touch | None:
    row = session.scalar(
        select(TouchRow).where(TouchRow.team_id == team_id, TouchRow.id == touch_id)
    )
    return _touch(row) if row else None


def set_touch_kind(session: Session, team_id: str, touch_id: int, kind: Kind) -> None:
    session.execute(
        update(TouchRow)
        .where(TouchRow.team_id == team_id, TouchRow.id == touch_id)
        .values(kind=kind.value)
    )


def delete_touch(session: Session, team_id: str, touch_id: int) -> None:
    session.execute(delete(TouchRow).where(TouchRow.team_id == team_id, TouchRow.id == touch_id))


def latest_touch_logged_by(session: Session, team_id: str, rep_id: str) -> Touch | None:
    row = session.scalar(
        select(TouchRow)
        .where(TouchRow.team_id == team_id, TouchRow.rep_id == rep_id)
        .order_by(TouchRow.logged_at.desc(), TouchRow.id.desc())
        .limit(1)
    )
    return _touch(row) if row else None


def recent_touches(session: Session, team_id: str, client_id: int, limit: int = 5) -> list[Touch]:
    rows = session.scalars(
        select(TouchRow)
        .where(TouchRow.team_id == team_id, TouchRow.client_id == client_id)
        .order_by(TouchRow.occurred_at.desc(), TouchRow.id.desc())
        .limit(limit)
    )
    return [_touch(r) for r in rows]


def all_touches(session: Session, team_id: str) -> list[Touch]:
    rows = session.scalars(
        select(TouchRow).where(TouchRow.team_id == team_id).order_by(TouchRow.id)
    )
    return [_touch(r) for r in rows]


def count_touches(session: Session, team_id: str) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(TouchRow).where(TouchRow.team_id == team_id)
        )
        or 0
    )


# Reps


def get_rep(session: Session, team_id: str, user_id: str) -> Rep | None:
    row = session.get(RepRow, (team_id, user_id))
    return _rep(row) if row else None


def get_reps(session: Session, team_id: str, user_ids: Iterable[str]) -> dict[str, Rep]:
    ids = set(user_ids)
    if not ids:
        return {}
    rows = session.scalars(select(RepRow).where(RepRow.team_id == team_id, RepRow.user_id.in_(ids)))
    return {r.user_id: _rep(r) for r in rows}


def save_rep(session: Session, rep: Rep) -> None:
    """Insert or update in one statement: concurrent first commands from a rep don't collide."""
    values = {
        "team_id": rep.team_id,
        "user_id": rep.user_id,
        "display_name": rep.display_name,
        "tz": rep.tz,
        "is_admin": rep.is_admin,
        "active": rep.active,
        "paused_until": rep.paused_until,
        "profile_refreshed_at": rep.profile_refreshed_at,
    }
    dialect = session.get_bind().dialect.name
    upsert = pg_insert(RepRow) if dialect == "postgresql" else sqlite_insert(RepRow)
    statement = upsert.values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[RepRow.team_id, RepRow.user_id],
            set_={k: v for k, v in values.items() if k not in {"team_id", "user_id"}},
        )
    )


# The nudge pass: set-based reads, then the outbox


def teams_with_clients(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(ClientRow.team_id)
            .where(ClientRow.status == Status.ACTIVE.value)
            .distinct()
            .order_by(ClientRow.team_id)
        )
    )


def client_owners(session: Session, team_id: str) -> set[str]:
    """Everyone who owns at least one active client: the people who may get a digest."""
    return set(
        session.scalars(
            select(ClientRow.owner_id)
            .where(
                ClientRow.team_id == team_id,
                ClientRow.status == Status.ACTIVE.value,
                ClientRow.owner_id.is_not(None),
            )
            .distinct()
        )
    )


# Past this many bound values, an IN list is replaced by reading everything and filtering.
_MAX_IN_LIST = 10_000
# Up to this many reps, client_activity reads only their clients' touches.
_FEW_OWNERS = 50


def client_activity(
    session: Session, team_id: str, now: dt.datetime, owners: Iterable[str] | None = None
) -> list[ClientActivity]:
    """Active clients with their latest touch, value touch, promise and problem, as of now.

    With `owners`, only their clients, plus the clients they promised a follow-up to. Three
    statements whatever the size of the book: the latest promise per client, the clients, and
    one GROUP BY over touches. Touches dated after `now` are ignored. The touch statements read
    the covering indexes ix_touch_team_client_activity and ix_touch_team_rep_logged.
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
        select(TouchRow.client_id, TouchRow.follow_up_on, TouchRow.rep_id)
        .join(
            latest_promise,
            (TouchRow.client_id == latest_promise.c.client_id)
            & (TouchRow.occurred_at == latest_promise.c.at),
        )
        .where(TouchRow.team_id == team_id, TouchRow.follow_up_on.is_not(None), *scope)
    )
    promises: dict[int, tuple[dt.date | None, str]] = {
        client_id: (due, rep_id) for client_id, due, rep_id in promise_rows
    }

    connection = session.connection()
    active = select(*_CLIENT_COLUMNS).where(
        ClientRow.team_id == team_id, ClientRow.status == Status.ACTIVE.value
    )
    if owners is None:
        clients = {row.id: _client_from(row) for row in connection.execute(active)}
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
            row.id: _client_from(row)
            for row in connection.execute(query)
            if row.owner_id in wanted or row.id in promised
        }
    if not clients:
        return []

    # The aggregates come back raw (ISO text on SQLite, datetimes on PostgreSQL) and `_aware`
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
                last_touch_at=_aware(last),
                last_value_at=_aware(last_value),
                promise_due=due,
                promise_made_at=_aware(promise_at),
                promise_by=promise_by,
                problem_at=_aware(problem),
            )
        )
    return activities


def _aware(value: dt.datetime | str | None) -> dt.datetime | None:
    """An aware UTC datetime from a raw value: SQLite's ISO text or a driver's datetime."""
    return None if value is None else _utc(value)


def _utc(value: dt.datetime | str) -> dt.datetime:
    if isinstance(value, str):
        try:
            # SQLite keeps naive UTC text: reading it with its zone is one call, not two.
            return dt.datetime.fromisoformat(value + "+00:00")
        except ValueError:
            value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def claimed_digests(session: Session, team_id: str, since: dt.date) -> set[tuple[str, dt.date]]:
    """(rep, local date) of every digest claimed since a date, sent or not."""
    rows = session.execute(
        select(OutboxRow.recipient, OutboxRow.period).where(
            OutboxRow.team_id == team_id,
            OutboxRow.kind == OutboxKind.DIGEST.value,
            OutboxRow.period >= since,
        )
    )
    return {(rep, day) for rep, day in rows}


def recent_nudges(
    session: Session, team_id: str, since: dt.date
) -> dict[tuple[int, str], tuple[str, dt.date]]:
    """The latest delivered nudge per (client, rule) since a date: its window and its day.

    Only digests Slack accepted count; a claim left by a crash does not silence a client.
    """
    rows = session.execute(
        select(NudgeRow.client_id, NudgeRow.rule, NudgeRow.window_key, NudgeRow.nudged_on)
        .join(OutboxRow, OutboxRow.id == NudgeRow.outbox_id)
        .where(
            NudgeRow.team_id == team_id,
            NudgeRow.nudged_on >= since,
            OutboxRow.status == OutboxStatus.SENT.value,
        )
        .order_by(NudgeRow.nudged_on)
    )
    return {
        (client_id, rule): (window_key.partition("#")[0], day)
        for client_id, rule, window_key, day in rows
    }


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


class OutboxKind(enum.StrEnum):
    DIGEST = "digest"
    RECAP = "recap"


class OutboxStatus(enum.StrEnum):
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    # The request went out but Slack never answered: maybe posted. Never sent again.
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class NudgeClaim:
    client_id: int
    rule: str
    window: str


def claim_outbox(
    session: Session,
    *,
    team_id: str,
    kind: OutboxKind,
    recipient: str,
    period: dt.date,
    now: dt.datetime,
    nudges: Sequence[NudgeClaim] = (),
) -> int | None:
    """Record a message (and a digest's items) before sending. None when already claimed.

    The unique keys (team, kind, recipient, period) and (team, client, rule, window) make a
    second pass, a second scheduler or a restart fail here instead of sending a second
    message. On PostgreSQL a concurrent claim waits on the unique index until the first
    commits, then fails.
    """
    try:
        with session.begin_nested():
            row = OutboxRow(
                team_id=team_id,
                kind=kind.value,
                recipient=recipient,
                period=period,
                status=OutboxStatus.CLAIMED.value,
                claimed_at=now,
            )
            session.add(row)
            session.flush()
            session.add_all(
                NudgeRow(
                    team_id=team_id,
                    outbox_id=row.id,
                    client_id=item.client_id,
                    rep_id=recipient,
                    rule=item.rule,
                    # One nudge per item window per day, whoever it goes to.
                    window_key=f"{item.window}#{period.isoformat()}",
                    nudged_on=period,
                )
                for item in nudges
            )
            session.flush()
    except IntegrityError:
        return None
    return row.id


def finish_outbox(
    session: Session,
    outbox_id: int,
    *,
    status: OutboxStatus,
    now: dt.datetime,
    channel: str | None = None,
    ts: str | None = None,
    error: str | None = None,
) -> None:
    session.execute(
        update(OutboxRow)
        .where(OutboxRow.id == outbox_id)
        .values(
            status=status.value,
            sent_at=now if status is OutboxStatus.SENT else None,
            channel=channel,
            ts=ts,
            error=error,
        )
    )


def release_outbox(session: Session, outbox_id: int) -> None:
    """Forget a claim whose message surely wasn't sent, so the next pass tries again."""
    session.execute(delete(NudgeRow).where(NudgeRow.outbox_id == outbox_id))
    session.execute(delete(OutboxRow).where(OutboxRow.id == outbox_id))


def outbox_status(
    session: Session, team_id: str, kind: OutboxKind, recipient: str, period: dt.date
) -> OutboxStatus | None:
    status = session.scalar(
        select(OutboxRow.status).where(
            OutboxRow.team_id == team_id,
            OutboxRow.kind == kind.value,
            OutboxRow.recipient == recipient,
            OutboxRow.period == period,
        )
    )
    return OutboxStatus(status) if status else None


def deactivate_rep(session: Session, team_id: str, user_id: str) -> None:
    session.execute(
        update(RepRow)
        .where(RepRow.team_id == team_id, RepRow.user_id == user_id)
        .values(active=False)
    )


def snooze(session: Session, team_id: str, client_id: int, rep_id: str, until: dt.date) -> None:
    row = session.get(SnoozeRow, (team_id, client_id, rep_id))
    if row is None:
        session.add(SnoozeRow(team_id=team_id, client_id=client_id, rep_id=rep_id, until=until))
    else:
        row.until = until


def hand_back(
    session: Session, team_id: str, client_id: int, rep_id: str, now: dt.datetime
) -> None:
    """ "Not my client": the rep stops owning it, and it waits for an admin to reassign."""
    session.execute(
        update(ClientRow)
        .where(
            ClientRow.team_id == team_id,
            ClientRow.id == client_id,
            ClientRow.owner_id == rep_id,
        )
        .values(owner_id=None, handed_back_by=rep_id, handed_back_at=now)
    )


# App Home and client management


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


def handed_back_clients(session: Session, team_id: str) -> list[HandedBack]:
    """Active clients handed back with "Not my client" and not reassigned since, oldest first."""
    rows = session.scalars(
        select(ClientRow)
        .where(
            ClientRow.team_id == team_id,
            ClientRow.status == Status.ACTIVE.value,
            ClientRow.handed_back_at.is_not(None),
        )
        .order_by(ClientRow.handed_back_at, ClientRow.id)
    )
    return [HandedBack(_client(r), r.handed_back_by, r.handed_back_at) for r in rows]


def update_client(
    session: Session,
    team_id: str,
    client_id: int,
    *,
    owner_id: str | None,
    tier: Tier | None,
    renewal_date: dt.date | None,
    aliases: Sequence[str],
) -> Client | None:
    """Change a client's owner, tier, renewal and aliases. A new owner ends a hand-back."""
    row = session.scalar(
        select(ClientRow).where(ClientRow.team_id == team_id, ClientRow.id == client_id)
    )
    if row is None:
        return None
    if owner_id is not None and owner_id != row.owner_id:
        row.handed_back_by = None
        row.handed_back_at = None
    row.owner_id = owner_id
    row.tier = tier.value if tier else None
    row.renewal_date = renewal_date
    row.aliases = list(aliases)
    session.flush()
    return _client(row)


def archive_client(session: Session, team_id: str, client_id: int) -> None:
    session.execute(
        update(ClientRow)
        .where(ClientRow.team_id == team_id, ClientRow.id == client_id)
        .values(status=Status.ARCHIVED.value)
    )


# The weekly recap: set-based aggregates over one week of touches, [starts_at, ends_at).


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
        WeekTouch(client_id, client_name, rep_id, rep_name, at, note)
        for client_id, client_name, rep_id, rep_name, at, note in rows
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
    rows = session.execute(
        select(
            ClientRow.id,
            ClientRow.name,
            ClientRow.aliases,
            ClientRow.owner_id,
            ClientRow.tier,
            ClientRow.renewal_date,
            ClientRow.created_at,
            stats.c.last_at,
            stats.c.last_value_at,
            stats.c.first_in,
            stats.c.before,
        )
        .outerjoin(stats, stats.c.client_id == ClientRow.id)
        .where(ClientRow.team_id == team_id, ClientRow.status == Status.ACTIVE.value)
    )
    tiers = {tier.value: tier for tier in Tier}
    return [
        ClientWeek(
            activity=ClientActivity(
                client=Client(
                    id=client_id,
                    team_id=team_id,
                    name=name,
                    aliases=tuple(aliases or ()),
                    owner_id=owner_id,
                    tier=tiers[tier] if tier else None,
                    renewal_date=renewal_date,
                    status=Status.ACTIVE,
                    created_at=created_at,
                ),
                last_touch_at=_aware(last),
                last_value_at=_aware(last_value),
            ),
            first_in_week=_aware(first_in),
            last_before_week=_aware(before),
        )
        for (
            client_id,
            name,
            aliases,
            owner_id,
            tier,
            renewal_date,
            created_at,
            last,
            last_value,
            first_in,
            before,
        ) in rows
    ]
