"""Checks for what the bot sends Slack: within Slack's limits, by slack_sdk's models and by the
stand-in, and with no user content read as mrkdwn markup.

slack_sdk's `validate_json()` checks one object; `to_dict()` runs it on every nested object (a
button in an actions block, an option in a select), so the models are checked with `to_dict()`.
"""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.devtools.standin import MAX_MESSAGE_TEXT, Surface, block_kit_problems, view_problems
from bot.ui.blocks import Message

# The bot's own mentions: a user ID from Slack, never something a person typed.
_MENTION = re.compile(r"<@U[A-Z0-9]+>")
# After those, mrkdwn holds no markup brackets, and every & starts one of Slack's escapes.
_SAFE = re.compile(r"(?:[^<>&]|&(?:amp|lt|gt);)*")


def mrkdwn_texts(payload: Any) -> list[str]:
    """Every mrkdwn string in a message or view: its mrkdwn text objects, and a message's own
    `text` (mrkdwn too, and what notifications show)."""
    found: list[str] = []
    if isinstance(payload, dict):
        if payload.get("type") == "mrkdwn":
            found.append(str(payload["text"]))
        for key, value in payload.items():
            if key == "text" and isinstance(value, str) and "type" not in payload:
                found.append(value)
            else:
                found += mrkdwn_texts(value)
    elif isinstance(payload, list | tuple):
        for value in payload:
            found += mrkdwn_texts(value)
    return found


def unsafe_mrkdwn(payload: Any) -> list[str]:
    """The mrkdwn strings with markup the bot didn't mean: a link, a special mention (`<!here>`),
    or an `&` that isn't an escape. Empty when all user content was escaped."""
    return [t for t in mrkdwn_texts(payload) if not _SAFE.fullmatch(_MENTION.sub("", t))]


def assert_message_fits(message: Message) -> None:
    """The message as Slack would take it: its blocks by slack_sdk's models and the stand-in,
    its text within 40,000 characters, and nothing from users read as markup."""
    assert message.text
    assert len(message.text) <= MAX_MESSAGE_TEXT
    blocks = list(message.blocks)
    assert block_kit_problems(blocks, surface="message") == []
    for block in blocks:
        model = Block.parse(block)
        assert model is not None
        model.to_dict()  # validate_json() on every nested object; validate_json() alone is shallow
    assert unsafe_mrkdwn({"text": message.text, "blocks": blocks}) == []


def assert_view_fits(view: dict[str, Any], kind: Surface) -> None:
    assert view_problems(view, expected_type=kind) == []
    View(**view).to_dict()
    assert unsafe_mrkdwn(view) == []
