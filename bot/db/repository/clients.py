"""Clients: the book, adding and changing clients, handing back and snoozing."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.orm import Session

from bot.core.model import (
    Client,
    HandedBack,
    NewClient,
    Status,
    Tier,
    name_key,
)
from bot.db.repository._rows import (
    CLIENT_COLUMNS,
    client_from,
    client_of,
    raw_aliases,
)
from bot.db.repository.summary import refresh_summaries
from bot.db.schema import (
    ClientRow,
    SnoozeRow,
    WorkspaceRow,
)


def book_changed(session: Session, team_id: str) -> int:
    """Bump the workspace's book version for a change to its clients; the new version. Every
    client write comes through here. The workspace row's lock, held to the commit, makes the
    versions follow the commits. A workspace without a row (new, or purged and back) starts
    past any version it had before: the time in microseconds."""
    version = session.scalar(
        update(WorkspaceRow)
        .where(WorkspaceRow.team_id == team_id)
        .values(book_version=WorkspaceRow.book_version + 1)
        .returning(WorkspaceRow.book_version)
    )
    if version is None:
        version = time.time_ns() // 1000
        session.add(WorkspaceRow(team_id=team_id, book_version=version))
    return version


# Built once, run as Core: every /touch reads it (bot.services.name_index).
_BOOK_VERSION = select(WorkspaceRow.book_version).where(
    WorkspaceRow.team_id == bindparam("team_id")
)


def book_version(session: Session, team_id: str) -> int:
    return session.connection().execute(_BOOK_VERSION, {"team_id": team_id}).scalar() or 0


def clients_changed_since(session: Session, team_id: str, version: int) -> list[Client]:
    """The workspace's clients (any status) changed after book version `version`."""
    rows = session.connection().execute(
        select(*CLIENT_COLUMNS).where(
            ClientRow.team_id == team_id, ClientRow.changed_version > version
        )
    )
    return [client_from(r) for r in rows]


def active_client_names(session: Session, team_id: str) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Each active client's ID and names (the name, then its aliases), row by row: all a name
    index needs of a client, read without making Clients."""
    id_, _, name, aliases, *_ = CLIENT_COLUMNS
    rows = session.connection().execute(select(id_, name, aliases).where(*_active(team_id)))
    for key, first, more in rows:
        yield key, (first, *raw_aliases(more))


# Built once: every /touch reads the clients its match names.
_BY_ID = select(*CLIENT_COLUMNS).where(
    ClientRow.team_id == bindparam("team_id"),
    ClientRow.id.in_(bindparam("ids", expanding=True)),
)


def clients_by_id(session: Session, team_id: str, ids: Iterable[int]) -> dict[int, Client]:
    """The workspace's clients of `ids` (any status) by ID, for the few a match answers with."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.connection().execute(_BY_ID, {"team_id": team_id, "ids": wanted})
    return {client.id: client for client in map(client_from, rows)}


def active_client_ids(session: Session, team_id: str) -> set[int]:
    return set(session.scalars(select(ClientRow.id).where(*_active(team_id))))


def count_active_clients(session: Session, team_id: str) -> int:
    return session.scalar(select(func.count()).where(*_active(team_id))) or 0


def _active(team_id: str) -> tuple[ColumnElement[bool], ...]:
    return ClientRow.team_id == team_id, ClientRow.status == Status.ACTIVE.value


def active_clients(session: Session, team_id: str) -> list[Client]:
    rows = session.connection().execute(
        select(*CLIENT_COLUMNS)
        .where(ClientRow.team_id == team_id, ClientRow.status == Status.ACTIVE.value)
        .order_by(ClientRow.name_key)
    )
    return [client_from(r) for r in rows]


def all_clients(session: Session, team_id: str) -> list[Client]:
    rows = session.scalars(
        select(ClientRow).where(ClientRow.team_id == team_id).order_by(ClientRow.name_key)
    )
    return [client_of(r) for r in rows]


def get_client(session: Session, team_id: str, client_id: int) -> Client | None:
    row = session.scalar(
        select(ClientRow).where(ClientRow.team_id == team_id, ClientRow.id == client_id)
    )
    return client_of(row) if row else None


