"""The Slack app manifest of a Touchbase served at a given URL, for `touchbase manifest --url`:
every URL on that host, Slack's redirect back to the install flow, token rotation on, and
org-wide installs allowed. app_manifest.yml is the same manifest for one workspace
(tests/test_manifest.py checks both against Slack's schema and the code)."""

from __future__ import annotations

from typing import Any

from bot.config import BOT_SCOPES
from bot.ui import ids, text

EVENTS_PATH = "/slack/events"
REDIRECT_PATH = "/slack/oauth_redirect"
# What the app listens to: Home opened, a person changing or leaving, and the app removed.
BOT_EVENTS = ("app_home_opened", "user_change", "app_uninstalled", "tokens_revoked")


def manifest(url: str) -> dict[str, Any]:
    """The manifest for many workspaces, served at `url` (such as https://touchbase.example)."""
    base = url.rstrip("/")
    events = base + EVENTS_PATH
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "Touchbase",
            "description": text.APP_DESCRIPTION,
            "long_description": text.APP_LONG_DESCRIPTION,
            "background_color": "#2f6f5e",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": "Touchbase", "always_online": False},
            "slash_commands": [
                {
                    "command": "/touch",
                    "url": events,
                    "description": text.COMMAND_DESCRIPTION,
                    "usage_hint": text.COMMAND_USAGE,
                    "should_escape": True,
                }
            ],
            "shortcuts": [
                {
                    "name": text.SHORTCUT_NAME,
                    "type": "message",
                    "callback_id": ids.LOG_AS_TOUCH,
                    "description": text.SHORTCUT_DESCRIPTION,
                }
            ],
        },
        "oauth_config": {
            "redirect_urls": [base + REDIRECT_PATH],
            "scopes": {"bot": list(BOT_SCOPES)},
        },
        "settings": {
            "event_subscriptions": {"request_url": events, "bot_events": list(BOT_EVENTS)},
            "interactivity": {
                "is_enabled": True,
                "request_url": events,
                "message_menu_options_url": events,
            },
            "org_deploy_enabled": True,
            "socket_mode_enabled": False,
            "token_rotation_enabled": True,
        },
    }
