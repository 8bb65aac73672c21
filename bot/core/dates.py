"""Days and promises in what reps type, and yearly renewal dates.

The day a touch happened is read where people write it: "yesterday", "yday", "this morning",
"last tues", "weds", "on monday", "nov 25", "25 nov", "11/24", "11.25", "2026-11-20", "2 days
ago", at the start, right after the client or further on. A weekday counts further on only
where it reads as the day ("on monday", "last fri", at the end); a name or a phrase never does
("Friday's Tap House", "sat down", "the 2027 season", "may renew", "24/7", "3/4 of the fleet").
A touch is never dated ahead of today: a date further on that is ahead is not the touch's day.

A promise is a follow-up phrase ("follow up", "f/u", "circle back", "check back", "remind me",
"ping them", "call back", "touch base", "revisit"…) with a day ahead soon after it: "friday",
"12/10", "jan 5", "the 15th", "in 2 wks", "next month", "in a few days", "end of month",
"after the holidays". "followed up", "no follow up needed" and "f/u call went well" are none.

Numeric dates follow the workspace's date order: MDY reads 11/12 as 12 November, DMY as
11 December.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

WEEKDAYS: dict[str, int] = {
    "monday": 0, "mon": 0,
    "tuesday": 1, "tue": 1, "tues": 1,
    "wednesday": 2, "wed": 2, "weds": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3,
    "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}  # fmt: skip
MONTHS: dict[str, int] = {
    name: number
    for number in range(1, 13)
    for name in (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
} | {"sept": 9}
YESTERDAY = frozenset({"yesterday", "yday", "yest", "y'day", "ystd"})
DATE_ORDERS = ("MDY", "DMY")

_ISO_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?$")
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")
# Weekday abbreviations that are everyday words ("sat down", "sun damage", "wed in June"): a day
# only before what a rep does, or where any weekday reads as one.
_EVERYDAY_DAYS = frozenset({"sat", "sun", "wed"})
_DOINGS = frozenset(
    [
        "called",
        "call",
        "phoned",
        "rang",
        "emailed",
        "texted",
        "met",
        "meeting",
        "mtg",
        "lunch",
        "coffee",
        "dinner",
        "breakfast",
        "drinks",
        "visit",
        "visited",
        "site",
        "stopped",
        "dropped",
        "sent",
        "reviewed",
        "walked",
        "spoke",
        "talked",
        "chat",
        "tour",
        "tasting",
        "morning",
        "afternoon",
        "evening",
        "night",
    ]
)
# What follows such a word when it is no day: "sat down with", "sun damage", "wed in June".
_EVERYDAY_SENSES = {
    "sat": frozenset({"down", "in", "with", "on", "at", "through", "there", "for", "by", "up"}),
    "sun": frozenset({"damage", "damaged", "exposure", "room", "porch", "deck", "screen"}),
    "wed": frozenset({"in", "on", "to", "last", "their", "his", "her"}),
}


def everyday_sense(word: str, following: str) -> bool:
    """Whether a weekday abbreviation before `following` is the everyday word ("sat down")."""
    return following.lower() in _EVERYDAY_SENSES.get(word.lower(), ())


_TIMES_OF_DAY = frozenset({"morning", "afternoon", "evening", "night", "am", "pm"})
# How far back a date without its year is read: numbers are read only for the last two months
# (so "3/4 of the fleet" is no date), month names for half a year.
_NUMERIC_REACH = dt.timedelta(days=62)
_MONTH_REACH = dt.timedelta(days=183)
# A promised date without its year that fell within this many days is a reference to it ("the
# follow-up on the nov 25 claim"), not next year's.
_RECENTLY = dt.timedelta(days=31)
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "couple": 2, "few": 3,
}  # fmt: skip
_UNITS = {
    "day": "day", "days": "day", "d": "day",
    "week": "week", "weeks": "week", "wk": "week", "wks": "week",
    "month": "month", "months": "month", "mo": "month", "mos": "month", "mth": "month",
    "mths": "month",
    "year": "year", "years": "year", "yr": "year", "yrs": "year",
}  # fmt: skip


@dataclass(frozen=True)
class BadDate:
    """Text that looks like a date but isn't one, such as 2026-02-30."""

    text: str


