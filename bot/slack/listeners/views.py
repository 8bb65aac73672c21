"""Forms: opening them, following what is typed into them, and their submissions."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import text
from bot.core.blocks import Message, plain
from bot.core.modals import LOG_TOUCH_VIEW, NOTE, LogForm, follow_note, read_log_form
from bot.deps import Deps
from bot.services import home, nudge_actions
from bot.slack.listeners.guard import guarded, who

log = logging.getLogger(__name__)


def open_modal(client: WebClient, trigger_id: str, view: Mapping[str, Any]) -> bool:
    """Open a form; False (and logged) when Slack won't, say because the trigger expired."""
    try:
        client.views_open(trigger_id=trigger_id, view=dict(view))
    except SlackApiError as error:
        log.warning("couldn't open a form: %s", error.response.get("error"))
        return False
    return True


def tell(client: WebClient, user_id: str, reply: Message) -> None:
    """Say how a form went in the rep's DM with the bot: the form is closed by now."""
    try:
        client.chat_postMessage(channel=user_id, **reply.as_kwargs())
    except SlackApiError as error:
        log.warning("couldn't tell a rep how a form went: %s", error.response.get("error"))


def register(app: App, deps: Deps) -> None:
    @app.action(NOTE)
    def follow(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The note of the log-touch form, as it is typed: preselect how the touch counts."""
        ack()
        view = body["view"]
        updated = follow_note(view["state"]["values"], view.get("private_metadata", ""))
        if updated is None:
            return
        try:
            client.views_update(view_id=view["id"], hash=view["hash"], view=updated)
        except SlackApiError as error:
            # hash_conflict: the rep typed on, and a later update won; nothing is lost.
            log.info("didn't update the log-touch form: %s", error.response.get("error"))

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
        tell(client, user_id, reply)
        home.publish(deps, team_id, user_id)
