"""Small builders for tests that need rows in the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from bot.core.model import Client, Kind, NewClient, NewTouch, Source, Tier
from bot.db import repository as repo
from bot.db.engine import Database

TEAM = "T0TOUCH"
CREATED = dt.datetime(2025, 1, 6, 12, tzinfo=dt.UTC)


def add_client(
    db: Database,
    name: str,
    *,
    aliases: tuple[str, ...] = (),
    owner: str | None = "U0SAM",
    tier: Tier | None = None,
    renewal: dt.date | None = None,
    team: str = TEAM,
    since: dt.date | None = None,
) -> Client:
    with db.transaction(write=True) as session:
        return repo.add_client(
            session,
            NewClient(team, name, aliases, owner, tier, renewal, client_since=since),
            CREATED,
        )


def add_touch(
    db: Database,
    client: Client,
    when: dt.datetime,
    note: str = "called",
    *,
    kind: Kind = Kind.VALUE,
    rep: str = "U0SAM",
    follow_up_on: dt.date | None = None,
    about_problem: bool = False,
    private: bool = False,
    logged_at: dt.datetime | None = None,
) -> None:
    with db.transaction(write=True) as session:
        repo.add_touch(
            session,
            NewTouch(
                client.team_id,
                client.id,
                rep,
                when,
                logged_at or when,
                note,
                kind,
                Source.SLASH,
                follow_up_on,
                about_problem,
                private=private,
            ),
        )


def touches(db: Database, team: str = TEAM) -> list[tuple[str, str, str]]:
    """(client name, note, kind) of every touch, oldest first."""
    with db.transaction() as session:
        names = {c.id: c.name for c in repo.all_clients(session, team)}
        return [(names[t.client_id], t.note, t.kind.value) for t in repo.all_touches(session, team)]


# The database refuses every new touch, as a full disk or a broken constraint would.
REFUSE_TOUCHES = {
    "sqlite": [
        "CREATE TRIGGER refuse_touch BEFORE INSERT ON touch "
        "BEGIN SELECT RAISE(ABORT, 'refused'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_touch() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation'; END $$ "
        "LANGUAGE plpgsql",
        "CREATE TRIGGER refuse_touch BEFORE INSERT ON touch "
        "FOR EACH ROW EXECUTE FUNCTION refuse_touch()",
    ],
}
ALLOW_TOUCHES = {
    "sqlite": ["DROP TRIGGER refuse_touch"],
    "postgresql": ["DROP TRIGGER refuse_touch ON touch", "DROP FUNCTION refuse_touch()"],
}


@contextmanager
def touches_refused(db: Database) -> Iterator[None]:
    """While inside, the database refuses every new touch with a constraint error."""
    with db.engine.begin() as connection:
        for statement in REFUSE_TOUCHES[db.dialect]:
            connection.exec_driver_sql(statement)
    try:
        yield
    finally:
        with db.engine.begin() as connection:
            for statement in ALLOW_TOUCHES[db.dialect]:
                connection.exec_driver_sql(statement)
