"""What the digest's buttons do: open the log form, snooze, hand a client back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from bot import text
from bot.core import blocks
from bot.core.blocks import Message, plain
from bot.core.modals import LogForm, log_touch_view
from bot.core.nudge_blocks import SNOOZE_DAYS, mark_item
from bot.core.plan import TouchPlan, plan_note
from bot.db import repository as repo
from bot.deps import Deps
from bot.services.reps import ensure_rep
from bot.services.touches import refusal_message


def _client_id(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def log_form(
    deps: Deps, team_id: str, user_id: str, value: str, note: str = ""
) -> dict[str, Any] | None:
    """The log-touch form for a client, or None when the client is gone."""
    client_id = _client_id(value)
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
    client_id = _client_id(value)
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
    client_id = _client_id(value)
    with deps.db.transaction(write=True) as session:
        client = repo.get_client(session, team_id, client_id) if client_id else None
        if client is None:
            return plain(text.CLIENT_GONE)
        if client.owner_id != user_id:
            return plain(text.not_yours_to_hand_back(client))
        repo.hand_back(session, team_id, client.id, user_id, now)
    words = text.handed_back(client)
    return mark_item(shown, client.id, words) or plain(words)


def log_from_form(deps: Deps, team_id: str, user_id: str, form: LogForm) -> Message:
    """Record a touch from the form; the form's kind and follow-up date win over the note's."""
    now = deps.clock()
    rep = ensure_rep(deps, team_id, user_id, now)
    tz = ZoneInfo(rep.tz)
    with deps.db.transaction() as session:
        client = repo.get_client(session, team_id, form.client_id)
    if client is None:
        return plain(text.CLIENT_GONE)
    plan = plan_note(client, form.note, form.day, now=now, tz=tz)
    if not isinstance(plan, TouchPlan):
        return refusal_message(plan, now.astimezone(tz).date())
    plan = replace(
        plan,
        kind=form.kind or plan.kind,
        because=None if form.kind else plan.because,
        follow_up_on=form.follow_up_on or plan.follow_up_on,
    )
    with deps.db.transaction(write=True) as session:
        touch = repo.add_touch(session, plan.to_new_touch(team_id, user_id, now, form.source))
    return blocks.touch_logged(
        touch_id=touch.id,
        client=client,
        kind=plan.kind,
        because=plan.because,
        day=plan.day,
        today=plan.today,
        follow_up_on=plan.follow_up_on,
    )
