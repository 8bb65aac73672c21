"""The `/touch` slash command."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.deps import Deps
from bot.services import touches
from bot.slack.listeners.guard import guarded

COMMAND = "/touch"


def register(app: App, deps: Deps) -> None:
    @app.command(COMMAND)
    def touch(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        reply = guarded(
            lambda: touches.run_command(
                deps, command["team_id"], command["user_id"], command.get("text", "")
            )
        )
        respond(response_type="ephemeral", **reply.as_kwargs())
