"""Requests already seen, by key: one insert tells a first sighting from a replay, across every
web process at once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.db.schema import SeenRequestRow

# Built once, for every request: building it each time cost more than running it. SQLAlchemy
# keeps an INSERT's rowcount only when asked; the connection's result has it.
_REMEMBER = {
    dialect: insert(SeenRequestRow)
    .on_conflict_do_nothing()
    .execution_options(preserve_rowcount=True)
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def remember(session: Session, key: str, now: dt.datetime) -> bool:
    """Note `key` as seen; False if it was seen already, by this process or another."""
    connection = session.connection()
    result = connection.execute(_REMEMBER[connection.dialect.name], {"key": key, "seen_at": now})
    return result.rowcount == 1


def forget(session: Session, key: str) -> None:
    """Let `key` be seen afresh: its request failed, and a retry should get its chance."""
    session.execute(delete(SeenRequestRow).where(SeenRequestRow.key == key))


def prune(session: Session, before: dt.datetime) -> None:
    """Drop the keys seen before `before`."""
    session.execute(delete(SeenRequestRow).where(SeenRequestRow.seen_at < before))
