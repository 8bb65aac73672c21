"""What a rep last talked about with the clients on their morning note or Home tab.

Two small reads (bot.db.repository.conversations), only for the clients shown, then the core
decides what each rep may be reminded of (bot.core.topics.recall).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.core.model import Touch, WorkspaceSettings
from bot.core.rules import Item, Rule
from bot.core.topics import Recall, recall
from bot.db import repository as repo


@dataclass(frozen=True)
class Talks:
    """The touches behind the recalls, by client ID."""

    last_value: Mapping[int, Touch]
    promises: Mapping[int, Touch]


def read(session: Session, team_id: str, items: Iterable[Item], now: dt.datetime) -> Talks:
    """The last value-adding touch of each item's client, and the touch behind each promise."""
    items = list(items)
    return Talks(
        repo.last_value_touches(session, team_id, {i.client.id for i in items}, now),
        repo.promise_touches(
            session, team_id, {i.client.id for i in items if i.rule is Rule.PROMISE}, now
        ),
    )


def recalls(
    talks: Talks,
    items: Iterable[Item],
    reader_id: str,
    settings: WorkspaceSettings,
    tz: dt.tzinfo,
) -> dict[int, Recall]:
    """What the reader may be reminded of about each item's client, by client ID."""
    return {
        item.client.id: recall(
            item.client,
            reader_id,
            settings,
            last_value=talks.last_value.get(item.client.id),
            promise=talks.promises.get(item.client.id),
            tz=tz,
        )
        for item in items
    }
