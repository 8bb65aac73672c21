"""The App Home: published when the rep opens it, and its buttons for the whole book."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.core.record_id import record_id
from bot.deps import Deps
from bot.services import calendar, clients, home, nudge_actions, touches
from bot.slack.forms import open_modal, tell
from bot.slack.guard import Ack, field, guarded, is_slack_id, quietly, who
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
    def open_or_refresh(
        body: dict[str, Any], client: WebClient, view: dict[str, Any] | None
    ) -> None:
        """Open a client's form or view; when the client is gone (None), the home shows the book
        as it is now instead."""
        if view is None:
            home.publish(deps, *who(body))
            return
        open_modal(client, field(body, "trigger_id"), view)

    @app.event("app_home_opened")
    @guarded
    def home_opened(body: dict[str, Any], event: dict[str, Any]) -> None:
        # The event also comes when the rep opens the Messages tab: nothing to publish then.
        if field(event, "tab") == "home":
            home.publish(deps, *who(body))

    @app.action(HOME_LOG_ANY)
    @guarded
    def log_any(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        view = touches.open_form(deps, *who(body)).view
        open_modal(client, field(body, "trigger_id"), view)

    @app.action(HOME_LOG)
    @guarded
    def log_touch(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        view = nudge_actions.log_form(deps, *who(body), field(action, "value"))
        open_or_refresh(body, client, view)

    @app.action(HOME_SNOOZE)
    @guarded
    def snooze(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        # The home says "Snoozed until …" on the client; there's nothing else to reply.
        nudge_actions.snooze(deps, *who(body), field(action, "value"), None, [])
        with quietly("home refresh after a snooze"):
            home.publish(deps, *who(body))

    @app.action(HOME_OPEN)
    @guarded
    def open_client(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        view = clients.open_client(deps, *who(body), field(action, "value"))
        open_or_refresh(body, client, view)

    @app.action(HOME_ADD)
    @guarded
    def add_client(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_modal(client, field(body, "trigger_id"), clients.add_form(who(body)[1]).view)

    @app.action(HOME_CALENDAR)
    @guarded
    def calendar_link(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_modal(client, field(body, "trigger_id"), calendar.link_view(deps, *who(body)))

    @app.action(REASSIGN)
    @guarded
    def reassign(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, user_id = who(body)
        client_id = record_id(field(action, "block_id").removeprefix(REASSIGN_BLOCK))
        owner = field(action, "selected_user")
        if client_id is None or not is_slack_id(owner):
            return
        tell(client, user_id, clients.reassign(deps, team_id, user_id, client_id, owner))
        with quietly("home refresh after a reassignment"):
            home.publish(deps, team_id, user_id)
