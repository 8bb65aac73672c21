"""Form submissions."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import text
from bot.core.blocks import plain
from bot.core.modals import LOG_TOUCH_VIEW, LogForm, read_log_form
from bot.deps import Deps
from bot.services import nudge_actions
from bot.slack.listeners.guard import guarded, who

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.view(LOG_TOUCH_VIEW)
    def log_touch(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        # Reading the form is pure and quick, so its errors can go back inline in the ack.
        form = read_log_form(view["state"]["values"], view.get("private_metadata", ""))
        if isinstance(form, dict):
            ack(response_action="errors", errors=form)
            return
        ack()
        team_id, user_id = who(body)
        if isinstance(form, LogForm):
            reply = guarded(partial(nudge_actions.log_from_form, deps, team_id, user_id, form))
        else:
            reply = plain(text.PICK_GONE)
        try:
            # The form is closed by now: confirm in the rep's DM with the bot.
            client.chat_postMessage(channel=user_id, **reply.as_kwargs())
        except SlackApiError as error:
            log.warning("couldn't confirm a logged touch: %s", error.response.get("error"))
