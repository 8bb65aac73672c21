"""What handlers and jobs need, built once at start-up and passed down."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk import WebClient

from bot.config import Settings
from bot.db.engine import Database
from bot.installations import NotInstalled, Workspaces
from bot.services.workspace import team_id


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Deps:
    settings: Settings
    db: Database
    # The app's own client: the bot token's in single-workspace mode; in OAuth mode it carries
    # no token, and only Bolt uses it (it gives each request a client with the right token).
    slack: WebClient
    # The edge reads the clock here, so the demo and tests can run the bot at any instant.
    clock: Callable[[], dt.datetime] = field(default=utc_now)
    # OAuth mode: the installed workspaces and their tokens; None in single-workspace mode.
    workspaces: Workspaces | None = None

    def slack_for(self, team: str) -> WebClient:
        """The client that acts for workspace `team`, with that workspace's own token: every
        Web API call a service makes goes through here, so no call can use another workspace's
        token. NotInstalled when there is no token for it."""
        if self.workspaces is not None:
            return self.workspaces.client(team)
        if team != team_id(self.slack):
            raise NotInstalled(team)
        return self.slack
