"""Replies and the Block Kit for `/touch` replies, built with slack_sdk's models. Words come
from bot.ui.text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    MarkdownTextObject,
    SectionBlock,
)

from bot.core.matching import MAX_CANDIDATES
from bot.core.model import Client, Kind
from bot.core.record_id import record_id
from bot.ui import text
from bot.ui.ids import FLIP_KIND, PICK_CLIENT


@dataclass(frozen=True)
class Message:
    """A reply: `text` is the notification fallback and must read well on its own."""

    text: str
    blocks: tuple[dict[str, Any], ...] = ()

    def as_kwargs(self) -> dict[str, Any]:
        if not self.blocks:
            return {"text": self.text}
        return {"text": self.text, "blocks": list(self.blocks)}


@dataclass(frozen=True)
class FormErrors:
    """A form that can't be saved as filled in: block ID -> what to fix, shown inline."""

    errors: Mapping[str, str]


def plain(words: str) -> Message:
    return Message(words)


def render(blocks: Sequence[Block]) -> tuple[dict[str, Any], ...]:
    return tuple(b.to_dict() for b in blocks)


def section(words: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=words))


# Slack's limit for a section's text.
SECTION_LIMIT = 3000


def sections(lines: Sequence[str]) -> list[SectionBlock]:
    """Lines packed into as few sections as Slack's 3000 characters per section allow."""
    packed: list[SectionBlock] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = line[:SECTION_LIMIT]
        if current and size + 1 + len(line) > SECTION_LIMIT:
            packed.append(section("\n".join(current)))
            current, size = [], 0
        size += len(line) + (1 if current else 0)
        current.append(line)
    if current:
        packed.append(section("\n".join(current)))
    return packed


def touch_logged(
    *,
    touch_id: int,
    client: Client,
    kind: Kind,
    because: str | None,
    day: dt.date,
    today: dt.date,
    follow_up_on: dt.date | None,
    overridden: bool = False,
    learned: str | None = None,
) -> Message:
    words = text.logged(
        client, kind, because, day, today, follow_up_on, overridden=overridden, learned=learned
    )
    flip = ButtonElement(text=text.flip_button(kind), action_id=FLIP_KIND, value=str(touch_id))
    blocks = render([section(words), ActionsBlock(elements=[flip])])
    return Message(words, blocks)


@dataclass(frozen=True)
class Pick:
    """What a pick-the-client button carries: the touch waiting for its client (kept in the
    database, so a note of any length in any script fits) and the client picked."""

    pending_id: int
    client_id: int

    def encode(self) -> str:
        return f"{self.pending_id}:{self.client_id}"

    @classmethod
    def decode(cls, value: str) -> Pick | None:
        """None for a value that isn't one of ours (a tampered button, or one posted before
        pending touches were kept in the database, which carried the note as JSON)."""
        pending, _, client = value.partition(":")
        pending_id, client_id = record_id(pending), record_id(client)
        return cls(pending_id, client_id) if pending_id and client_id else None


def choose_client(
    query: str, candidates: Sequence[Client], pending_id: int, more: int = 0
) -> Message:
    """Pick buttons for at most MAX_CANDIDATES clients; `more` others fit too, and are counted."""
    shown = candidates[:MAX_CANDIDATES]
    hidden = len(candidates) - len(shown) + more
    words = text.ambiguous(query, len(shown) + hidden, hidden)
    buttons = [
        ButtonElement(
            text=text.one_line(c.name, 75),
            action_id=f"{PICK_CLIENT}:{c.id}",
            value=Pick(pending_id, c.id).encode(),
        )
        for c in shown
    ]
    return Message(words, render([section(words), ActionsBlock(elements=buttons)]))
