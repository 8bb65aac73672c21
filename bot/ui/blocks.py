"""Replies and the Block Kit for `/touch` replies, built with slack_sdk's models. Words come
from bot.ui.text."""

from __future__ import annotations

import datetime as dt
import json
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

from bot.core.model import Client, Kind
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
class PendingTouch:
    """What a pick-the-client button carries, so the click can log the touch without a draft row."""

    client_id: int
    note: str
    day: dt.date | None

    def encode(self) -> str:
        day = self.day.isoformat() if self.day else None
        return json.dumps({"c": self.client_id, "n": self.note, "d": day}, separators=(",", ":"))

    @classmethod
    def decode(cls, value: str) -> PendingTouch | None:
        """None for a value that isn't one of ours (an old or tampered button)."""
        try:
            data = json.loads(value)
            day = dt.date.fromisoformat(data["d"]) if data["d"] else None
            return cls(int(data["c"]), str(data["n"]), day)
        except (ValueError, KeyError, TypeError):
            return None


def choose_client(
    query: str, candidates: Sequence[Client], note: str, day: dt.date | None
) -> Message:
    words = text.ambiguous(query, len(candidates))
    buttons = [
        ButtonElement(
            text=text.one_line(c.name, 70),
            action_id=f"{PICK_CLIENT}:{c.id}",
            value=PendingTouch(c.id, note, day).encode(),
        )
        for c in candidates
    ]
    return Message(words, render([section(words), ActionsBlock(elements=buttons)]))
