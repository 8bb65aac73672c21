"""Looking after a client: the client view's form and Archive button, and the add-client form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services import clients, home
from bot.slack.forms import tell
from bot.slack.guard import Ack, field, form_values, guarded, quietly, reading, who
from bot.ui import text
from bot.ui.blocks import FormErrors, plain
from bot.ui.clients import read_add_form, read_client_form
from bot.ui.ids import ADD_CLIENT_VIEW, ARCHIVE, CLIENT_VIEW, ERASE


def register(app: App, deps: Deps) -> None:
    @app.view(CLIENT_VIEW)
    @guarded
    def save(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        with reading():
            form = read_client_form(form_values(view), field(view, "private_metadata"))
        if isinstance(form, FormErrors):
            ack(response_action="errors", errors=dict(form.errors))
            return
        ack()
        team_id, user_id = who(body)
        reply = (
            plain(text.PICK_GONE) if form is None else clients.save(deps, team_id, user_id, form)
        )
        tell(client, user_id, reply)
        with quietly("home refresh after the client form"):
            home.publish(deps, team_id, user_id)

    @app.view(ADD_CLIENT_VIEW)
    @guarded
    def add(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        with reading():
            form = read_add_form(form_values(view))
        if isinstance(form, FormErrors):
            ack(response_action="errors", errors=dict(form.errors))
            return
        ack()
        team_id, user_id = who(body)
        tell(client, user_id, clients.add_from_form(deps, team_id, user_id, form))
        with quietly("home refresh after the add-client form"):
            home.publish(deps, team_id, user_id)

    def finish_in_view(
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        act: Callable[[Deps, str, str, str], dict[str, Any]],
        what: str,
    ) -> None:
        """Archive or erase from the client view: the view's last screen says what happened."""
        team_id, user_id = who(body)
        with reading():
            view_id = field(body["view"], "id")
        done = act(deps, team_id, user_id, field(action, "value"))
        client.views_update(view_id=view_id, view=done)
        with quietly(f"home refresh after {what}"):
            home.publish(deps, team_id, user_id)

    @app.action(ARCHIVE)
    @guarded
    def archive(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        finish_in_view(body, action, client, clients.archive, "archiving")

    @app.action(ERASE)
    @guarded
    def erase(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        finish_in_view(body, action, client, clients.erase, "erasing")
