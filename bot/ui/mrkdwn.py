"""Where user content meets Slack's mrkdwn: escaping it, so it reads as the very characters
typed and never as a mention, a link or a ping.

Only bot.ui.text calls these: every sentence with a name, a note or anything a rep typed is built
there, from raw values, so nothing reaches Slack unescaped and nothing is escaped twice.
"""

from __future__ import annotations

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def escape(words: str) -> str:
    """Slack's three mrkdwn control characters, so a name or note can't become a link or ping."""
    return words.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def literal(words: str, limit: int) -> str:
    """`words` on one line and escaped, in at most `limit` characters as Slack counts them: cut
    with an ellipsis when longer, never inside an escape."""
    flat = " ".join(words.split())
    escaped = escape(flat)
    if len(escaped) <= limit:
        return escaped
    kept: list[str] = []
    size = 0
    for char in flat:
        part = _ESCAPES.get(char, char)
        if size + len(part) > limit - 1:
            break
        kept.append(part)
        size += len(part)
    return "".join(kept).rstrip() + "…"
