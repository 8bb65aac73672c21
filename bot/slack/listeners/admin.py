"""The Home tab's Admin section: the workspace settings form, for admins alone."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services import home, settings
from bot.slack.forms import open_modal, tell
from bot.slack.guard import Ack, field, form_values, guarded, quietly, reading, who
from bot.ui.blocks import FormErrors
from bot.ui.ids import HOME_SETTINGS, SETTINGS_VIEW
from bot.ui.settings import read_settings_form


def register(app: App, deps: Deps) -> None:
    @app.action(HOME_SETTINGS)
    @guarded
    def open_settings(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        view = settings.form(deps, *who(body))
        if view is None:  # not an admin (any more): the home shows what they may do
            home.publish(deps, *who(body))
            return
        open_modal(client, field(body, "trigger_id"), view)

    @app.view(SETTINGS_VIEW)
    @guarded
    def save(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        with reading():
            raw = read_settings_form(form_values(view))
        team_id, user_id = who(body)
        # The core checks every value, so its problems go back inline in the ack.
        reply = settings.save_form(deps, team_id, user_id, raw)
        if isinstance(reply, FormErrors):
            ack(response_action="errors", errors=dict(reply.errors))
            return
        ack()
        tell(client, user_id, reply)
        with quietly("home refresh after the settings form"):
            home.publish(deps, team_id, user_id)
