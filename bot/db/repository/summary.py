"""The client summary: what the nudge rules need from each client's touches, and the first day
a rule could fire for it (bot.core.next_check), so the nudge pass reads only the clients whose
day has come.

One function keeps it: `refresh_summaries`, which every write that changes what a rule sees
calls in the write's own transaction (a touch logged, imported, flipped or undone; a client
added, imported, edited or archived). A settings change works out the whole workspace's days
again (`recheck_workspace`), and erasing a client takes its row along (ON DELETE CASCADE).
A function rather than database triggers: the day takes the rules' own arithmetic, in Python,
and one code path serves SQLite and PostgreSQL alike. Each row is recomputed from the client's
touches rather than adjusted, a few index reads more than a GREATEST upsert but plainly right
for an undo or a flip too.

On PostgreSQL writers on one client take turns: `refresh_summaries` first locks the clients'
rows (FOR NO KEY UPDATE, which doesn't wait on the foreign-key locks that inserting a touch
takes), so the second writer recomputes after the first commits, and sees its touch. A settings
change holds the workspace row (FOR UPDATE) while writers read it (FOR KEY SHARE), so no day
is worked out with settings being replaced. SQLite has one writer at a time.

`touchbase db check-summary` compares every row with one worked out afresh
(`summary_verdicts`); the scheduler runs it nightly and repairs what drifted.

A touch counts from when it is written: one dated a little after the pass's `now` (another
process's clock running ahead) counts at once, where the touches read as of `now` would leave
it out for those seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    bindparam,
    func,
    null,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import case
from sqlalchemy.types import NullType

from bot.core.model import Client, ClientActivity, Kind, NewTouch, WorkspaceSettings
from bot.core.next_check import Verdict, next_check_on, verdict
from bot.db.repository._rows import CLIENT_COLUMNS, aware, client_from, raw_date, settings_of
from bot.db.schema import ClientRow, ClientSummaryRow, TouchRow, WorkspaceRow

# Clients per statement: well inside every driver's limit on bound parameters.
BATCH = 5_000

# The client as the rules see it: the aliases are neither fetched nor decoded.
RULE_CLIENT_COLUMNS = tuple(
    null().label("aliases") if column.key == "aliases" else column for column in CLIENT_COLUMNS
)


class Facts(NamedTuple):
    """What the rules need from a client's touches (ClientActivity's fields after the client),
    and when the latest touch was written."""

    last_touch_at: dt.datetime | None = None
    last_value_at: dt.datetime | None = None
    promise_due: dt.date | None = None
    promise_made_at: dt.datetime | None = None
    promise_by: str | None = None
    problem_at: dt.datetime | None = None
    last_logged_at: dt.datetime | None = None


NO_TOUCHES = Facts()


def activity_of(client: Client, facts: Facts) -> ClientActivity:
    return ClientActivity(
        client,
        facts.last_touch_at,
        facts.last_value_at,
        facts.promise_due,
        facts.promise_made_at,
        facts.promise_by,
        facts.problem_at,
    )


def facts_from(row: Sequence[Any]) -> Facts:
    """Facts from raw values, in Facts' order (see `aware` and `raw_date`)."""
    return Facts(*_seen(row[:-1]), aware(row[-1]))


def activity_from(client: Client, row: Sequence[Any]) -> ClientActivity:
    """What the rules see of a client, from the raw values of Facts' fields but the last (the
    columns of SEEN_FACTS)."""
    return ClientActivity(client, *_seen(row))


Moment = dt.datetime | None


def _seen(row: Sequence[Any]) -> tuple[Moment, Moment, dt.date | None, Moment, str | None, Moment]:
    last, value, due, promised, by, problem = row
    return aware(last), aware(value), raw_date(due), aware(promised), by, aware(problem)


def known_at(client: Client, facts: Facts, now: dt.datetime | None = None) -> dt.datetime:
    """The latest moment these facts show has passed (see bot.core.next_check): when the client
    was added, when its latest touch was written, or `now`."""
    return max(m for m in (client.created_at, facts.last_logged_at, now) if m is not None)


