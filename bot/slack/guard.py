"""Turn failures into a polite reply: never a stack trace, never a half-written change."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.ui import text
from bot.ui.blocks import Message, plain

log = logging.getLogger(__name__)

# Bolt runs every listener, ack included, on one thread pool. The work after an ack takes its
# turn here, a few at a time, so a burst of commands queues its work instead of starving the
# threads that must acknowledge the next requests within Slack's 3 seconds.
WORK_SLOTS = 6
_work_slots = threading.BoundedSemaphore(WORK_SLOTS)


def guarded(work: Callable[[], Message]) -> Message:
    """Run a listener's work after its ack: in turn, and with failures turned into words."""
    with _work_slots:
        return _polite(work)


def _polite(work: Callable[[], Message]) -> Message:
    try:
        return work()
    except SQLAlchemyError:
        # The transaction has rolled back, so nothing was half-written.
        log.exception("database error while handling a Slack request")
        return plain(text.SAVE_FAILED)
    except Exception:
        log.exception("unexpected error while handling a Slack request")
        return plain(text.SOMETHING_WRONG)


def who(body: Mapping[str, Any]) -> tuple[str, str]:
    """(team ID, user ID) of an interaction payload."""
    user = body["user"]
    team = (body.get("team") or {}).get("id") or user["team_id"]
    return str(team), str(user["id"])
