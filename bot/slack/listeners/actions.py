"""Buttons on `/touch` replies."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App, Respond

from bot.deps import Deps
from bot.services import touches
from bot.slack.guard import Ack, field, guarded, who
from bot.ui.ids import FLIP_KIND, PICK_CLIENT


def register(app: App, deps: Deps) -> None:
    @app.action(FLIP_KIND)
    @guarded
    def flip(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        reply = touches.flip_kind(deps, *who(body), field(action, "value"))
        respond(replace_original=True, **reply.as_kwargs())

    @app.action(re.compile(f"^{re.escape(PICK_CLIENT)}:"))
    @guarded
    def pick(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        reply = touches.pick_client(deps, *who(body), field(action, "value"))
        respond(replace_original=True, **reply.as_kwargs())
