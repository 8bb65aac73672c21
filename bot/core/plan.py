"""Turn a parsed `/touch <client> <note>` into a touch to record, or a reason not to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.core.classify import classify, mentions_problem, strip_override
from bot.core.dates import BadDate, FollowUpInPast, parse_follow_up, parse_past_day
from bot.core.matching import Ambiguous, Match, NoMatch, match_client
from bot.core.model import Client, Kind, NewTouch, Source

# Slack buttons carry at most 2000 characters; a note must fit one when the rep picks a client.
MAX_NOTE = 1500


@dataclass(frozen=True)
class TouchPlan:
    client: Client
    note: str
    kind: Kind
    because: str | None
    overridden: bool
    day: dt.date
    today: dt.date
    occurred_at: dt.datetime
    follow_up_on: dt.date | None

    def to_new_touch(self, team_id: str, rep_id: str, now: dt.datetime, source: Source) -> NewTouch:
        return NewTouch(
            team_id=team_id,
            client_id=self.client.id,
            rep_id=rep_id,
            occurred_at=self.occurred_at,
            logged_at=now,
            note=self.note,
            kind=self.kind,
            source=source,
            follow_up_on=self.follow_up_on,
            about_problem=mentions_problem(self.note),
        )


@dataclass(frozen=True)
class EmptyNote:
    client: Client


@dataclass(frozen=True)
class NoteTooLong:
    length: int


@dataclass(frozen=True)
class DayInFuture:
    day: dt.date


Refusal = EmptyNote | NoteTooLong | DayInFuture | BadDate | FollowUpInPast | Ambiguous | NoMatch


def occurred_at(day: dt.date, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """Today's touches happened now; earlier days are dated at local noon, in UTC."""
    if day == now.astimezone(tz).date():
        return now.astimezone(dt.UTC)
    return dt.datetime.combine(day, dt.time(12), tz).astimezone(dt.UTC)


def plan_touch(
    rest: str,
    day: dt.date | None,
    clients: Sequence[Client],
    *,
    now: dt.datetime,
    tz: ZoneInfo,
) -> TouchPlan | Refusal:
    """Match the client, then read the note: its day, its kind and any promised follow-up."""
    matched = match_client(rest, clients)
    if not isinstance(matched, Match):
        return matched
    return plan_note(matched.client, matched.note, day, now=now, tz=tz)


def plan_note(
    client: Client, note: str, day: dt.date | None, *, now: dt.datetime, tz: ZoneInfo
) -> TouchPlan | Refusal:
    today = now.astimezone(tz).date()
    # "/touch acme yesterday called" works as well as "/touch yesterday acme called".
    first, _, remainder = note.partition(" ")
    if day is None and remainder:
        later = parse_past_day(first, today)
        if isinstance(later, dt.date):
            day, note = later, remainder
    day = day or today
    if day > today:
        return DayInFuture(day)
    cleaned, _ = strip_override(note)
    if not cleaned.strip():
        return EmptyNote(client)
    if len(note) > MAX_NOTE:
        return NoteTooLong(len(note))
    follow_up = parse_follow_up(cleaned, today)
    if isinstance(follow_up, BadDate | FollowUpInPast):
        return follow_up
    verdict = classify(note)
    return TouchPlan(
        client=client,
        note=cleaned,
        kind=verdict.kind,
        because=verdict.because,
        overridden=verdict.overridden,
        day=day,
        today=today,
        occurred_at=occurred_at(day, now, tz),
        follow_up_on=follow_up,
    )
