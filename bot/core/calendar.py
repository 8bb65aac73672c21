"""What a rep's calendar feed holds: their clients' renewals and anniversaries, the follow-ups
they promised, and the check-ins after a problem. Pure: `today` and the rep's zone are passed in.

A calendar is shared more widely than Slack (an assistant, a family tablet), so an event names
the client and the reason, the day of the last value-adding contact and its kind, and never a
note: the kind only when the note may be read by the rep, isn't private, and isn't a claim.
The words are bot.ui's; this module decides which events there are.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.core.classify import classify, strip_override
from bot.core.dates import add_months, next_renewal
from bot.core.model import Client, ClientActivity, Status, Touch, WorkspaceSettings
from bot.core.privacy import Reader, may_read
from bot.core.rules import (
    PROBLEM_FOLLOW_DAYS,
    next_anniversary,
    promise_keeper,
    untouched_since,
)

# Renewals this far ahead are in the feed: a year's, and the next month's again.
HORIZON_MONTHS = 13
# How many notes' kinds are remembered: classifying a note cost about a third of reading and
# deciding a feed, and a feed's last value-adding notes stay the same between polls.
NOTES_REMEMBERED = 8192
# The kinds of contact a calendar may name (bot.core.classify's words); "help with a claim" is
# never named outside Slack.
NAMED_KINDS = frozenset(
    {
        "a review",
        "a visit",
        "a conversation",
        "checking in",
        "advice",
        "a presentation",
        "an introduction",
        "sharing something useful",
    }
)


class FeedKind(enum.StrEnum):
    RENEWAL = "renewal"
    PROMISE = "promise"
    CHECK_IN = "check-in"
    ANNIVERSARY = "anniversary"


@dataclass(frozen=True)
class LastContact:
    """The client's last value-adding contact: its day in the rep's zone, and its kind in a
    calendar's words when it may be named (None otherwise)."""

    day: dt.date
    kind: str | None


@dataclass(frozen=True)
class FeedEvent:
    """One all-day event."""

    kind: FeedKind
    team_id: str
    client_id: int
    client_name: str
    day: dt.date
    last_contact: LastContact | None = None
    # ANNIVERSARY: whole years with us on the day.
    years: int | None = None
    # CHECK_IN: the day the problem came up.
    since: dt.date | None = None

    @property
    def uid(self) -> str:
        """Stable while the event's cause is: a calendar updates the event rather than adding
        another, and drops it when it is gone from the feed."""
        return f"{self.kind.value}-{self.team_id}-{self.client_id}-{self.day:%Y%m%d}@touchbase"


def feed_events(
    rep_id: str,
    activities: Iterable[ClientActivity],
    last_value: Mapping[int, Touch],
    settings: WorkspaceSettings,
    *,
    today: dt.date,
    tz: dt.tzinfo,
) -> tuple[FeedEvent, ...]:
    """The rep's events, by day: renewals in the next 13 months (one per client), the next
    anniversary of each client, open promises, and check-ins the rules still follow.

    `activities` are the rep's share of the book (the clients they own, and those they promised
    a follow-up to); `last_value` maps a client ID to its last value-adding touch.
    """
    reader = Reader(rep_id)
    horizon = add_months(today, HORIZON_MONTHS)
    found: list[FeedEvent] = []
    for activity in activities:
        client = activity.client
        if client.status is Status.ARCHIVED:
            continue
        last = _last_contact(last_value.get(client.id), reader, client, settings, tz)
        about = (client.team_id, client.id, client.name)
        if (
            activity.promise_due is not None
            and promise_keeper(activity) == rep_id
            and untouched_since(activity, activity.promise_made_at)
        ):
            found.append(FeedEvent(FeedKind.PROMISE, *about, activity.promise_due, last))
        if client.owner_id != rep_id:
            continue
        if client.renewal_date is not None:
            renews = next_renewal(client.renewal_date, today)
            if renews <= horizon:
                found.append(FeedEvent(FeedKind.RENEWAL, *about, renews, last))
        day, years = next_anniversary(client, today)
        found.append(FeedEvent(FeedKind.ANNIVERSARY, *about, day, last, years=years))
        if activity.problem_at is not None and untouched_since(activity, activity.problem_at):
            problem_day = min(activity.problem_at.astimezone(tz).date(), today)
            check_on = problem_day + dt.timedelta(days=settings.claim_check_days)
            if today <= check_on + dt.timedelta(days=PROBLEM_FOLLOW_DAYS):
                found.append(
                    FeedEvent(FeedKind.CHECK_IN, *about, check_on, last, since=problem_day)
                )
    order = {kind: rank for rank, kind in enumerate(FeedKind)}
    return tuple(
        sorted(found, key=lambda e: (e.day, order[e.kind], e.client_name.casefold(), e.client_id))
    )


def _last_contact(
    touch: Touch | None,
    reader: Reader,
    client: Client,
    settings: WorkspaceSettings,
    tz: dt.tzinfo,
) -> LastContact | None:
    if touch is None:
        return None
    kind = None
    if not touch.private and may_read(touch, reader, client, settings):
        kind = named_kind(touch.note)
    return LastContact(touch.occurred_at.astimezone(tz).date(), kind)


@functools.lru_cache(maxsize=NOTES_REMEMBERED)
def named_kind(note: str) -> str | None:
    """The kind of contact a note was, in a calendar's words; None when it may not be named."""
    because = classify(strip_override(note)[0]).because
    return because if because in NAMED_KINDS else None
