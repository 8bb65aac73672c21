"""Turn a parsed `/touch <client> <note>` into a touch to record, or a reason not to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from zoneinfo import ZoneInfo

from bot.core.classify import classify, mentions_problem, strip_override
from bot.core.dates import (
    BadDate,
    FollowUpInPast,
    find_past_day,
    find_promise,
    parse_follow_up,
    parse_past_day,
)
from bot.core.matching import Ambiguous, Book, Match, book_of, match_client, name_spans
from bot.core.model import Client, FlipCount, Kind, NewTouch, Source
from bot.core.privacy import strip_private
from bot.core.refusals import DayInFuture, EmptyNote, NoteTooLong, Refusal
from bot.core.user_text import clean_note

# The longest note: what Slack's plain_text_input (the log-touch form) holds, at most 3000.
MAX_NOTE = 3000
_SEPARATORS = " :;,-–—"


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
    # The word whose flips in this workspace tipped the kind, when they did.
    learned: str | None = None
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
    clients: Sequence[Client] | Book,
    *,
    now: dt.datetime,
    tz: ZoneInfo,
    date_order: str = "MDY",
    evidence: Mapping[str, FlipCount] | None = None,
) -> TouchPlan | Refusal:
    """Match the client, then read the note: its day, its kind and any promised follow-up.

    `date_order` is the workspace's (MDY or DMY); `evidence` its flips for the note's words.
    """
    read = partial(plan_note, now=now, tz=tz, date_order=date_order, evidence=evidence)
    today = now.astimezone(tz).date()
    if day is not None:
        retyped = _name_read_as_day(rest, day, clients, today)
        if retyped is not None and isinstance(found := match_client(retyped, clients), Match):
            return read(found.client, found.note, None)
    leading = ""
    if day is None:
        # A day of several words before the client: "last tues acme called", "nov 25 …".
        first = find_past_day(rest, today, date_order, leading_only=True)
        if isinstance(first, BadDate):
            return first
        if first is not None and rest[first.end :].strip(_SEPARATORS):
            leading, rest = rest[: first.end], rest[first.end :].lstrip(_SEPARATORS)
            day = first.day
    matched = match_client(rest, clients)
    if isinstance(matched, Ambiguous) and leading:
        # The pick buttons carry the note, not the day: the day goes back in front of it.
        return replace(matched, note=f"{leading} {matched.note}")
    if not isinstance(matched, Match):
        return matched
    return read(matched.client, matched.note, day)


def _name_read_as_day(
    rest: str, day: dt.date, clients: Sequence[Client] | Book, today: dt.date
) -> str | None:
    """The text as typed when the day word before `rest` was the first word of a client's name.

    `/touch sun life called` arrives as the day Sunday and "life called"; with a client called
    "Sun Life" the rep meant the client. The day word itself is gone, so it is taken back from a
    name of two or more words whose first word names the same day and whose other words start
    `rest`. The longest such name wins, as in matching.
    """
    words = [w.casefold().rstrip(":;,") for w in rest.split()]
    best: tuple[int, str] | None = None
    for names in book_of(clients).second_word(words[0]) if words else ():
        for name in names:
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
    client: Client,
    note: str,
    day: dt.date | None,
    *,
    now: dt.datetime,
    tz: ZoneInfo,
    date_order: str = "MDY",
    evidence: Mapping[str, FlipCount] | None = None,
) -> TouchPlan | Refusal:
    today = now.astimezone(tz).date()
    # `/touch`, its pick buttons and the form all plan here: what can't be stored goes first.
    note, private = strip_private(clean_note(note))
    if day is None:
        # The day wherever the note says it, but not in the client's name ("Friday's Tap
        # House") or a promise ("follow up friday").
        promise = find_promise(note, today, date_order)
        skip = tuple(name_spans(note, client))
        if promise is not None:
            skip += ((promise.start, promise.end),)
        found = find_past_day(note, today, date_order, skip=skip)
        if isinstance(found, BadDate):
            return found
        if found is not None:
            day = found.day
            if found.start == 0:
                # A day right after the name leaves the note; further on it reads naturally.
                # With nothing after it ("/touch acme yesterday") the note is empty: refused.
                note = note[found.end :].lstrip(_SEPARATORS)
    day = day or today
    if day > today:
        return DayInFuture(day)
    cleaned, _ = strip_override(note)
    if not cleaned.strip():
        return EmptyNote(client)
    if len(note) > MAX_NOTE:
        return NoteTooLong(len(note))
    follow_up = parse_follow_up(cleaned, today, date_order)
    if isinstance(follow_up, BadDate | FollowUpInPast):
        return follow_up
    verdict = classify(note, evidence)
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
        learned=verdict.learned,
        private=private,
    )
