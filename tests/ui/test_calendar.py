"""The calendar feed's text, read back by icalendar and by a second, independent parser (ical),
its ETag, and the modal that shows a link."""

from __future__ import annotations

import datetime as dt

import icalendar
from ical.calendar_stream import IcsCalendarStream

from bench.calendar import whole_calendar
from bot.core.calendar import FeedEvent, FeedKind, LastContact
from bot.devtools.standin import view_problems
from bot.ui.calendar import Entry, entries, etag, event_lines, forget_lines, ics, link_view
from bot.ui.render import blocks_to_text

STAMP = dt.datetime(2026, 11, 23, 15, 4, 5, tzinfo=dt.UTC)
VISIT = LastContact(dt.date(2026, 7, 12), "a visit")
EVENTS = (
    FeedEvent(FeedKind.PROMISE, "T1", 3, "Northwind; Traders, Inc.", dt.date(2026, 11, 30), VISIT),
    FeedEvent(
        FeedKind.CHECK_IN,
        "T1",
        4,
        "Harbor Dental",
        dt.date(2026, 12, 1),
        LastContact(dt.date(2026, 11, 24), None),
        since=dt.date(2026, 11, 24),
    ),
    FeedEvent(
        FeedKind.ANNIVERSARY, "T1", 1, "Acme Insurance Group", dt.date(2026, 12, 12), years=5
    ),
    FeedEvent(FeedKind.RENEWAL, "T1", 1, "Acme Insurance Group", dt.date(2027, 3, 14), VISIT),
)


def feed(alarm_days: int = 14) -> bytes:
    return ics(entries(EVENTS, alarm_days), alarm_days=alarm_days, stamp=STAMP)


def test_the_feed_reads_back_with_icalendar() -> None:
    calendar = icalendar.Calendar.from_ical(feed())
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert str(calendar["X-WR-CALNAME"]) == "Touchbase"
    events = calendar.walk("VEVENT")
    assert [(str(e["SUMMARY"]), e.decoded("DTSTART")) for e in events] == [
        ("Follow up: Northwind; Traders, Inc.", dt.date(2026, 11, 30)),
        ("Check in: Harbor Dental", dt.date(2026, 12, 1)),
        ("Anniversary: Acme Insurance Group (5 years)", dt.date(2026, 12, 12)),
        ("Renewal: Acme Insurance Group", dt.date(2027, 3, 14)),
    ]
    # All-day events (DATE values), free time, stamped with when the content last changed.
    assert all(e["DTSTART"].params.get("VALUE") == "DATE" for e in events)
    assert {str(e["TRANSP"]) for e in events} == {"TRANSPARENT"}
    assert {e.decoded("DTSTAMP") for e in events} == {STAMP}
    assert [str(e["UID"]) for e in events] == [
        "promise-T1-3-20261130@touchbase",
        "check-in-T1-4-20261201@touchbase",
        "anniversary-T1-1-20261212@touchbase",
        "renewal-T1-1-20270314@touchbase",
    ]
    renewal = events[-1]
    assert str(renewal["DESCRIPTION"]) == (
        "Prepare a review of their cover: ask what has changed for them this year, and what "
        "they'd like done differently.\nLast value-adding contact: Sunday 12 July 2026 (a visit)."
    )
    [alarm] = renewal.walk("VALARM")
    assert (str(alarm["ACTION"]), alarm.decoded("TRIGGER")) == ("DISPLAY", dt.timedelta(days=-14))
    assert str(alarm["DESCRIPTION"]) == "Renewal: Acme Insurance Group, in 14 days"
    # Only renewals ring.
    assert [len(e.walk("VALARM")) for e in events] == [0, 0, 0, 1]
    assert str(events[1]["DESCRIPTION"]) == (
        "Something came up on Tuesday 24 November 2026: ask how it turned out, and listen.\n"
        "Last value-adding contact: Tuesday 24 November 2026."
    )
    assert str(events[2]["DESCRIPTION"]).endswith("No value-adding contact logged yet.")


