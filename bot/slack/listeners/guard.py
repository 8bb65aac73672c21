"""Turn failures into a polite reply: never a stack trace, never a half-written change."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot import text
from bot.core.blocks import Message, plain

log = logging.getLogger(__name__)


def guarded(work: Callable[[], Message]) -> Message:
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
