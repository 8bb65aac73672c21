"""What handlers and jobs need, built once at start-up and passed down."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk import WebClient

from bot.config import Settings
from bot.db.engine import Database


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Deps:
    settings: Settings
    db: Database
    slack: WebClient
    # The edge reads the clock here, so the demo and tests can run the bot at any instant.
    clock: Callable[[], dt.datetime] = field(default=utc_now)
