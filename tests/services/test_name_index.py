"""The name index each process keeps follows every change to a workspace's clients, made by
any process: a second Database on the same URL writes, as another process would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from bot.core.matching import match_client
from bot.core.model import NewClient, Tier
from bot.db import repository as repo
from bot.db.engine import Database
from bot.services import name_index
from tests.conftest import TEAM
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
