"""Buttons on `/touch` replies."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.deps import Deps
from bot.services import touches
from bot.slack.guard import guarded, who
from bot.ui.ids import FLIP_KIND, PICK_CLIENT


def register(app: App, deps: Deps) -> None:
    @app.action(FLIP_KIND)
    def flip(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        reply = guarded(lambda: touches.flip_kind(deps, *who(body), action.get("value", "")))
        respond(replace_original=True, **reply.as_kwargs())

    @app.action(re.compile(f"^{re.escape(PICK_CLIENT)}:"))
    def pick(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        reply = guarded(lambda: touches.pick_client(deps, *who(body), action.get("value", "")))
        respond(replace_original=True, **reply.as_kwargs())
