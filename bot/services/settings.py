"""A workspace's settings as they take effect: the stored ones, and for what a workspace left
unset, the defaults (the environment's, in single-workspace mode)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.core.model import WorkspaceSettings
from bot.db import repository as repo
from bot.deps import Deps


def stored(deps: Deps, team_id: str) -> WorkspaceSettings:
    with deps.db.transaction() as session:
        return repo.workspace_settings(session, team_id)


def workspace_admins(deps: Deps, team_id: str) -> frozenset[str]:
    """Who the workspace names as admins, besides Slack's own admins and owners."""
    return stored(deps, team_id).effective_admins(deps.settings.defaults)


def workspace_zone(deps: Deps, team_id: str) -> ZoneInfo:
    """The workspace's time zone: the recap's week and the CSV files' dates are in it."""
    return ZoneInfo(stored(deps, team_id).effective_timezone(deps.settings.defaults))
