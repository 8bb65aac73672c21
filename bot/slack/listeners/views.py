"""The log-touch form: following what is typed into it, and its submission."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.services import home, touches
from bot.slack.forms import tell
from bot.slack.guard import Ack, field, form_values, guarded, quietly, reading, who
from bot.ui import text
from bot.ui.blocks import FormErrors, plain
from bot.ui.ids import LOG_TOUCH_VIEW, NOTE
from bot.ui.modals import LogForm, follow_note, read_log_form

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.action(NOTE)
    @guarded
    def follow(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The note of the log-touch form, as it is typed: preselect how the touch counts."""
        ack()
        with reading():
            view = body["view"]
            updated = follow_note(form_values(view), field(view, "private_metadata"))
        if updated is None:
            return
        try:
            client.views_update(view_id=field(view, "id"), hash=field(view, "hash"), view=updated)
        except SlackApiError as error:
            # hash_conflict: the rep typed on, and a later update won; nothing is lost.
            log.info("didn't update the log-touch form: %s", error.response.get("error"))

    @app.view(LOG_TOUCH_VIEW)
    @guarded
    def log_touch(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        # Reading the form is pure and quick, so its errors can go back inline in the ack.
        with reading():
            form = read_log_form(form_values(view), field(view, "private_metadata"))
        if isinstance(form, FormErrors):
            ack(response_action="errors", errors=dict(form.errors))
            return
        ack()
        team_id, user_id = who(body)
        if isinstance(form, LogForm):
            reply = touches.log_from_form(deps, team_id, user_id, form)
        else:
            reply = plain(text.PICK_GONE)
        tell(client, user_id, reply)
        with quietly("home refresh after the log-touch form"):
            home.publish(deps, team_id, user_id)
