"""Clients whose owner left Slack: read once, decided in bot.core.owners."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.core.owners import Unowned, needing_owner
from bot.db import repository as repo


def unowned(session: Session, team_id: str) -> tuple[Unowned, ...]:
    """The workspace's active clients waiting for a new owner, by name."""
    departed = {rep.user_id: rep for rep in repo.departed_reps(session, team_id)}
    return needing_owner(repo.clients_owned_by(session, team_id, departed), departed)
