"""The `/touch` slash command."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services import touches
from bot.slack.forms import open_modal
from bot.slack.guard import guarded
from bot.ui.modals import Modal

COMMAND = "/touch"


def register(app: App, deps: Deps) -> None:
    @app.command(COMMAND)
    def touch(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        reply = guarded(
            lambda: touches.run_command(
                deps, command["team_id"], command["user_id"], command.get("text", "")
            )
        )
        # `/touch` on its own, `/touch edit acme`: a form, opened while the trigger is fresh.
        if isinstance(reply, Modal) and open_modal(client, command["trigger_id"], reply.view):
            return
        respond(response_type="ephemeral", **reply.as_kwargs())
