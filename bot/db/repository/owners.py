"""Owners who left and the admins who find their clients a new one (see bot.core.owners)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.core.model import Client, Rep, Status
from bot.db.repository._rows import CLIENT_COLUMNS, client_from, rep_of
from bot.db.repository.summary import refresh_summaries
from bot.db.schema import ClientRow, RepRow, TouchRow


def departed_reps(session: Session, team_id: str) -> list[Rep]:
    """The reps Slack says are gone."""
    rows = session.scalars(
        select(RepRow).where(RepRow.team_id == team_id, RepRow.active.is_(False))
    )
    return [rep_of(r) for r in rows]


def admin_ids(session: Session, team_id: str) -> set[str]:
    """The reps Slack shows as workspace admins or owners (TOUCHBASE_ADMINS lists others)."""
    return set(
        session.scalars(
            select(RepRow.user_id).where(RepRow.team_id == team_id, RepRow.is_admin.is_(True))
        )
    )


def clients_owned_by(session: Session, team_id: str, owners: Iterable[str]) -> list[Client]:
    """The active clients these reps own."""
    wanted = set(owners)
    if not wanted:
        return []
    rows = session.connection().execute(
        select(*CLIENT_COLUMNS).where(
            ClientRow.team_id == team_id,
            ClientRow.status == Status.ACTIVE.value,
            ClientRow.owner_id.in_(wanted),
        )
    )
    return [client_from(r) for r in rows]


def hand_over_promises(
    session: Session, team_id: str, client_id: int, from_rep: str, to_rep: str
) -> int:
    """Give the follow-ups `from_rep` is to keep on this client to `to_rep`; returns how many.

    Every one of them, kept or not: only the client's latest promise, while nothing has been
    logged since, ever reminds anyone, and the older ones have no say.
    """
    keeper = func.coalesce(TouchRow.promise_owner, TouchRow.rep_id)
    result = session.execute(
        update(TouchRow)
        .where(
            TouchRow.team_id == team_id,
            TouchRow.client_id == client_id,
            TouchRow.follow_up_on.is_not(None),
            keeper == from_rep,
        )
        .values(promise_owner=to_rep)
    )
    # The summary names who keeps the latest promise (bot.db.repository.summary).
    refresh_summaries(session, team_id, [client_id])
    return int(result.rowcount)  # type: ignore[attr-defined]