def test_the_feed_reads_back_with_a_second_independent_parser() -> None:
    calendar = IcsCalendarStream.calendar_from_ics(feed(alarm_days=3).decode())
    assert calendar.name == ["Touchbase"]
    # How often to look again, in both spellings calendar apps read.
    assert calendar.refresh_interval == dt.timedelta(hours=1)
    assert ("x-published-ttl", "PT1H") in {(x.name, x.value) for x in calendar.extras}
    assert [(e.summary, e.dtstart, e.uid) for e in calendar.events] == [
        ("Follow up: Northwind; Traders, Inc.", dt.date(2026, 11, 30), EVENTS[0].uid),
        ("Check in: Harbor Dental", dt.date(2026, 12, 1), EVENTS[1].uid),
        ("Anniversary: Acme Insurance Group (5 years)", dt.date(2026, 12, 12), EVENTS[2].uid),
        ("Renewal: Acme Insurance Group", dt.date(2027, 3, 14), EVENTS[3].uid),
    ]
    renewal = calendar.events[-1]
    [alarm] = renewal.alarm
    assert alarm.trigger == dt.timedelta(days=-3)
    assert alarm.description == "Renewal: Acme Insurance Group, in 3 days"
    assert renewal.description is not None and "(a visit)" in renewal.description


def test_lines_are_folded_crlf_and_at_most_75_octets() -> None:
    long = FeedEvent(FeedKind.RENEWAL, "T1", 9, "Ünïcödé Holdings " * 12, dt.date(2027, 1, 2))
    body = ics(entries((long,), 14), alarm_days=14, stamp=STAMP)
    lines = body.split(b"\r\n")
    assert body.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75
    # Unfolded, the name is whole again, trimmed to one line with an ellipsis.
    [event] = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(event["SUMMARY"]).startswith("Renewal: Ünïcödé Holdings Ünïcödé")
    assert str(event["SUMMARY"]).endswith("…")


def fixed_book() -> tuple[Entry, ...]:
    """Events whose lines end at every length around icalendar's fold (75 octets) and well past
    it, in one-, two-, three- and four-byte characters, with the characters TEXT escapes
    (backslash, comma, semicolon, newline) falling on the fold; and the feed's own words."""
    found = list(entries(EVENTS, 14))
    for piece in ("a", "é", "€", "😀", "\\", ",", ";", "a\\;", "x,é"):
        for length in range(1, 100):
            name = (piece * length)[:length]
            found.append(
                Entry(
                    f"renewal-T1-{len(found)}-20270314@touchbase",
                    dt.date(2027, 3, 14) + dt.timedelta(days=length),
                    f"Renewal: {name}",
                    f"Prepare a review.\nLast value-adding contact: {name}.",
                    f"Renewal: {name}, in 14 days" if length % 2 else None,
                )
            )
    return tuple(found)


def test_the_feed_is_byte_for_byte_what_icalendar_writes_as_one_calendar() -> None:
    book = fixed_book()
    forget_lines()
    for alarm_days in (14, 1, 14):
        whole = whole_calendar(book, alarm_days=alarm_days, stamp=STAMP)
        # Written afresh, and again from the lines remembered (the alarm's days aren't in them).
        assert ics(book, alarm_days=alarm_days, stamp=STAMP) == whole
        assert ics(book, alarm_days=alarm_days, stamp=STAMP) == whole
    assert event_lines.cache_info().hits > 0
    assert len(icalendar.Calendar.from_ical(whole).walk("VEVENT")) == len(book)


def test_the_etag_follows_the_content_and_the_body_is_the_same_for_the_same_content() -> None:
    tag = etag(entries(EVENTS, 14), 14)
    assert tag == etag(entries(EVENTS, 14), 14)
    assert len(tag) == 64
    assert feed() == feed()
    assert etag(entries(EVENTS[1:], 14), 14) != tag
    assert etag(entries(EVENTS, 7), 7) != tag
    renamed = (*EVENTS[:3], FeedEvent(FeedKind.RENEWAL, "T1", 1, "Acme Co", dt.date(2027, 3, 14)))
    assert etag(entries(renamed, 14), 14) != tag


def test_the_link_modal_shows_the_link_once_with_how_to_subscribe() -> None:
    url = "https://touchbase.example.com/calendar/abc_DEF-123.ics"
    view = link_view(url)
    assert view_problems(view, expected_type="modal") == []
    words = blocks_to_text(view["blocks"])
    assert url in words
    assert "Google Calendar" in words and "Outlook" in words
    assert "turns this one off" in words
    assert "TOUCHBASE_PUBLIC_URL" in blocks_to_text(link_view(None)["blocks"])
