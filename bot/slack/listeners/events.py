"""Slack's word on who is still there: a user's profile changed (or they left), the app was
uninstalled or its token revoked, and, from any other request, that the app is installed."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest

from bot.deps import Deps
from bot.services import reps, uninstall
from bot.slack.guard import Busy, Malformed, guarded, is_slack_id, team_of

log = logging.getLogger(__name__)

# The events that say the app is gone: no sign that it is installed.
GOODBYES = frozenset({"app_uninstalled", "tokens_revoked"})
# Seconds a process goes without reading a workspace's uninstall mark once it has seen it clear.
# Safe for a mark set meanwhile by another process: the check only ever clears a mark (sending
# stops on the mark itself, read where each send is decided), so skipping it can only leave a
# mark in place a second longer. And a request that soon after an uninstall is one Slack sent
# before it, not a reinstall, which takes a person through Slack's install pages.
INSTALLED_FOR = 1.0


def register(app: App, deps: Deps) -> None:
    # This process's workspaces seen installed, each until a time.monotonic() moment.
    installed_until: dict[str, float] = {}

    def seen(team_id: str, arrived: dt.datetime) -> None:
        try:
            if uninstall.seen(deps, team_id, arrived):
                installed_until[team_id] = time.monotonic() + INSTALLED_FOR
        except Exception:
            log.exception("couldn't check whether workspace %s had removed Touchbase", team_id)

    @app.middleware
    def installed(
        context: BoltContext, body: dict[str, Any], request: BoltRequest, next: Callable[[], None]
    ) -> None:
        # Slack delivers a workspace's requests only while the app is installed there, so one
        # clears an uninstall mark: a reinstall in a single workspace sends no event. Not a
        # retry, whose first delivery came earlier. It reads the database: on the listeners'
        # threads, never in the way of the ack.
        # The team guard.for_this_workspace let through, not Bolt's guess from the payload.
        team_id = team_of(body)
        goodbye = (body.get("event") or {}).get("type") in GOODBYES
        if (
            team_id
            and not goodbye
            and not request.headers.get("x-slack-retry-num")
            and installed_until.get(team_id, 0.0) <= time.monotonic()
        ):
            # A full pool skips it: the next request from the workspace checks again.
            with suppress(Busy):
                app.listener_runner.listener_executor.submit(seen, team_id, deps.clock())
        next()

    def team(body: dict[str, Any]) -> str:
        found = team_of(body)
        if found is None:
            raise Malformed("no team")
        return found

    @app.event("user_change")
    @guarded
    def user_change(event: dict[str, Any], body: dict[str, Any]) -> None:
        user = event.get("user")
        if not isinstance(user, dict) or not is_slack_id(user.get("id")):
            raise Malformed("no user")
        team_id = team(body)
        # Someone of another workspace (a shared channel's member): never this one's rep.
        if user.get("team_id", team_id) != team_id:
            log.info("Ignored a profile change of a member of workspace %s", user.get("team_id"))
            return
        reps.profile_changed(deps, team_id, user, deps.clock())

    def gone(context: BoltContext, body: dict[str, Any]) -> None:
        team_id = team(body)
        org = context.enterprise_id if context.is_enterprise_install else None
        teams = {team_id}
        if org and deps.workspaces is not None:
            # An org-wide install was removed: from every workspace of the organization.
            teams |= deps.workspaces.teams_of(org)
        for gone_from in sorted(teams):
            uninstall.uninstalled(deps, gone_from, deps.clock())
            # The next request from it reads the mark (a reinstall's clears it).
            installed_until.pop(gone_from, None)
        if deps.workspaces is not None:
            # OAuth mode: its tokens go too, so nothing more can be sent there, even by a pass
            # already under way. A reinstall stores new ones.
            deps.workspaces.store.delete_all(
                enterprise_id=context.enterprise_id, team_id=None if org else team_id
            )

    @app.event("app_uninstalled")
    @guarded
    def app_uninstalled(context: BoltContext, body: dict[str, Any]) -> None:
        gone(context, body)

    @app.event("tokens_revoked")
    @guarded
    def tokens_revoked(context: BoltContext, event: dict[str, Any], body: dict[str, Any]) -> None:
        # Touchbase holds only the bot's token: another one revoked leaves it working.
        if (event.get("tokens") or {}).get("bot"):
            gone(context, body)
