"""Which workspace this installation serves, as Slack says."""

from __future__ import annotations

import threading
import weakref

from slack_sdk import WebClient

_teams: weakref.WeakKeyDictionary[WebClient, str] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def team_id(slack: WebClient) -> str:
    """The workspace the bot token belongs to: auth.test, asked once per client (a token's
    workspace never changes)."""
    with _lock:  # the first caller asks; others at the same moment wait for its answer
        known = _teams.get(slack)
        if known is None:
            known = _teams[slack] = str(slack.auth_test()["team_id"])
        return known
