"""The `/touch` slash command."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services import touches
from bot.slack.forms import open_modal
from bot.slack.guard import Ack, field, guarded, who
from bot.ui.modals import Modal

COMMAND = "/touch"


def as_typed(words: str) -> str:
    """The command's text as the rep typed it. Slack escapes &, < and > in what was typed
    (its own mentions and links stay as <…>); "&amp;" goes last, so "&amp;lt;" stays "&lt;"."""
    return words.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def register(app: App, deps: Deps) -> None:
    @app.command(COMMAND)
    @guarded
    def touch(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        # The work comes first and its reply is the ack: one round trip, unless the guard's
        # deadline has acked already, when the reply goes by the response_url.
        words = as_typed(field(body, "text"))
        reply = touches.run_command(deps, *who(body), words)
        # `/touch` on its own, `/touch edit acme`: a form, opened while the trigger is fresh.
        if isinstance(reply, Modal) and open_modal(client, field(body, "trigger_id"), reply.view):
            ack()
            return
        ack(response_type="ephemeral", **reply.as_kwargs())
