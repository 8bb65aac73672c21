"""Requests already seen: a key is new once, across sessions, until it is forgotten or pruned."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from bot.db import replays
from bot.db.engine import Database
from tests.conftest import NOW


def remember(db: Database, key: str, at: dt.datetime = NOW) -> bool:
    with db.transaction(write=True) as session:
        return replays.remember(session, key, at)


def test_a_key_is_new_only_once(db: Database) -> None:
    assert remember(db, "a" * 64)
    assert not remember(db, "a" * 64)
    assert remember(db, "b" * 64)


def test_a_forgotten_key_is_new_again(db: Database) -> None:
    assert remember(db, "a" * 64)
    with db.transaction(write=True) as session:
        replays.forget(session, "a" * 64)
    assert remember(db, "a" * 64)


def test_pruning_drops_only_the_old_keys(db: Database) -> None:
    remember(db, "old", NOW - dt.timedelta(minutes=11))
    remember(db, "new", NOW - dt.timedelta(minutes=9))
    with db.transaction(write=True) as session:
        replays.prune(session, NOW - dt.timedelta(minutes=10))
    assert remember(db, "old")
    assert not remember(db, "new")


def test_of_many_at_once_exactly_one_sees_a_key_first(db: Database) -> None:
    with ThreadPoolExecutor(max_workers=10) as pool:
        firsts = list(pool.map(lambda _: remember(db, "same"), range(20)))
    assert firsts.count(True) == 1