def _raw(column: ColumnElement[Any], name: str) -> ColumnElement[Any]:
    # Raw values, converted by `facts_from`: SQLAlchemy's own conversion, per value, doubled
    # the cost of reading a big book.
    return type_coerce(column, NullType()).label(name)


# The summary's facts, in Facts' order; the pass reads only those the rules see.
SUMMARY_FACTS = tuple(_raw(getattr(ClientSummaryRow, name), name) for name in Facts._fields)
SEEN_FACTS = SUMMARY_FACTS[:-1]


def facts_select(team_id: str | BindParameter[str], *where: Any) -> Select[Any]:
    """(client_id, *Facts) for each client with touches (those matching `where`), in one read:
    one GROUP BY, and the latest promise's date and rep picked beside it (on a tie, the touch
    logged last). The covering index ix_touch_team_client_activity answers it."""
    touch = TouchRow
    grouped = (
        select(
            touch.client_id.label("client_id"),
            func.max(touch.occurred_at).label("last_at"),
            func.max(case((touch.kind == Kind.VALUE.value, touch.occurred_at))).label("value_at"),
            func.max(case((touch.about_problem, touch.occurred_at))).label("problem_at"),
            func.max(case((touch.follow_up_on.is_not(None), touch.occurred_at))).label(
                "promise_at"
            ),
            func.max(touch.logged_at).label("logged_at"),
        )
        .where(touch.team_id == team_id, *where)
        .group_by(touch.client_id)
        .subquery()
    )
    promise = aliased(TouchRow)

    def of_latest_promise(column: Any) -> Any:
        return (
            select(column)
            .where(
                promise.team_id == team_id,
                promise.client_id == grouped.c.client_id,
                promise.occurred_at == grouped.c.promise_at,
                promise.follow_up_on.is_not(None),
            )
            .order_by(promise.id.desc())
            .limit(1)
            .scalar_subquery()
        )

    return select(
        grouped.c.client_id,
        _raw(grouped.c.last_at, "last_touch_at"),
        _raw(grouped.c.value_at, "last_value_at"),
        _raw(of_latest_promise(promise.follow_up_on), "promise_due"),
        _raw(grouped.c.promise_at, "promise_made_at"),
        # Kept by the rep who made it, unless handed over when they left (touch.promise_owner).
        of_latest_promise(func.coalesce(promise.promise_owner, promise.rep_id)).label("promise_by"),
        _raw(grouped.c.problem_at, "problem_at"),
        _raw(grouped.c.logged_at, "last_logged_at"),
    )


def touch_facts(session: Session, team_id: str, *where: Any) -> dict[int, Facts]:
    """Facts by client, from the touches themselves (those matching `where`)."""
    return {row[0]: facts_from(row[1:]) for row in session.execute(facts_select(team_id, *where))}


# What refresh_summaries runs on every write, built once: constructing them each time cost
# more than running them.
_TEAM: BindParameter[str] = bindparam("team_id")
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
# The settings, read so that a change to them waits for this transaction to end (PostgreSQL;
# see save_workspace_settings).
_SETTINGS_IN_FORCE = (
    select(WorkspaceRow.__table__)
    .where(WorkspaceRow.__table__.c.team_id == _TEAM)
    .with_for_update(read=True, key_share=True)
)
# In id order, so writers locking several clients can't deadlock each other.
_CLIENTS_TO_LOCK = (
    select(*RULE_CLIENT_COLUMNS)
    .where(ClientRow.team_id == _TEAM, ClientRow.id.in_(_IDS))
    .order_by(ClientRow.id)
    .with_for_update(key_share=True)
)
_FACTS_OF = facts_select(_TEAM, TouchRow.client_id.in_(_IDS))
# A client and its stored summary, both locked (refresh_after_touch).
_CLIENT_AND_SUMMARY = (
    select(*RULE_CLIENT_COLUMNS, *SUMMARY_FACTS)
    .join(ClientSummaryRow, ClientSummaryRow.client_id == ClientRow.id)
    .where(ClientRow.team_id == _TEAM, ClientRow.id == bindparam("client_id"))
    .with_for_update(key_share=True)
)
_WIDTH = len(RULE_CLIENT_COLUMNS)