@dataclass(frozen=True)
class FollowUpInPast:
    day: dt.date


def parse_iso_date(text: str) -> dt.date | BadDate | None:
    """`YYYY-MM-DD` to a date; None when the text is not date-shaped at all."""
    if not _ISO_DATE.match(text):
        return None
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return dt.date(year, month, day)
    except ValueError:
        return BadDate(text)


def _latest(weekday: int, today: dt.date, *, before_today: bool = False) -> dt.date:
    back = (today.weekday() - weekday) % 7
    return today - dt.timedelta(days=back or (7 if before_today else 0))


def parse_past_day(word: str, today: dt.date) -> dt.date | BadDate | None:
    """The day a one-word day names: `today`, `yesterday` (`yday`, `yest.`), a weekday or
    `YYYY-MM-DD`.

    A weekday means its most recent occurrence, today included: on a Friday, "friday" is today
    and "thursday" is yesterday. Returns None when the word is not a day word.
    """
    lowered = word.lower().rstrip(".,:;")
    if lowered == "today":
        return today
    if lowered in YESTERDAY:
        return today - dt.timedelta(days=1)
    if lowered in WEEKDAYS:
        return _latest(WEEKDAYS[lowered], today)
    return parse_iso_date(word)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Reading words


@dataclass(frozen=True)
class _Word:
    text: str  # lower case, without surrounding punctuation or a possessive 's
    raw: str
    start: int
    end: int
    possessive: bool
    pause: bool  # a comma, a full stop or a dash after it: a phrase ends


_TOKEN = re.compile(r"\S+")
_EDGES = " ,;:!?()[]{}\"“”'‘’…*_~"


def _words(text: str) -> list[_Word]:
    words = []
    for found in _TOKEN.finditer(text):
        raw = found.group()
        word = raw.lower().strip(_EDGES).rstrip(".")
        possessive = word.endswith(("'s", "’s"))
        if possessive:
            word = word[:-2]
        pause = raw[-1] in ",;:.!?" or raw in {"-", "–", "—", "--"}
        words.append(_Word(word, raw, found.start(), found.end(), possessive, pause))
    return words


def _number(word: str) -> int | None:
    if word.isascii() and word.isdigit() and len(word) <= 3:
        return int(word)
    return _NUMBERS.get(word)


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


@dataclass(frozen=True)
class _Read:
    """A day read from words[i:i + length]: how it was written decides where it counts."""

    day: dt.date | BadDate
    length: int
    kind: str  # relative, weekday, last, month, ordinal, numeric, iso
    year_given: bool = False


def _month_day(words: list[_Word], i: int) -> tuple[int, int, int] | None:
    """(month, day, words used) for "nov 25", "november 25th", "25 nov", "25th of november"."""
    here = words[i].text
    nxt = words[i + 1].text if i + 1 < len(words) else ""
    if here in MONTHS and (day := _ORDINAL.match(nxt)) and not words[i].pause:
        return MONTHS[here], int(day.group(1)), 2
    if (day := _ORDINAL.match(here)) and not words[i].pause:
        if nxt in MONTHS:
            return MONTHS[nxt], int(day.group(1)), 2
        if nxt == "of" and i + 2 < len(words) and words[i + 2].text in MONTHS:
            return MONTHS[words[i + 2].text], int(day.group(1)), 3
    return None


def _numeric(word: _Word, order: str) -> tuple[int, int, int | None] | None:
    """(month, day, year) of 11/24, 11.25, 24/11/2026 in the workspace's order."""
    if any(mark in word.raw for mark in "$%#€£") or word.text == "24/7":
        return None
    found = _NUMERIC.match(word.text)
    if not found:
        return None
    first, second = int(found.group(1)), int(found.group(2))
    month, day = (first, second) if order == "MDY" else (second, first)
    year = found.group(3)
    return month, day, None if year is None else int(year) + (2000 if len(year) == 2 else 0)


