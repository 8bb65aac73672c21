"""Opening forms, and telling a rep how a form went, for the listeners and their guard."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.ui.blocks import Message, section

log = logging.getLogger(__name__)


def open_modal(client: WebClient, trigger_id: str, view: Mapping[str, Any]) -> bool:
    """Open a form; False (and logged) when Slack won't, say because the trigger expired."""
    try:
        client.views_open(trigger_id=trigger_id, view=dict(view))
    except SlackApiError as error:
        log.warning("couldn't open a form: %s", error.response.get("error"))
        return False
    return True


def tell(client: WebClient, user_id: str, reply: Message) -> None:
    """Say how a form went in the rep's DM with the bot: the form is closed by now."""
    try:
        client.chat_postMessage(channel=user_id, **reply.as_kwargs())
    except SlackApiError as error:
        log.warning("couldn't tell a rep how a form went: %s", error.response.get("error"))


def show_on_home(client: WebClient, user_id: str, words: str) -> None:
    """A few words on the rep's Home tab, in place of a book that can't be shown just now."""
    view = {"type": "home", "blocks": [section(words).to_dict()]}
    try:
        client.views_publish(user_id=user_id, view=view)
    except SlackApiError as error:
        log.warning("couldn't put words on a home tab: %s", error.response.get("error"))
