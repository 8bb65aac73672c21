"""A rep's calendar feed as RFC 5545 text, written with the icalendar library, its ETag, and
the modal that shows a new feed link. Words come from bot.ui.text.

The feed's text depends only on its events and their words (absolute dates, never "today"), so
its ETag can be taken before it is written out: a calendar app's conditional request is answered
without building the calendar.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import icalendar
from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject
from slack_sdk.models.views import View

from bot.core.calendar import FeedEvent, FeedKind
from bot.ui import text
from bot.ui.blocks import section

PRODID = "-//Touchbase//Calendar feed//EN"
# How often a calendar app should look again (those that read REFRESH-INTERVAL or
# X-PUBLISHED-TTL): promises and check-ins change as touches are logged.
REFRESH = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Entry:
    """One event in words: what the feed writes out, and what its ETag is taken over."""

    uid: str
    day: dt.date
    summary: str
    description: str
    # The alarm's words, for a renewal; None: no alarm.
    alarm: str | None


def entries(events: Sequence[FeedEvent], alarm_days: int) -> tuple[Entry, ...]:
    """Each event in words; renewals carry an alarm `alarm_days` before the day."""
    found = []
    for event in events:
        summary = text.calendar_summary(event.kind.value, event.client_name, event.years)
        last = event.last_contact
        description = text.calendar_description(
            event.kind.value,
            last_day=last.day if last else None,
            last_kind=last.kind if last else None,
            since=event.since,
        )
        alarm = text.calendar_alarm(summary, alarm_days) if event.kind is FeedKind.RENEWAL else None
        found.append(Entry(event.uid, event.day, summary, description, alarm))
    return tuple(found)


def etag(feed: Sequence[Entry], alarm_days: int) -> str:
    """A strong validator for the feed's content (DTSTAMP aside): a SHA-256, in hex."""
    digest = hashlib.sha256(f"{icalendar.__version__}\x1e{alarm_days}".encode())
    for entry in feed:
        fields = (entry.uid, entry.day.isoformat(), entry.summary, entry.description)
        digest.update(("\x1e" + "\x1f".join((*fields, entry.alarm or ""))).encode())
    return digest.hexdigest()


def ics(feed: Sequence[Entry], *, alarm_days: int, stamp: dt.datetime) -> bytes:
    """The calendar. `stamp` (DTSTAMP) is when the feed's content last changed.

    Properties are set with their value types rather than through `Component.add`, which works
    each value's type out again: a third of the time of a feed of 600 events."""
    calendar = icalendar.Calendar.new(
        prodid=PRODID,
        name=text.CALENDAR_NAME,
        refresh_interval=REFRESH,
        # Without a UID of its own the library would make a random one, changing the body.
        uid="calendar@touchbase",
    )
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH))
    dtstamp = icalendar.vDatetime(stamp)
    # A reminder, not a meeting: the rep's day stays free.
    transparent = icalendar.vText(icalendar.TRANSP.TRANSPARENT)
    display = icalendar.vText("DISPLAY")
    trigger = icalendar.vDuration(-dt.timedelta(days=alarm_days))
    for entry in feed:
        event = icalendar.Event()
        event["UID"] = icalendar.vText(entry.uid)
        event["DTSTAMP"] = dtstamp
        # A DATE value: an all-day event.
        event["DTSTART"] = icalendar.vDDDTypes(entry.day)
        event["SUMMARY"] = icalendar.vText(entry.summary)
        event["DESCRIPTION"] = icalendar.vText(entry.description)
        event["TRANSP"] = transparent
        if entry.alarm is not None:
            alarm = icalendar.Alarm()
            alarm["ACTION"] = display
            alarm["TRIGGER"] = trigger
            alarm["DESCRIPTION"] = icalendar.vText(entry.alarm)
            event.add_component(alarm)
        calendar.add_component(event)
    body: bytes = calendar.to_ical(sorted=False)
    return body


def link_view(url: str | None) -> dict[str, Any]:
    """The modal showing a new feed link once, with how to subscribe; or why there is none."""
    blocks: list[Block]
    if url is None:
        blocks = [section(text.CALENDAR_NOT_SET_UP)]
    else:
        blocks = [
            *(section(words) for words in text.calendar_link(url)),
            ContextBlock(elements=[MarkdownTextObject(text=text.CALENDAR_LINK_FOOTER)]),
        ]
    view = View(
        type="modal",
        title=text.CALENDAR_LINK_TITLE,
        close=text.CALENDAR_LINK_CLOSE,
        blocks=list(blocks),
    )
    return view.to_dict()
