"""Every "can't do that" the core decides, as typed values; bot.ui.replies says each in words.

A use case returns its result or one of these, and writes nothing when it refuses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.core.dates import BadDate, FollowUpInPast
from bot.core.matching import Ambiguous, NoMatch
from bot.core.model import Client


@dataclass(frozen=True)
class EmptyNote:
    client: Client


@dataclass(frozen=True)
class NoteTooLong:
    length: int


@dataclass(frozen=True)
class DayInFuture:
    day: dt.date


@dataclass(frozen=True)
class ClientGone:
    """The client was archived or removed, or the ID isn't one of this workspace's."""


@dataclass(frozen=True)
class NotAllowed:
    """Only the client's owner or an admin may change it. `owner_name`: the owner's display
    name when known."""

    client: Client
    owner_name: str | None


Refusal = (
    EmptyNote
    | NoteTooLong
    | DayInFuture
    | BadDate
    | FollowUpInPast
    | Ambiguous
    | NoMatch
    | ClientGone
    | NotAllowed
)
