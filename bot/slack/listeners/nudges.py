"""The digest's buttons: Log a touch, Snooze, Not my client."""

from __future__ import annotations

import datetime as dt
from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services import nudge_actions
from bot.slack.forms import open_modal
from bot.slack.guard import Ack, field, guarded, reading, who
from bot.ui import text
from bot.ui.ids import LOG_FROM_NUDGE, NOT_MINE, SNOOZE_UNTIL, SNOOZE_WEEK


def _shown(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The blocks of the message the button sits on, so the reply can update just one item."""
    with reading():
        blocks = (body.get("message") or {}).get("blocks") or []
        return [block for block in blocks if isinstance(block, dict)]


def register(app: App, deps: Deps) -> None:
    @app.action(LOG_FROM_NUDGE)
    @guarded
    def log_touch(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        view = nudge_actions.log_form(deps, *who(body), field(action, "value"))
        if view is None:
            respond(replace_original=False, response_type="ephemeral", text=text.CLIENT_GONE)
            return
        open_modal(client, field(body, "trigger_id"), view)

    @app.action(SNOOZE_WEEK)
    @guarded
    def snooze_week(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        ack()
        reply = nudge_actions.snooze(deps, *who(body), field(action, "value"), None, _shown(body))
        respond(replace_original=bool(reply.blocks), **reply.as_kwargs())

    @app.action(SNOOZE_UNTIL)
    @guarded
    def snooze_until(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        ack()
        client_id = field(action, "block_id").rpartition(":")[2]
        picked = field(action, "selected_date")
        if not picked:
            return
        with reading():
            until = dt.date.fromisoformat(picked)
        reply = nudge_actions.snooze(deps, *who(body), client_id, until, _shown(body))
        respond(replace_original=bool(reply.blocks), **reply.as_kwargs())

    @app.action(NOT_MINE)
    @guarded
    def not_mine(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        reply = nudge_actions.hand_back(deps, *who(body), field(action, "value"), _shown(body))
        respond(replace_original=bool(reply.blocks), **reply.as_kwargs())