def _read(words: list[_Word], i: int, today: dt.date, order: str) -> _Read | None:
    """A day written at words[i], if any, before any rule on where it may stand."""
    word = words[i]
    text = word.text
    nxt = words[i + 1].text if i + 1 < len(words) else ""
    if word.possessive:
        return None
    if text in {"today", "tonight", "tdy"}:
        return _Read(today, 1, "relative")
    if text in {"this", "earlier"} and nxt in _TIMES_OF_DAY | {"today"}:
        return _Read(today, 2, "relative")
    if text in YESTERDAY:
        return _Read(today - dt.timedelta(days=1), 1, "relative")
    if text == "last" and nxt == "night":
        return _Read(today - dt.timedelta(days=1), 2, "relative")
    if text in {"last", "past"} and nxt in WEEKDAYS and not words[i + 1].possessive:
        return _Read(_latest(WEEKDAYS[nxt], today, before_today=True), 2, "last")
    if (count := _number(text)) is not None and nxt in _UNITS and count <= 31:
        after = words[i + 2].text if i + 2 < len(words) else ""
        unit = _UNITS[nxt]
        if after == "ago" and unit in {"day", "week"}:
            days = count * (7 if unit == "week" else 1)
            return _Read(today - dt.timedelta(days=days), 3, "relative")
    if text in WEEKDAYS:
        length = 2 if nxt in _TIMES_OF_DAY else 1
        return _Read(_latest(WEEKDAYS[text], today), length, "weekday")
    if (found := _month_day(words, i)) is not None:
        month, day, length = found
        this_year = _date(today.year, month, day)
        if this_year is None:
            return None
        if this_year > today:
            this_year = _date(today.year - 1, month, day)
        return None if this_year is None else _Read(this_year, length, "month")
    if text == "the" and (day_of := _ORDINAL.match(nxt)) and nxt != day_of.group(1):
        # "on the 30th": the latest 30th, this month or last.
        number = int(day_of.group(1))
        for back in range(2):
            first = add_months(today.replace(day=1), -back)
            if (when := _date(first.year, first.month, number)) and when <= today:
                return _Read(when, 2, "ordinal")
        return None
    if (numeric := _numeric(word, order)) is not None:
        month, day, year = numeric
        if year is not None:
            when = _date(year, month, day)
            return None if when is None else _Read(when, 1, "numeric", year_given=True)
        when = _date(today.year, month, day)
        if when is not None and when > today:
            when = _date(today.year - 1, month, day)
        return None if when is None else _Read(when, 1, "numeric")
    iso = parse_iso_date(text)
    if iso is not None:
        return _Read(iso, 1, "iso", year_given=True)
    return None


@dataclass(frozen=True)
class FoundDay:
    """A day in a text, and where it was written (with an "on" before it)."""

    day: dt.date
    start: int
    end: int


def find_past_day(
    text: str,
    today: dt.date,
    date_order: str = "MDY",
    *,
    skip: tuple[tuple[int, int], ...] = (),
    leading_only: bool = False,
) -> FoundDay | BadDate | None:
    """The day a touch happened, as the text says it; None when it names none.

    `skip` holds character spans that are no day (a client's name, a promise). A day at the
    start may be ahead of today or impossible, and is returned so the caller can say so;
    further on, only a past day that reads as the touch's day counts.
    """
    words = _words(text)
    for i in range(len(words)):
        if leading_only and i > (1 if words[0].text == "on" else 0):
            break
        if any(s <= words[i].start < e for s, e in skip):
            continue
        read = _read(words, i, today, date_order)
        if read is None:
            continue
        on = i > 0 and words[i - 1].text == "on"
        start = words[i - 1].start if on else words[i].start
        leading = i == 0 or (on and i == 1)
        last = words[i + read.length - 1]
        if not _counts(read, words, i, today, on=on, leading=leading):
            continue
        if isinstance(read.day, BadDate) or read.day > today:
            if leading:
                return (
                    read.day
                    if isinstance(read.day, BadDate)
                    else FoundDay(read.day, start, last.end)
                )
            continue
        return FoundDay(read.day, start, last.end)
    return None


def _counts(
    read: _Read, words: list[_Word], i: int, today: dt.date, *, on: bool, leading: bool
) -> bool:
    """Whether a day written at words[i] reads as the touch's day where it stands."""
    end = i + read.length
    after = words[end].text if end < len(words) else None
    if read.kind in {"relative", "last", "iso"}:
        return True
    if read.kind == "ordinal":
        return on
    if read.kind in {"month", "numeric"}:
        reach = _MONTH_REACH if read.kind == "month" else _NUMERIC_REACH
        near = isinstance(read.day, dt.date) and today - read.day <= reach
        return read.year_given or near
    # A weekday: at the start, after "on", before a time of day, or closing a phrase.
    closes = after is None or words[end - 1].pause
    if words[i].text in _EVERYDAY_DAYS:
        return on or closes or after in _DOINGS
    return leading or on or read.length == 2 or closes


