"""Options for external selects: the log-touch form's client picker, searched as the rep types."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.deps import Deps
from bot.services import clients
from bot.slack import deadline
from bot.slack.guard import Ack, field, guarded, who
from bot.ui.ids import CLIENT

log = logging.getLogger(__name__)

# The options are the answer itself, so the search happens before the ack; past this many
# seconds (well inside Slack's 3, with the edge's replay check before it) the rep sees none
# this time, and the next keystroke asks again.
SEARCH_DEADLINE = 1.5


def register(app: App, deps: Deps) -> None:
    @app.options(CLIENT)
    @guarded
    def client_options(ack: Ack, body: dict[str, Any], payload: dict[str, Any]) -> None:
        team_id, _ = who(body)
        typed = field(payload, "value")
        try:
            found = deadline.within(SEARCH_DEADLINE, lambda: clients.options(deps, team_id, typed))
        except TimeoutError:
            log.warning("The client search took over %g s: no options this time", SEARCH_DEADLINE)
            found = []
        ack(options=found)
