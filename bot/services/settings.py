"""A workspace's settings: as they take effect (the stored ones, and for what a workspace left
unset, the defaults: the environment's, in single-workspace mode), and changed from the
command line or by an admin from the Home tab's settings form."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from bot.core import workspace
from bot.core.clients import is_admin
from bot.core.model import AuditAction, WorkspaceSettings
from bot.db import repository as repo
from bot.deps import Deps
from bot.services.reps import ensure_rep
from bot.ui import text
from bot.ui.blocks import FormErrors, Message, plain
from bot.ui.settings import settings_errors, settings_view

log = logging.getLogger(__name__)


def stored(deps: Deps, team_id: str) -> WorkspaceSettings:
    with deps.db.transaction() as session:
        return repo.workspace_settings(session, team_id)


def workspace_admins(deps: Deps, team_id: str) -> frozenset[str]:
    """Who the workspace names as admins, besides Slack's own admins and owners."""
    return stored(deps, team_id).effective_admins(deps.settings.defaults)


def workspace_zone(deps: Deps, team_id: str) -> ZoneInfo:
    """The workspace's time zone: the recap's week and the CSV files' dates are in it."""
    return ZoneInfo(stored(deps, team_id).effective_timezone(deps.settings.defaults))


def change(
    deps: Deps, team_id: str, raw: Mapping[str, str], actor: str
) -> WorkspaceSettings | dict[str, str]:
    """Change the workspace's settings (key -> value as typed), all or none, and audit each
    value that changed; or what's wrong with each value that can't be, by key, changing
    nothing. `touchbase settings` and the Home tab's settings form both change them here."""
    with deps.db.transaction(write=True) as session:
        current = repo.workspace_settings(session, team_id)
        changed = workspace.change_all(current, raw)
        if isinstance(changed, dict):
            return changed
        repo.save_workspace_settings(session, changed)
        for key in raw:
            before, after = (workspace.shown(s, key) for s in (current, changed))
            if before != after:
                repo.audit(
                    session,
                    team_id,
                    actor,
                    AuditAction.SETTING_CHANGED,
                    detail=f"{key}: {before} -> {after}",
                    at=deps.clock(),
                )
    return changed


def is_admin_of(deps: Deps, team_id: str, user_id: str) -> bool:
    """Whether the person is an admin of the workspace: a Slack admin or owner (users.info,
    through their rep profile), or named in the workspace's admins."""
    rep = ensure_rep(deps, team_id, user_id, deps.clock())
    return is_admin(rep, workspace_admins(deps, team_id))


def form(deps: Deps, team_id: str, user_id: str) -> dict[str, Any] | None:
    """The settings form, for an admin; None for anyone else."""
    if not is_admin_of(deps, team_id, user_id):
        return None
    return settings_view(stored(deps, team_id))


def save_form(
    deps: Deps, team_id: str, user_id: str, raw: Mapping[str, str]
) -> Message | FormErrors:
    """Save the settings form, all or nothing: what to tell the admin, or the problems to show
    under the inputs. Anyone but an admin is refused, whatever the form says, and nothing
    changes."""
    if not is_admin_of(deps, team_id, user_id):
        log.warning("refused a settings form from %s in %s: not an admin", user_id, team_id)
        return plain(text.SETTINGS_ADMINS_ONLY)
    changed = change(deps, team_id, raw, user_id)
    if isinstance(changed, dict):
        return settings_errors(changed)
    return plain(text.SETTINGS_SAVED)