def _upsert(insert: Any) -> Any:
    upsert = insert(ClientSummaryRow)
    return upsert.on_conflict_do_update(
        index_elements=[ClientSummaryRow.client_id],
        set_={name: upsert.excluded[name] for name in (*Facts._fields, "team_id", "next_check_on")},
    )


_UPSERT = {"postgresql": _upsert(pg_insert), "sqlite": _upsert(sqlite_insert)}


def refresh_summaries(
    session: Session, team_id: str, client_ids: Iterable[int], *, now: dt.datetime | None = None
) -> None:
    """Work out these clients' summaries afresh from their touches, and save them.

    Every write that changes what a rule sees calls this in its transaction. `now`, when known
    (the nightly check), lets the day skip renewal windows already over; without it, the latest
    touch's writing is the moment known to have passed (see bot.core.next_check).
    """
    ids = sorted(set(client_ids))
    if not ids:
        return
    connection, settings = _settings_in_force(session, team_id)
    for batch in _batches(ids):
        given = {"team_id": team_id, "ids": batch}
        found = [client_from(row) for row in connection.execute(_CLIENTS_TO_LOCK, given)]
        facts = {row[0]: facts_from(row[1:]) for row in connection.execute(_FACTS_OF, given)}
        rows = [
            _summary_row(client, facts.get(client.id, NO_TOUCHES), settings, now)
            for client in found
        ]
        if rows:
            connection.execute(_UPSERT[connection.dialect.name], rows)


def refresh_after_touch(session: Session, touch: NewTouch) -> None:
    """The summary of the client of `touch`, just written, brought up to date from its stored
    summary and the touch: `refresh_summaries`'s answer, without reading the client's touches.

    The stored summary is read and locked with the client (FOR NO KEY UPDATE on both rows, which
    on PostgreSQL gives the row's latest committed version once a writer ahead has finished), so
    it sums up every other touch committed before this one is summed up, as `refresh_summaries`
    would have found them. The touch ties with the latest promise (which one counts then takes
    the touches' ids), or the client has no stored summary: it is worked out afresh.
    """
    connection, settings = _settings_in_force(session, touch.team_id)
    given = {"team_id": touch.team_id, "client_id": touch.client_id}
    row = connection.execute(_CLIENT_AND_SUMMARY, given).first()
    known = None if row is None else _with_touch(facts_from(row[_WIDTH:]), touch)
    if row is None or known is None:
        refresh_summaries(session, touch.team_id, [touch.client_id])
        return
    client = client_from(row[:_WIDTH])
    connection.execute(
        _UPSERT[connection.dialect.name], [_summary_row(client, known, settings, None)]
    )


def _with_touch(known: Facts, touch: NewTouch) -> Facts | None:
    """A client's facts with `touch` added (the fold of `facts_select`'s aggregates), or None
    when it makes a promise at the very moment of the latest one."""
    at = touch.occurred_at
    promise = known.promise_due, known.promise_made_at, known.promise_by
    if touch.follow_up_on is not None:
        if known.promise_made_at == at:
            return None
        if known.promise_made_at is None or known.promise_made_at < at:
            # Kept by the rep who made it: a touch is written with no promise_owner.
            promise = touch.follow_up_on, at, touch.rep_id
    due, made_at, by = promise
    return Facts(
        _later(known.last_touch_at, at),
        _later(known.last_value_at, at if touch.kind is Kind.VALUE else None),
        due,
        made_at,
        by,
        _later(known.problem_at, at if touch.about_problem else None),
        _later(known.last_logged_at, touch.logged_at),
    )


def _later(stored: Moment, new: Moment) -> Moment:
    return stored if new is None or (stored is not None and stored >= new) else new