# Promises


_TRIGGERS: tuple[tuple[str, ...], ...] = (
    ("follow", "up"),
    ("following", "up"),
    ("follow-up",),
    ("followup",),
    ("f/u",),
    ("fu",),
    ("circle", "back"),
    ("check", "back"),
    ("check", "in"),
    ("touch", "base"),
    ("remind", "me"),
    ("ping",),
    ("call", "back"),
    ("call", "them", "back"),
    ("call", "him", "back"),
    ("call", "her", "back"),
    ("call", "again"),
    ("get", "back", "to"),
    ("reach", "out"),
    ("revisit",),
    ("review", "again"),
    ("talk", "again"),
    ("chase",),
)
_NEGATIONS = frozenset({"no", "not", "don't", "dont", "never", "without", "needn't", "nothing"})
# Words that end the search for a promise's day: what follows looks back, not ahead.
_LOOKS_BACK = frozenset({"from", "since", "ago", "last", "yesterday", "earlier"})
_GAP = 6


def _trigger_at(words: list[_Word], i: int) -> int:
    """How many words a follow-up phrase at words[i] takes, or 0."""
    for trigger in _TRIGGERS:
        n = len(trigger)
        if tuple(w.text for w in words[i : i + n]) == trigger:
            return n
    return 0


def _ahead(words: list[_Word], i: int, today: dt.date, order: str) -> tuple[object, int] | None:
    """A day ahead written at words[i]: (date, BadDate or FollowUpInPast, words used)."""
    when: dt.date | None
    text = words[i].text
    nxt = words[i + 1].text if i + 1 < len(words) else ""
    third = words[i + 2].text if i + 2 < len(words) else ""
    if text in {"tomorrow", "tmrw", "tmw", "tmr", "tomoz"}:
        return today + dt.timedelta(days=1), 1
    if text == "next" and nxt in {"week", "wk"}:
        return today + dt.timedelta(days=7), 2
    if text == "next" and nxt in {"month", "mo"}:
        return add_months(today, 1), 2
    if text == "early" and nxt == "next" and third in {"week", "wk"}:
        return today + dt.timedelta(days=7 - today.weekday()), 3
    if text in {"eow", "eom"} or (text == "end" and nxt == "of"):
        unit = (
            text
            if text != "end"
            else {"week": "eow", "wk": "eow", "month": "eom"}.get(
                words[i + 3].text if third == "the" and i + 3 < len(words) else third, ""
            )
        )
        length = 1 if text != "end" else (4 if third == "the" else 3)
        if unit == "eow":
            return today + dt.timedelta(days=(4 - today.weekday() - 1) % 7 + 1), length
        if unit == "eom":
            end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
            return (end if end > today else add_months(end, 1)), length
    if text == "after" and (
        (nxt == "the" and third in {"holidays", "holiday", "new"}) or nxt in {"new", "christmas"}
    ):
        january = dt.date(today.year + 1, 1, 2)
        while january.weekday() >= 5:
            january += dt.timedelta(days=1)
        return january, 3
    if text in {"in", "within"} or _number(text) is not None:
        at = i + (text in {"in", "within"})
        count_word = words[at].text if at < len(words) else ""
        at += count_word == "a" and at + 1 < len(words) and words[at + 1].text in {"couple", "few"}
        count_word = words[at].text if at < len(words) else ""
        count = _number(count_word)
        at += 1
        if at < len(words) and words[at].text == "of":
            at += 1
        span = _UNITS.get(words[at].text if at < len(words) else "")
        if count is not None and span is not None:
            match span:
                case "day":
                    when = today + dt.timedelta(days=count)
                case "week":
                    when = today + dt.timedelta(weeks=count)
                case "month":
                    when = add_months(today, count)
                case _:
                    when = add_months(today, 12 * count)
            return (when if when > today else FollowUpInPast(when)), at + 1 - i
    if text in {"next", "this"} and nxt in WEEKDAYS:
        return _next_weekday(WEEKDAYS[nxt], today), 2
    if text in WEEKDAYS:
        return _next_weekday(WEEKDAYS[text], today), 1
    if (found := _month_day(words, i)) is not None:
        month, day, length = found
        when = _upcoming(month, day, today)
        return None if when is None else (when, length)
    if text == "the" and (day_of := _ORDINAL.match(nxt)) and nxt != day_of.group(1):
        number = int(day_of.group(1))
        for ahead in range(3):
            first = add_months(today.replace(day=1), ahead)
            if (when := _date(first.year, first.month, number)) and when > today:
                return when, 2
        return None
    if (numeric := _numeric(words[i], order)) is not None:
        month, day, year = numeric
        if year is not None:
            when = _date(year, month, day)
            if when is None:
                return BadDate(words[i].text), 1
            return (when if when > today else FollowUpInPast(when)), 1
        when = _upcoming(month, day, today)
        return None if when is None else (when, 1)
    iso = parse_iso_date(words[i].text)
    if iso is not None:
        if isinstance(iso, dt.date) and iso <= today:
            return FollowUpInPast(iso), 1
        return iso, 1
    return None


