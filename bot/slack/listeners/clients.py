"""Looking after a client: the client view's form and Archive button, and the add-client form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services import clients, home
from bot.slack.forms import tell
from bot.slack.guard import guarded, who
from bot.ui import text
from bot.ui.blocks import FormErrors, plain
from bot.ui.clients import read_add_form, read_client_form
from bot.ui.ids import ADD_CLIENT_VIEW, ARCHIVE, CLIENT_VIEW, ERASE


def register(app: App, deps: Deps) -> None:
    @app.view(CLIENT_VIEW)
    def save(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        form = read_client_form(view["state"]["values"], view.get("private_metadata", ""))
        if isinstance(form, FormErrors):
            ack(response_action="errors", errors=dict(form.errors))
            return
        ack()
        team_id, user_id = who(body)
        reply = (
            plain(text.PICK_GONE)
            if form is None
            else guarded(lambda: clients.save(deps, team_id, user_id, form))
        )
        tell(client, user_id, reply)
        home.publish(deps, team_id, user_id)

    @app.view(ADD_CLIENT_VIEW)
    def add(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        form = read_add_form(view["state"]["values"])
        if isinstance(form, FormErrors):
            ack(response_action="errors", errors=dict(form.errors))
            return
        ack()
        team_id, user_id = who(body)
        tell(client, user_id, guarded(lambda: clients.add_from_form(deps, team_id, user_id, form)))
        home.publish(deps, team_id, user_id)

    @app.action(ARCHIVE)
    def archive(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        done = clients.archive(deps, *who(body), action.get("value", ""))
        client.views_update(view_id=body["view"]["id"], view=done)
        home.publish(deps, *who(body))

    @app.action(ERASE)
    def erase(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        done = clients.erase(deps, *who(body), action.get("value", ""))
        client.views_update(view_id=body["view"]["id"], view=done)
        home.publish(deps, *who(body))