def clients_by_name(session: Session, team_id: str, names: Iterable[str]) -> dict[str, Client]:
    """Clients keyed by folded name, for the given names that exist."""
    keys = {name_key(n) for n in names}
    if not keys:
        return {}
    rows = session.scalars(
        select(ClientRow).where(ClientRow.team_id == team_id, ClientRow.name_key.in_(keys))
    )
    return {r.name_key: client_of(r) for r in rows}


def upsert_client(session: Session, new: NewClient, now: dt.datetime) -> str:
    """Insert the client, or update the one with the same name (keeping its status).

    Returns "created", "updated" or "unchanged".
    """
    key = name_key(new.name)
    row = session.scalar(
        select(ClientRow).where(ClientRow.team_id == new.team_id, ClientRow.name_key == key)
    )
    values: dict[str, object] = {
        "name": new.name,
        "aliases": list(new.aliases),
        "owner_id": new.owner_id,
        "tier": new.tier.value if new.tier else None,
        "renewal_date": new.renewal_date,
        "client_since": new.client_since,
    }
    if row is None:
        values["changed_version"] = book_changed(session, new.team_id)
        row = ClientRow(
            team_id=new.team_id,
            name_key=key,
            created_at=now,
            status=new.status.value,
            **values,
        )
        session.add(row)
        session.flush()
        refresh_summaries(session, new.team_id, [row.id])
        return "created"
    if all(getattr(row, column) == value for column, value in values.items()):
        return "unchanged"
    values["changed_version"] = book_changed(session, new.team_id)
    for column, value in values.items():
        setattr(row, column, value)
    session.flush()
    refresh_summaries(session, new.team_id, [row.id])
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
        client_since=new.client_since,
        changed_version=book_changed(session, new.team_id),
    )
    session.add(row)
    session.flush()
    refresh_summaries(session, new.team_id, [row.id])
    return client_of(row)


def teams_with_clients(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(ClientRow.team_id)
            .where(ClientRow.status == Status.ACTIVE.value)
            .distinct()
            .order_by(ClientRow.team_id)
        )
    )


def _owners_select() -> Select[str]:
    """client_owners' statement, for any workspace (:team_id)."""

    def next_owner(after: Any) -> Any:
        return (
            select(func.min(ClientRow.owner_id))
            .where(
                ClientRow.team_id == bindparam("team_id"),
                ClientRow.owner_id > after,
                ClientRow.status == Status.ACTIVE.value,
            )
            .scalar_subquery()
        )

    owners = select(next_owner("").label("owner_id")).cte("owners", recursive=True)
    owners = owners.union_all(
        select(next_owner(owners.c.owner_id)).where(owners.c.owner_id.is_not(None))
    )
    return select(owners.c.owner_id).where(owners.c.owner_id.is_not(None))


# Built once: building it took longer than running it, once for every workspace of a pass.
_OWNERS = _owners_select()


def client_owners(session: Session, team_id: str) -> set[str]:
    """Everyone who owns at least one active client: the people who may get a digest.

    A skip scan of ix_client_team_owner, one seek per owner (a recursive CTE; neither SQLite
    nor PostgreSQL skips through an index by itself): a DISTINCT read every client, 1.5 s for a
    million of them.
    """
    return set(session.scalars(_OWNERS, {"team_id": team_id}))


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
        .values(
            owner_id=None,
            handed_back_by=rep_id,
            handed_back_at=now,
            changed_version=book_changed(session, team_id),
        )
    )


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
    return [HandedBack(client_of(r), r.handed_back_by, r.handed_back_at) for r in rows]


def update_client(
    session: Session,
    team_id: str,
    client_id: int,
    *,
    owner_id: str | None,
    tier: Tier | None,
    renewal_date: dt.date | None,
    aliases: Sequence[str],
    client_since: dt.date | None,
) -> Client | None:
    """Change a client's owner, tier, renewal, aliases and client-since day. A new owner ends a
    hand-back."""
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
    row.client_since = client_since
    row.changed_version = book_changed(session, team_id)
    session.flush()
    refresh_summaries(session, team_id, [client_id])
    return client_of(row)


def archive_client(session: Session, team_id: str, client_id: int) -> None:
    session.execute(
        update(ClientRow)
        .where(ClientRow.team_id == team_id, ClientRow.id == client_id)
        .values(status=Status.ARCHIVED.value, changed_version=book_changed(session, team_id))
    )
    refresh_summaries(session, team_id, [client_id])
