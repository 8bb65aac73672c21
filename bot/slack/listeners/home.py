"""The App Home: published when the rep opens it, and its buttons for the whole book."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services import calendar, clients, home, nudge_actions, touches
from bot.slack.forms import open_modal, tell
from bot.slack.guard import guarded, who
from bot.ui.ids import (
    HOME_ADD,
    HOME_CALENDAR,
    HOME_LOG,
    HOME_LOG_ANY,
    HOME_OPEN,
    HOME_SNOOZE,
    REASSIGN,
    REASSIGN_BLOCK,
)


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], body: dict[str, Any]) -> None:
        # The event also comes when the rep opens the Messages tab: nothing to publish then.
        if event.get("tab") == "home":
            home.publish(deps, str(body["team_id"]), str(event["user"]))

    @app.action(HOME_LOG_ANY)
    def log_any(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_modal(client, body["trigger_id"], touches.open_form(deps, *who(body)).view)

    @app.action(HOME_LOG)
    def log_touch(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        view = nudge_actions.log_form(deps, *who(body), action.get("value", ""))
        if view is None:
            # The client is gone: the home shows the book as it is now.
            home.publish(deps, *who(body))
            return
        open_modal(client, body["trigger_id"], view)

    @app.action(HOME_SNOOZE)
    def snooze(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        # The home says "Snoozed until …" on the client; there's nothing else to reply.
        guarded(lambda: nudge_actions.snooze(deps, *who(body), action.get("value", ""), None, []))
        home.publish(deps, *who(body))

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

    @app.action(HOME_CALENDAR)
    def calendar_link(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_modal(client, body["trigger_id"], calendar.link_view(deps, *who(body)))

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
