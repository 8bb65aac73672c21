"""Options for external selects: the log-touch form's client picker, searched as the rep types."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.deps import Deps
from bot.services import clients
from bot.slack.guard import who
from bot.ui.ids import CLIENT


def register(app: App, deps: Deps) -> None:
    @app.options(CLIENT)
    def client_options(ack: Ack, body: dict[str, Any], payload: dict[str, Any]) -> None:
        # The options are the answer itself, so they go in the ack.
        team_id, _ = who(body)
        ack(options=clients.options(deps, team_id, str(payload.get("value") or "")))
