"""When a workspace removes the app: nothing more is sent there, at once, and everything stored
for it is purged after a grace period (TOUCHBASE_PURGE_AFTER_DAYS) unless the app comes back.

Slack says the app was removed with `app_uninstalled`, or `tokens_revoked` naming the bot's
token. It sends no event when an app is installed in a single workspace, but it delivers a
workspace's requests (events, commands, clicks) only while the app is installed there: the next
signed request from the workspace clears the mark (`seen`).

A purge deletes the workspace's rows from every table but the audit log, and reports what it
deleted: `touchbase purge workspace` prints the report, the scheduler logs it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.core.model import CLI_ACTOR, SCHEDULER_ACTOR, AuditAction
from bot.db import repository as repo
from bot.db.engine import Database
from bot.deps import Deps

log = logging.getLogger(__name__)

# Who purges: someone running `touchbase purge workspace`, or the grace period running out.


@dataclass(frozen=True)
class PurgeReport:
    team_id: str
    actor: str
    # Rows deleted, by table.
    rows: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def uninstalled(deps: Deps, team_id: str, now: dt.datetime) -> None:
    """Slack says the app was removed from the workspace: stop sending there."""
    with deps.db.transaction(write=True) as session:
        marked = repo.mark_uninstalled(session, team_id, now)
    if marked:
        log.info(
            "workspace %s removed Touchbase: nothing more is sent there, and its data is purged "
            "in %d days unless the app is reinstalled",
            team_id,
            deps.settings.purge_after_days,
        )


def seen(deps: Deps, team_id: str, at: dt.datetime) -> bool:
    """A signed request from the workspace, received at `at`: the app is installed there.
    Whether the workspace is now unmarked (False: still marked, the request came before)."""
    with deps.db.statements() as session:
        since = repo.uninstalled_at(session, team_id)
    if since is None:
        return True
    if since >= at:
        return False
    with deps.db.transaction(write=True) as session:
        back = repo.mark_installed(session, team_id, at)
    if back:
        log.info("workspace %s uses Touchbase again: sending resumes, and no purge is due", team_id)
    return back


def purge_workspace(db: Database, team_id: str, now: dt.datetime) -> PurgeReport:
    """Delete everything stored for the workspace, now, installed or not (an operator asks)."""
    with db.transaction(write=True) as session:
        return _purge(session, team_id, CLI_ACTOR, now)


def purge_expired(deps: Deps, now: dt.datetime) -> list[PurgeReport]:
    """Purge each workspace that removed the app more than TOUCHBASE_PURGE_AFTER_DAYS ago.

    Each is checked again inside its own transaction, holding its row: a workspace that came
    back meanwhile is kept.
    """
    cutoff = now - dt.timedelta(days=deps.settings.purge_after_days)
    with deps.db.transaction() as session:
        expired = repo.uninstalled_teams(session, before=cutoff)
    reports = []
    for team_id in sorted(expired):
        with deps.db.transaction(write=True) as session:
            since = repo.uninstalled_at(session, team_id, lock=True)
            if since is not None and since <= cutoff:
                reports.append(_purge(session, team_id, SCHEDULER_ACTOR, now))
    return reports


def _purge(session: Session, team_id: str, actor: str, now: dt.datetime) -> PurgeReport:
    """The purge, in the caller's transaction: its audit entry commits with it, or not at all."""
    report = PurgeReport(team_id, actor, repo.purge_team(session, team_id))
    repo.audit(session, team_id, actor, AuditAction.PURGED, None, f"{report.total} rows", at=now)
    log.info("purged workspace %s (asked by the %s): %d rows deleted", team_id, actor, report.total)
    return report