def _settings_in_force(session: Session, team_id: str) -> tuple[Connection, WorkspaceSettings]:
    """The session's connection, and the workspace's settings, read so that a change to them
    waits (see _SETTINGS_IN_FORCE). Core statements on the session's connection: the ORM's
    per-statement work cost more than the statements on every /touch. What the session holds
    unwritten is written first."""
    session.flush()
    connection = session.connection()
    found = connection.execute(_SETTINGS_IN_FORCE, {"team_id": team_id}).first()
    return connection, settings_of(team_id, found)


def _summary_row(
    client: Client, known: Facts, settings: WorkspaceSettings, now: dt.datetime | None
) -> dict[str, Any]:
    day = next_check_on(activity_of(client, known), settings, now=known_at(client, known, now))
    return {
        "client_id": client.id,
        "team_id": client.team_id,
        **known._asdict(),
        "next_check_on": day,
    }


def recheck_workspace(session: Session, settings: WorkspaceSettings) -> None:
    """Work out every next check of the workspace again, after its settings changed (the
    touches didn't: the stored facts are read, not the touches)."""
    team_id = settings.team_id
    # The workspace's latest touch was written before now, for every client.
    latest = session.scalar(
        select(func.max(ClientSummaryRow.last_logged_at)).where(ClientSummaryRow.team_id == team_id)
    )
    after = 0
    while True:
        rows = session.execute(
            select(*RULE_CLIENT_COLUMNS, *SUMMARY_FACTS, ClientSummaryRow.next_check_on)
            .join(ClientSummaryRow, ClientSummaryRow.client_id == ClientRow.id)
            .where(ClientSummaryRow.team_id == team_id, ClientSummaryRow.client_id > after)
            .order_by(ClientSummaryRow.client_id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        width = len(RULE_CLIENT_COLUMNS)
        moved = []
        for row in rows:
            client, known = client_from(row[:width]), facts_from(row[width:-1])
            day = next_check_on(
                activity_of(client, known), settings, now=known_at(client, known, latest)
            )
            if day != row[-1]:
                moved.append({"client_id": client.id, "next_check_on": day})
        if moved:
            session.execute(update(ClientSummaryRow), moved)
        after = client.id


def summary_verdicts(
    session: Session, team_id: str, now: dt.datetime, *, after: int = 0, limit: int = 2_000
) -> list[tuple[int, Verdict]]:
    """How the summaries of the first `limit` clients after `after` (by id) compare with ones
    worked out afresh from their touches as of `now`, in id order.

    One statement reads the clients, their summaries and their touches, so a write committed
    meanwhile can't look like drift.
    """
    ids = session.scalars(
        select(ClientRow.id)
        .where(ClientRow.team_id == team_id, ClientRow.id > after)
        .order_by(ClientRow.id)
        .limit(limit)
    ).all()
    if not ids:
        return []
    settings = settings_of(team_id, session.get(WorkspaceRow, team_id))
    in_range = (ids[0], ids[-1])
    touches = facts_select(team_id, TouchRow.client_id.between(*in_range)).subquery()
    rows = session.execute(
        select(
            *RULE_CLIENT_COLUMNS,
            *SUMMARY_FACTS,
            *(touches.c[name] for name in Facts._fields),
            ClientSummaryRow.client_id.is_not(None).label("has_summary"),
            ClientSummaryRow.next_check_on,
        )
        .outerjoin(ClientSummaryRow, ClientSummaryRow.client_id == ClientRow.id)
        .outerjoin(touches, touches.c.client_id == ClientRow.id)
        .where(ClientRow.team_id == team_id, ClientRow.id.between(*in_range))
        .order_by(ClientRow.id)
    )
    width, size = len(RULE_CLIENT_COLUMNS), len(Facts._fields)
    found = []
    for row in rows:
        client = client_from(row[:width])
        stored = facts_from(row[width : width + size])
        fresh = facts_from(row[width + size : width + 2 * size])  # all None: no touches
        day = next_check_on(activity_of(client, fresh), settings, now=known_at(client, fresh, now))
        found.append(
            (
                client.id,
                verdict((stored, row.next_check_on) if row.has_summary else None, fresh, day),
            )
        )
    return found


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]
