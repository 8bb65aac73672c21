"""The App Home: published when the rep opens it, and its buttons for the whole book."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.core.home import HOME_LOG, HOME_LOG_ANY, HOME_SNOOZE
from bot.deps import Deps
from bot.services import home, nudge_actions, touches
from bot.slack.listeners.guard import guarded, who
from bot.slack.listeners.views import open_modal


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
