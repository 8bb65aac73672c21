"""Block Kit as readable plain text, for `--dry-run`, the demo and logs."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

_LINK = re.compile(r"<([^|>]+)\|([^>]+)>")
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|([^>]+))?>")


def mrkdwn_to_text(words: str, names: Mapping[str, str] | None = None) -> str:
    """Drop Slack's *bold*, _italic_ and `code` marks; show links and mentions as words."""
    words = _LINK.sub(r"\2", words)
    words = _MENTION.sub(
        lambda m: "@" + ((names or {}).get(m.group(1)) or m.group(2) or m.group(1)), words
    )
    words = re.sub(r"(?<!\w)[*_](\S[^*_\n]*?\S|\S)[*_](?!\w)", r"\1", words)
    # Slack shows &amp; &lt; &gt; as the characters; so does the preview.
    return html.unescape(words.replace("`", ""))


def _text(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, Mapping) else ""


def blocks_to_text(
    blocks: Iterable[Mapping[str, Any]], names: Mapping[str, str] | None = None
) -> str:
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind in {"section", "header"}:
            lines.append(mrkdwn_to_text(_text(block.get("text")), names))
            for field in block.get("fields", []) or []:
                lines.append("  " + mrkdwn_to_text(_text(field), names))
        elif kind == "context":
            lines.append(
                "  " + " ".join(mrkdwn_to_text(_text(e), names) for e in block.get("elements", []))
            )
        elif kind == "actions":
            labels = []
            for element in block.get("elements", []):
                label = _text(element.get("text")) or _text(element.get("placeholder"))
                if label:
                    labels.append(f"[{label}]")
            lines.append("  " + " ".join(labels))
        elif kind == "divider":
            lines.append("—" * 20)
    return "\n".join(lines)
