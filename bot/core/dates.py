"""Day words in commands, follow-up phrases, and yearly renewal dates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

WEEKDAYS: dict[str, int] = {
    "monday": 0, "mon": 0,
    "tuesday": 1, "tue": 1, "tues": 1,
    "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3,
    "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}  # fmt: skip

_ISO_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


@dataclass(frozen=True)
class BadDate:
    """Text that looks like a date but isn't one, such as 2026-02-30."""

    text: str


def parse_iso_date(text: str) -> dt.date | BadDate | None:
    """`YYYY-MM-DD` to a date; None when the text is not date-shaped at all."""
    if not _ISO_DATE.match(text):
        return None
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return dt.date(year, month, day)
    except ValueError:
        return BadDate(text)


def parse_past_day(word: str, today: dt.date) -> dt.date | BadDate | None:
    """The day a touch happened: `today`, `yesterday`, a weekday or `YYYY-MM-DD`.

    A weekday means its most recent occurrence, today included: on a Friday, "friday" is today
    and "thursday" is yesterday. Returns None when the word is not a day word.
    """
    lowered = word.lower()
    if lowered == "today":
        return today
    if lowered == "yesterday":
        return today - dt.timedelta(days=1)
    if lowered in WEEKDAYS:
        return today - dt.timedelta(days=(today.weekday() - WEEKDAYS[lowered]) % 7)
    return parse_iso_date(word)


_UNIT_DAYS = {"day": 1, "week": 7, "month": 30}
_FOLLOW_UP = re.compile(
    r"\b(?:follow(?:ing)?[- ]?up|call(?:ing)? (?:them |him |her )?back|check(?:ing)? back"
    r"|circle back|get back to (?:them|him|her)|touch base|remind me)"
    r"(?:\s+(?:on|by|in|next|this|with them|with him|with her))*\s+"
    r"(?P<when>tomorrow|next week|next month|\d{4}-\d{1,2}-\d{1,2}"
    r"|(?:in\s+)?(?:a|an|one|two|three|four|\d{1,3})\s+(?:day|week|month)s?"
    r"|" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_SMALL_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4}


@dataclass(frozen=True)
class FollowUpInPast:
    day: dt.date


def parse_follow_up(note: str, today: dt.date) -> dt.date | BadDate | FollowUpInPast | None:
    """Find a promise such as "follow up friday" or "call back in 2 weeks" in a note.

    A weekday means its next occurrence after today. Returns None when the note makes no promise.
    """
    match = _FOLLOW_UP.search(note)
    if not match:
        return None
    when = re.sub(r"\s+", " ", match.group("when").lower())
    when = when.removeprefix("in ")
    day: dt.date
    if when == "tomorrow":
        day = today + dt.timedelta(days=1)
    elif when == "next week":
        day = today + dt.timedelta(days=7)
    elif when == "next month":
        day = today + dt.timedelta(days=30)
    elif when in WEEKDAYS:
        day = today + dt.timedelta(days=(WEEKDAYS[when] - today.weekday() - 1) % 7 + 1)
    elif (parsed := parse_iso_date(when)) is not None:
        if isinstance(parsed, BadDate):
            return parsed
        day = parsed
    else:
        count_word, unit = when.split(" ")
        count = _SMALL_NUMBERS.get(count_word) or int(count_word)
        day = today + dt.timedelta(days=count * _UNIT_DAYS[unit.rstrip("s")])
    if day <= today:
        return FollowUpInPast(day)
    return day


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
