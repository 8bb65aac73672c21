"""Slack's word on who is still there: a user's profile changed, or they left."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.deps import Deps
from bot.services import reps


def register(app: App, deps: Deps) -> None:
    @app.event("user_change")
    def user_change(event: dict[str, Any], body: dict[str, Any]) -> None:
        reps.profile_changed(deps, str(body["team_id"]), event["user"], deps.clock())
