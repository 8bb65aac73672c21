"""Reps: their Slack profile, zone and pause, as last read from Slack."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import (
    bindparam,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.core.model import (
    Rep,
)
from bot.db.repository._rows import (
    rep_of,
)
from bot.db.schema import (
    RepRow,
)

# A Core statement on the session's connection: every request reads its rep, and the ORM's
# identity map and loading cost more than the read.
_REP = select(RepRow.__table__).where(
    RepRow.__table__.c.team_id == bindparam("team_id"),
    RepRow.__table__.c.user_id == bindparam("user_id"),
)


def get_rep(session: Session, team_id: str, user_id: str) -> Rep | None:
    row = session.connection().execute(_REP, {"team_id": team_id, "user_id": user_id}).first()
    return rep_of(row) if row else None


def get_reps(session: Session, team_id: str, user_ids: Iterable[str]) -> dict[str, Rep]:
    ids = set(user_ids)
    if not ids:
        return {}
    rows = session.scalars(select(RepRow).where(RepRow.team_id == team_id, RepRow.user_id.in_(ids)))
    return {r.user_id: rep_of(r) for r in rows}


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


def deactivate_rep(session: Session, team_id: str, user_id: str) -> None:
    session.execute(
        update(RepRow)
        .where(RepRow.team_id == team_id, RepRow.user_id == user_id)
        .values(active=False)
    )
