"""Where user content meets Slack's mrkdwn: escaping it, and reading mrkdwn back as plain text."""

from __future__ import annotations


def escape(words: str) -> str:
    """Slack's three mrkdwn control characters, so a name or note can't become a link or ping."""
    return words.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
