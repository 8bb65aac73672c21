"""The audit log: who did what to which client, and when. Written in the transaction of the
action it records; kept when the client is erased (only the id remains)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.model import AuditAction, AuditEntry
from bot.db.schema import AuditRow

# The detail column's width: a longer detail is cut, never refused.
MAX_DETAIL = 500


def audit(
    session: Session,
    team_id: str,
    actor: str,
    action: AuditAction,
    client_id: int | None = None,
    detail: str = "",
    *,
    at: dt.datetime,
) -> None:
    """Record one action. `actor` is a Slack user ID, "cli" or "scheduler"; `detail` says what
    changed in IDs and figures, never with a note or a client's name."""
    session.add(
        AuditRow(
            team_id=team_id,
            at=at,
            actor=actor,
            action=action.value,
            client_id=client_id,
            detail=detail[:MAX_DETAIL],
        )
    )


def audit_entries(
    session: Session,
    team_id: str,
    *,
    since: dt.datetime | None = None,
    client_id: int | None = None,
) -> list[AuditEntry]:
    """The workspace's entries, oldest first, from `since` on and about `client_id` if given."""
    query = select(AuditRow).where(AuditRow.team_id == team_id)
    if since is not None:
        query = query.where(AuditRow.at >= since)
    if client_id is not None:
        query = query.where(AuditRow.client_id == client_id)
    rows = session.scalars(query.order_by(AuditRow.at, AuditRow.id))
    return [
        AuditEntry(r.team_id, r.at, r.actor, AuditAction(r.action), r.client_id, r.detail)
        for r in rows
    ]
