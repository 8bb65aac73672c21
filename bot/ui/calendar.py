"""A rep's calendar feed as RFC 5545 text, written with the icalendar library, its ETag, and
the modal that shows a new feed link. Words come from bot.ui.text.

The feed's text depends only on its events and their words (absolute dates, never "today"), so
its ETag can be taken before it is written out: a calendar app's conditional request is answered
without building the calendar.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import icalendar
from icalendar.parser import Contentline
from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject
from slack_sdk.models.views import View

from bot.core.calendar import FeedEvent, FeedKind, named_kind
from bot.ui import text
from bot.ui.blocks import section

PRODID = "-//Touchbase//Calendar feed//EN"
# How often a calendar app should look again (those that read REFRESH-INTERVAL or
# X-PUBLISHED-TTL): promises and check-ins change as touches are logged.
REFRESH = dt.timedelta(hours=1)
# icalendar folds a line once it reaches this many octets; a shorter one comes back unchanged.
_FOLDS_AT = 75
_CALENDAR_ENDS = b"END:VCALENDAR\r\n"
# How many events' lines are remembered: a dozen books of 300 clients (about 1 KB each).
EVENTS_REMEMBERED = 8192
# And how many events' days: more than a feed's 13 months ahead and its overdue promises.
DAYS_REMEMBERED = 1024


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
    return tuple(_entry(event, alarm_days) for event in events)


@functools.lru_cache(maxsize=EVENTS_REMEMBERED)
def _entry(event: FeedEvent, alarm_days: int) -> Entry:
    """One event in words, remembered: a feed's events mostly stay the same between polls."""
    summary = text.calendar_summary(event.kind.value, event.client_name, event.years)
    last = event.last_contact
    description = text.calendar_description(
        event.kind.value,
        last_day=last.day if last else None,
        last_kind=last.kind if last else None,
        since=event.since,
    )
    alarm = text.calendar_alarm(summary, alarm_days) if event.kind is FeedKind.RENEWAL else None
    return Entry(event.uid, event.day, summary, description, alarm)


def etag(feed: Sequence[Entry], alarm_days: int) -> str:
    """A strong validator for the feed's content (DTSTAMP aside): a SHA-256, in hex."""
    digest = hashlib.sha256(f"{icalendar.__version__}\x1e{alarm_days}".encode())
    for entry in feed:
        fields = (entry.uid, entry.day.isoformat(), entry.summary, entry.description)
        digest.update(("\x1e" + "\x1f".join((*fields, entry.alarm or ""))).encode())
    return digest.hexdigest()


def _line(name: str, value: Any) -> bytes:
    """One content line and its CRLF, as icalendar writes it: `value` is an icalendar value type,
    which formats and escapes it."""
    line = Contentline.from_parts(name, value.params, value, sorted=False)
    raw = line.encode()
    # Folding goes a character at a time: only a line long enough to be folded is given to it.
    folded: bytes = raw if len(raw) < _FOLDS_AT else line.to_ical()
    return folded + b"\r\n"


# A reminder, not a meeting: the rep's day stays free.
_TRANSPARENT = _line("TRANSP", icalendar.vText(icalendar.TRANSP.TRANSPARENT))


def ics(feed: Sequence[Entry], *, alarm_days: int, stamp: dt.datetime) -> bytes:
    """The calendar, byte for byte as icalendar writes a `Calendar` of these events whole.
    `stamp` (DTSTAMP) is when the feed's content last changed.

    Written a line at a time with icalendar's value types and content lines: the lines every
    event shares (DTSTAMP, TRANSP, the alarm's ACTION and TRIGGER) once a feed, and each
    event's own lines once, remembered between requests. Writing the calendar whole cost about
    85 µs an event, most of it folding every line a character at a time and making each
    property's parameters again."""
    dtstamp = _line("DTSTAMP", icalendar.vDatetime(stamp))
    alarm_opens = (
        b"BEGIN:VALARM\r\n"
        + _line("ACTION", icalendar.vText("DISPLAY"))
        + _line("TRIGGER", icalendar.vDuration(-dt.timedelta(days=alarm_days)))
    )
    parts = [_calendar_opens()]
    for entry in feed:
        uid, own, alarm = event_lines(entry)
        parts += (b"BEGIN:VEVENT\r\n", uid, dtstamp, own, _TRANSPARENT)
        if alarm is not None:
            parts += (alarm_opens, alarm, b"END:VALARM\r\n")
        parts.append(b"END:VEVENT\r\n")
    parts.append(_CALENDAR_ENDS)
    return b"".join(parts)


def calendar_component() -> icalendar.Calendar:
    """The calendar's own properties, in an icalendar calendar without events."""
    calendar = icalendar.Calendar.new(
        prodid=PRODID,
        name=text.CALENDAR_NAME,
        refresh_interval=REFRESH,
        # Without a UID of its own the library would make a random one, changing the body.
        uid="calendar@touchbase",
    )
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH))
    return calendar


@functools.cache
def _calendar_opens() -> bytes:
    """BEGIN:VCALENDAR and the calendar's own properties."""
    empty: bytes = calendar_component().to_ical(sorted=False)
    return empty.removesuffix(_CALENDAR_ENDS)


@functools.lru_cache(maxsize=EVENTS_REMEMBERED)
def event_lines(entry: Entry) -> tuple[bytes, bytes, bytes | None]:
    """An event's own lines: its UID; its day, summary and description; its alarm's description,
    if it has an alarm."""
    own = (
        _all_day(entry.day)
        + _line("SUMMARY", icalendar.vText(entry.summary))
        + _line("DESCRIPTION", icalendar.vText(entry.description))
    )
    alarm = None if entry.alarm is None else _line("DESCRIPTION", icalendar.vText(entry.alarm))
    return _line("UID", icalendar.vText(entry.uid)), own, alarm


@functools.lru_cache(maxsize=DAYS_REMEMBERED)
def _all_day(day: dt.date) -> bytes:
    """DTSTART as a DATE value: an all-day event. Its parameter makes it the costliest line to
    write, and a feed's events share about 250 days."""
    return _line("DTSTART", icalendar.vDDDTypes(day))


def forget_lines() -> None:
    """Forget the lines remembered: the next feed is written cold."""
    event_lines.cache_clear()
    _all_day.cache_clear()


def forget_feeds() -> None:
    """Forget all that is remembered of feeds (their notes' kinds, their events' words and
    lines): the next feed is decided and written cold, as after a restart."""
    named_kind.cache_clear()
    _entry.cache_clear()
    forget_lines()


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