def _next_weekday(weekday: int, today: dt.date) -> dt.date:
    """The weekday's next occurrence after today: today's weekday is a week away."""
    return today + dt.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _upcoming(month: int, day: int, today: dt.date) -> dt.date | None:
    """The next such date after today; None when it is impossible or fell just now (a
    reference to a recent day, not a promise a year ahead)."""
    when = _date(today.year, month, day)
    if when is None:
        return None
    if when > today:
        return when
    if today - when <= _RECENTLY:
        return None
    return _date(today.year + 1, month, day)


@dataclass(frozen=True)
class Promise:
    """A follow-up phrase, where it stands, and the day it names (or why that day won't do)."""

    day: dt.date | BadDate | FollowUpInPast | None
    start: int
    end: int  # the end of its phrase: no day in it is the touch's day


def find_promise(text: str, today: dt.date, date_order: str = "MDY") -> Promise | None:
    """The first follow-up phrase in `text` and the day it promises, if it names one."""
    words = _words(text)
    first: Promise | None = None
    for i in range(len(words)):
        n = _trigger_at(words, i)
        if not n or any(w.text in _NEGATIONS for w in words[max(0, i - 3) : i]):
            continue
        clause_end = next((w.end for w in words[i + n - 1 :] if w.pause), len(text))
        day: object = None
        at = i + n
        if not words[at - 1].pause:
            for at in range(i + n, min(len(words), i + n + _GAP + 1)):
                if words[at].text in _LOOKS_BACK:
                    break
                found = _ahead(words, at, today, date_order)
                if found is not None:
                    day = found[0]
                    break
                if words[at].pause:
                    break
        promise = Promise(day, words[i].start, clause_end)  # type: ignore[arg-type]
        if day is not None:
            return promise
        first = first or promise
    return first


def parse_follow_up(
    note: str, today: dt.date, date_order: str = "MDY"
) -> dt.date | BadDate | FollowUpInPast | None:
    """The day a note promises to follow up, such as "follow up friday" or "f/u in 2 wks".

    A weekday means its next occurrence after today. Returns None when the note makes no
    promise with a day.
    """
    promise = find_promise(note, today, date_order)
    return None if promise is None else promise.day


def anniversary(renewal: dt.date, year: int) -> dt.date:
    """The renewal's date in a given year; 29 February falls on 28 February in other years."""
    try:
        return renewal.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)


def next_renewal(renewal: dt.date, today: dt.date) -> dt.date:
    """The first anniversary of the renewal date on or after today.

    A stored date still ahead is the next renewal itself, so an import of upcoming renewal
    dates means what it says.
    """
    if renewal >= today:
        return renewal
    this_year = anniversary(renewal, today.year)
    return this_year if this_year >= today else anniversary(renewal, today.year + 1)


def previous_renewal(renewal: dt.date, today: dt.date) -> dt.date | None:
    """The last anniversary strictly before the next one, or None before the first renewal."""
    upcoming = next_renewal(renewal, today)
    previous = anniversary(renewal, upcoming.year - 1)
    return previous if previous >= renewal else None
