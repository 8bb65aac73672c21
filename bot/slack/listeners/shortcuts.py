"""The "Log as touch" message shortcut: any message, such as a pasted client email, as a note."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services import touches
from bot.slack.forms import open_modal
from bot.slack.guard import Ack, field, guarded, who
from bot.ui import text
from bot.ui.ids import LOG_AS_TOUCH


def register(app: App, deps: Deps) -> None:
    @app.shortcut(LOG_AS_TOUCH)
    @guarded
    def log_as_touch(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        message = field(body.get("message") or {}, "text")
        view = touches.form_for_message(deps, *who(body), message)
        if not open_modal(client, field(body, "trigger_id"), view):
            respond(response_type="ephemeral", text=text.FORM_WONT_OPEN)
