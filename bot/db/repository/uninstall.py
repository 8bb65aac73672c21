"""Workspaces that removed the app: since when, and purging everything stored for one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.db.schema import Base, WorkspaceRow

# Tables a purge leaves alone. The audit log records the purge itself, and holds ids only.
PURGE_KEEPS = frozenset({"audit"})


def mark_uninstalled(session: Session, team_id: str, at: dt.datetime) -> bool:
    """Record that the app was removed from the workspace; True unless it was already.

    Slack sends app_uninstalled and tokens_revoked together, so both may arrive at once: the row
    is inserted if missing in one statement, and the first mark is the one kept.
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert(WorkspaceRow) if dialect == "postgresql" else sqlite_insert(WorkspaceRow)
    session.execute(
        insert.values(team_id=team_id).on_conflict_do_nothing(index_elements=[WorkspaceRow.team_id])
    )
    marked = session.execute(
        update(WorkspaceRow)
        .where(WorkspaceRow.team_id == team_id, WorkspaceRow.uninstalled_at.is_(None))
        .values(uninstalled_at=at)
    )
    return bool(marked.rowcount)  # type: ignore[attr-defined]


# Built once, run as Core: every request checks the mark (bot.services.uninstall.seen).
_MARK = select(WorkspaceRow.uninstalled_at).where(WorkspaceRow.team_id == bindparam("team_id"))
_LOCKED_MARK = _MARK.with_for_update()


def uninstalled_at(session: Session, team_id: str, *, lock: bool = False) -> dt.datetime | None:
    """When the app was removed from the workspace; None while it is installed. `lock` holds
    the row until the transaction ends (PostgreSQL; SQLite's writer holds the database)."""
    query = _LOCKED_MARK if lock else _MARK
    return session.connection().execute(query, {"team_id": team_id}).scalar()


def mark_installed(session: Session, team_id: str, seen_at: dt.datetime) -> bool:
    """Clear a mark set before `seen_at`; True when there was one. A mark set since is kept: the
    request that saw the app installed came before the uninstall."""
    cleared = session.execute(
        update(WorkspaceRow)
        .where(WorkspaceRow.team_id == team_id, WorkspaceRow.uninstalled_at < seen_at)
        .values(uninstalled_at=None)
    )
    return bool(cleared.rowcount)  # type: ignore[attr-defined]


def uninstalled_teams(session: Session, before: dt.datetime | None = None) -> set[str]:
    """The workspaces the app was removed from (at or before `before`, when given)."""
    query = select(WorkspaceRow.team_id).where(WorkspaceRow.uninstalled_at.is_not(None))
    if before is not None:
        query = query.where(WorkspaceRow.uninstalled_at <= before)
    return set(session.scalars(query))


def purge_team(session: Session, team_id: str) -> dict[str, int]:
    """Delete the workspace's rows from every table that has a team_id (but PURGE_KEEPS), those
    that refer to others first. Returns the rows deleted, by table.

    Every table, not a list: a table added later is purged too.
    """
    deleted = {}
    for table in reversed(Base.metadata.sorted_tables):
        if table.name in PURGE_KEEPS or "team_id" not in table.c:
            continue
        result = session.execute(delete(table).where(table.c.team_id == team_id))
        deleted[table.name] = int(result.rowcount)  # type: ignore[attr-defined]
    return deleted
