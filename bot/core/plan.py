"""Turn a parsed `/touch <client> <note>` into a touch to record, or a reason not to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.core.classify import classify, mentions_problem, strip_override
from bot.core.dates import BadDate, FollowUpInPast, parse_follow_up, parse_past_day
from bot.core.matching import Match, match_client
from bot.core.model import Client, Kind, NewTouch, Source
from bot.core.privacy import strip_private
from bot.core.refusals import DayInFuture, EmptyNote, NoteTooLong, Refusal
from bot.core.user_text import clean_note

# The longest note: what Slack's plain_text_input (the log-touch form) holds, at most 3000.
MAX_NOTE = 3000

# Day abbreviations that are also everyday words. Right after the name they start the note
# ("sat down with the owner", "sun damage to the roof"); before the name they still name a day.
_EVERYDAY_WORDS = frozenset({"sat", "sun", "wed"})


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
    private: bool = False

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
            private=self.private,
        )


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
    if day is not None:
        retyped = _name_read_as_day(rest, day, clients, now.astimezone(tz).date())
        if retyped is not None and isinstance(found := match_client(retyped, clients), Match):
            return plan_note(found.client, found.note, None, now=now, tz=tz)
    matched = match_client(rest, clients)
    if not isinstance(matched, Match):
        return matched
    return plan_note(matched.client, matched.note, day, now=now, tz=tz)


def _name_read_as_day(
    rest: str, day: dt.date, clients: Sequence[Client], today: dt.date
) -> str | None:
    """The text as typed when the day word before `rest` was the first word of a client's name.

    `/touch sun life called` arrives as the day Sunday and "life called"; with a client called
    "Sun Life" the rep meant the client. The day word itself is gone, so it is taken back from a
    name of two or more words whose first word names the same day and whose other words start
    `rest`. The longest such name wins, as in matching.
    """
    words = [w.casefold().rstrip(":;,") for w in rest.split()]
    best: tuple[int, str] | None = None
    for client in clients:
        for name in client.names:
            first, *others = name.split() or [""]
            if (
                others
                and [w.casefold() for w in others] == words[: len(others)]
                and parse_past_day(first, today) == day
                and (best is None or len(others) > best[0])
            ):
                best = (len(others), f"{first} {rest}")
    return None if best is None else best[1]


def plan_note(
    client: Client, note: str, day: dt.date | None, *, now: dt.datetime, tz: ZoneInfo
) -> TouchPlan | Refusal:
    today = now.astimezone(tz).date()
    # `/touch`, its pick buttons and the form all plan here: what can't be stored goes first.
    note, private = strip_private(clean_note(note))
    # "/touch acme yesterday called" works as well as "/touch yesterday acme called".
    first, _, remainder = note.partition(" ")
    if day is None and first.lower() not in _EVERYDAY_WORDS:
        later = parse_past_day(first, today)
        if isinstance(later, BadDate):
            return later
        if later is not None:
            # With nothing after the day ("/touch acme yesterday") the note is empty: refused.
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
        private=private,
    )
