"""What the digest's buttons do: open the log form, snooze, hand a client back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.record_id import record_id
from bot.core.rules import SNOOZE_DAYS
from bot.db import repository as repo
from bot.deps import Deps
from bot.services.reps import ensure_rep
from bot.ui import text
from bot.ui.blocks import Message, plain
from bot.ui.digest import mark_item
from bot.ui.modals import log_touch_view


def log_form(
    deps: Deps, team_id: str, user_id: str, value: str, note: str = ""
) -> dict[str, Any] | None:
    """The log-touch form for a client, or None when the client is gone."""
    client_id = record_id(value)
    now = deps.clock()
    rep = ensure_rep(deps, team_id, user_id, now)
    with deps.db.transaction() as session:
        client = repo.get_client(session, team_id, client_id) if client_id else None
    if client is None:
        return None
    return log_touch_view(client, now.astimezone(ZoneInfo(rep.tz)).date(), note)


def snooze(
    deps: Deps,
    team_id: str,
    user_id: str,
    value: str,
    until: dt.date | None,
    shown: Sequence[dict[str, Any]],
) -> Message:
    """Snooze a client for this rep: a week, or until a picked date."""
    now = deps.clock()
    rep = ensure_rep(deps, team_id, user_id, now)
    today = now.astimezone(ZoneInfo(rep.tz)).date()
    until = until or today + dt.timedelta(days=SNOOZE_DAYS)
    if until <= today:
        return plain(text.snooze_date_passed(today))
    client_id = record_id(value)
    with deps.db.transaction(write=True) as session:
        client = repo.get_client(session, team_id, client_id) if client_id else None
        if client is None:
            return plain(text.CLIENT_GONE)
        repo.snooze(session, team_id, client.id, user_id, until)
    words = text.snoozed(client, until, today)
    return mark_item(shown, client.id, words) or plain(words)


def hand_back(
    deps: Deps, team_id: str, user_id: str, value: str, shown: Sequence[dict[str, Any]]
) -> Message:
    """ "Not my client": stop nudging this rep about it; an admin reassigns it."""
    now = deps.clock()
    client_id = record_id(value)
    with deps.db.transaction(write=True) as session:
        client = repo.get_client(session, team_id, client_id) if client_id else None
        if client is None:
            return plain(text.CLIENT_GONE)
        if client.owner_id != user_id:
            return plain(text.not_yours_to_hand_back(client))
        repo.hand_back(session, team_id, client.id, user_id, now)
    words = text.handed_back(client)
    return mark_item(shown, client.id, words) or plain(words)
