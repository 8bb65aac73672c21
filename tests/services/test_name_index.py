"""The name index each process keeps follows every change to a workspace's clients, made by
any process: a second Database on the same URL writes, as another process would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from bot.core.matching import match_client
from bot.core.model import NewClient, Rep, Tier
from bot.db import repository as repo
from bot.db.engine import Database
from bot.deps import Deps
from bot.services import name_index
from bot.services.touches import log_touch
from bot.ui import text
from tests.conftest import NOW, TEAM
from tests.helpers import add_client

TEXTS = ["acme called", "zenith lunch", "northwnd sent the invoice", "nwt renewal", '"Acme" hi']


@pytest.fixture
def other(database_url: str) -> Iterator[Database]:
    """Another process's connections to the same database."""
    database = Database.from_url(database_url)
    yield database
    database.dispose()


def kept_agrees(db: Database) -> None:
    """The kept Book holds exactly the active clients, and answers as the plain matcher."""
    with db.transaction() as session, name_index.current(session, TEAM) as book:
        plain = repo.active_clients(session, TEAM)
        assert book.clients(book.in_order(book.ids())) == plain
        for text in TEXTS:
            assert match_client(text, book) == match_client(text, plain), text


def test_the_index_follows_every_client_write_of_another_process(
    db: Database, other: Database
) -> None:
    acme = add_client(db, "Acme Insurance Group")
    northwind = add_client(db, "Northwind Traders")
    kept_agrees(db)
    now = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    writes = [
        lambda s: repo.add_client(s, NewClient(TEAM, "Zenith Dental"), now),
        lambda s: repo.update_client(
            s,
            TEAM,
            northwind.id,
            owner_id="U0PRIYA",
            tier=Tier.A,
            renewal_date=None,
            aliases=("NWT",),
            client_since=None,
        ),
        lambda s: repo.upsert_client(s, NewClient(TEAM, "acme insurance group", ("Acme",)), now),
        lambda s: repo.hand_back(s, TEAM, northwind.id, "U0PRIYA", now),
        lambda s: repo.archive_client(s, TEAM, acme.id),
        lambda s: repo.erase_client(s, TEAM, northwind.id),
        lambda s: repo.upsert_client(s, NewClient(TEAM, "Northwind Traders"), now),
    ]
    for write in writes:
        with other.transaction(write=True) as session:
            write(session)
        kept_agrees(db)


def test_an_unchanged_book_costs_one_read_and_no_clients(db: Database) -> None:
    add_client(db, "Acme Insurance Group")
    with db.transaction() as session, name_index.current(session, TEAM) as first:
        pass
    with db.transaction() as session, name_index.current(session, TEAM) as second:
        assert second is first and len(second) == 1


def test_a_client_erased_between_the_index_and_the_read_of_its_row_is_no_longer_found(
    deps: Deps, db: Database, other: Database
) -> None:
    acme = add_client(db, "Acme Insurance Group")
    kept_agrees(db)  # the index is current: the command reads only the version, then the row
    erased: list[int] = []

    def erase_first(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        # Another process erases Acme the moment the command reads its row by ID.
        if not erased and "client.id IN" in statement:
            with other.transaction(write=True) as session:
                repo.erase_client(session, TEAM, acme.id)
            erased.append(acme.id)

    event.listen(db.engine, "before_cursor_execute", erase_first)
    try:
        reply = log_touch(deps, Rep(TEAM, "U0SAM", "sam"), "acme called", None, NOW, dt.UTC)
    finally:
        event.remove(db.engine, "before_cursor_execute", erase_first)

    assert erased == [acme.id]
    # SQLite's read transaction still saw Acme, and its touch found it gone; PostgreSQL's next
    # statement saw the erasure, and the command read the book again.
    assert reply.as_kwargs() == {
        "text": text.CLIENT_GONE if db.dialect == "sqlite" else text.no_match("acme", [])
    }
    with db.transaction() as session:
        assert repo.active_clients(session, TEAM) == []
