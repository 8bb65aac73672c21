"""Listeners, one module per kind of Slack request, as in Bolt's starter template."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.slack.listeners import (
    actions,
    admin,
    clients,
    commands,
    events,
    home,
    nudges,
    options,
    shortcuts,
    views,
)


def register(app: App, deps: Deps) -> None:
    commands.register(app, deps)
    actions.register(app, deps)
    nudges.register(app, deps)
    views.register(app, deps)
    home.register(app, deps)
    admin.register(app, deps)
    clients.register(app, deps)
    shortcuts.register(app, deps)
    options.register(app, deps)
    events.register(app, deps)
