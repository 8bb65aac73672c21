"""Which workspace this installation serves, as Slack says."""

from __future__ import annotations

from slack_sdk import WebClient


def team_id(slack: WebClient) -> str:
    """The workspace the bot token belongs to."""
    return str(slack.auth_test()["team_id"])
