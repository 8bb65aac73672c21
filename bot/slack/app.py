"""The Bolt app factory."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.deps import Deps
from bot.slack import listeners


def create_app(deps: Deps) -> App:
    app = App(
        client=deps.slack,
        signing_secret=deps.settings.signing_secret,
        # auth.test runs lazily on the first request instead, so start-up needs no network.
        token_verification_enabled=False,
        logger=logging.getLogger("bot.slack"),
    )
    listeners.register(app, deps)
    return app
