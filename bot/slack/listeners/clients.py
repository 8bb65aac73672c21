"""Looking after clients: the client view and the add-client form, from the home and `/touch`."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import text
from bot.core.blocks import plain
from bot.core.client_views import (
    ADD_CLIENT_VIEW,
    ARCHIVE,
    CLIENT_VIEW,
    read_add_form,
    read_client_form,
)
from bot.core.home import HOME_ADD, HOME_OPEN, REASSIGN, REASSIGN_BLOCK
from bot.deps import Deps
from bot.services import clients, home
from bot.slack.listeners.guard import guarded, who
from bot.slack.listeners.views import open_modal, tell


def register(app: App, deps: Deps) -> None:
    @app.action(HOME_OPEN)
    def open_client(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        view = clients.open_client(deps, *who(body), action.get("value", ""))
        if view is None:
            home.publish(deps, *who(body))
            return
        open_modal(client, body["trigger_id"], view)

    @app.action(HOME_ADD)
    def add_client(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_modal(client, body["trigger_id"], clients.add_form(who(body)[1]).view)

    @app.view(CLIENT_VIEW)
    def save(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        form = read_client_form(view["state"]["values"], view.get("private_metadata", ""))
        if isinstance(form, dict):
            ack(response_action="errors", errors=form)
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
        if isinstance(form, dict):
            ack(response_action="errors", errors=form)
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

    @app.action(REASSIGN)
    def reassign(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, user_id = who(body)
        client_id = str(action.get("block_id", "")).removeprefix(REASSIGN_BLOCK)
        owner = action.get("selected_user")
        if not client_id.isdigit() or not owner:
            return
        reply = guarded(lambda: clients.reassign(deps, team_id, user_id, int(client_id), owner))
        tell(client, user_id, reply)
        home.publish(deps, team_id, user_id)
