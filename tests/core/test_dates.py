"""Day words, follow-up promises and yearly renewal dates (bot.core.dates)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.dates import (
    BadDate,
    FollowUpInPast,
    FoundDay,
    anniversary,
    find_past_day,
    next_renewal,
    parse_follow_up,
    parse_iso_date,
    parse_past_day,
    previous_renewal,
)

D = dt.date
SUNDAY = D(2026, 11, 22)  # the "today" of most tests
MONDAY = D(2026, 11, 23)
FRIDAY = D(2026, 11, 27)
NEW_YEARS_DAY = D(2027, 1, 1)  # a Friday


def test_the_fixed_today_is_a_sunday() -> None:
    assert SUNDAY.strftime("%A") == "Sunday"
    assert NEW_YEARS_DAY.strftime("%A") == "Friday"


# parse_iso_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-22", D(2026, 11, 22)),
        ("2026-3-4", D(2026, 3, 4)),
        ("2026-03-14", D(2026, 3, 14)),
        ("2024-02-29", D(2024, 2, 29)),
        ("2000-02-29", D(2000, 2, 29)),
        ("2026-12-31", D(2026, 12, 31)),
    ],
)
def test_iso_dates_parse(text: str, expected: dt.date) -> None:
    assert parse_iso_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30",
        "2026-02-29",
        "2100-02-29",
        "2026-13-01",
        "2026-00-10",
        "2026-04-31",
        "0000-01-01",
    ],
)
def test_impossible_dates_are_bad_dates_that_keep_the_text(text: str) -> None:
    assert parse_iso_date(text) == BadDate(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "friday",
        "acme",
        "20261122",
        "2026/11/22",
        "22-11-2026",
        "2026-11",
        "26-11-22",
        "2026-11-22x",
    ],
)
def test_text_that_is_not_date_shaped_is_none(text: str) -> None:
    assert parse_iso_date(text) is None


# parse_past_day: the day a touch happened


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("today", D(2026, 11, 22)),
        ("yesterday", D(2026, 11, 21)),
        ("Yesterday", D(2026, 11, 21)),
        # Today's weekday means today.
        ("sunday", D(2026, 11, 22)),
        ("sun", D(2026, 11, 22)),
        ("saturday", D(2026, 11, 21)),
        ("sat", D(2026, 11, 21)),
        ("friday", D(2026, 11, 20)),
        ("FRIDAY", D(2026, 11, 20)),
        ("fri", D(2026, 11, 20)),
        ("thursday", D(2026, 11, 19)),
        ("thurs", D(2026, 11, 19)),
        ("thu", D(2026, 11, 19)),
        ("wednesday", D(2026, 11, 18)),
        ("wed", D(2026, 11, 18)),
        ("tuesday", D(2026, 11, 17)),
        ("tues", D(2026, 11, 17)),
        ("monday", D(2026, 11, 16)),
        ("Mon", D(2026, 11, 16)),
        ("2026-11-01", D(2026, 11, 1)),
    ],
)
def test_past_day_words_on_a_sunday(word: str, expected: dt.date) -> None:
    assert parse_past_day(word, SUNDAY) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # On a Monday, Sunday is yesterday and Tuesday is six days back, across the week boundary.
        ("monday", D(2026, 11, 23)),
        ("sunday", D(2026, 11, 22)),
        ("saturday", D(2026, 11, 21)),
        ("tuesday", D(2026, 11, 17)),
        ("yesterday", D(2026, 11, 22)),
    ],
)
def test_past_weekdays_cross_the_week_boundary(word: str, expected: dt.date) -> None:
    assert parse_past_day(word, MONDAY) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("yesterday", D(2026, 12, 31)),
        ("thursday", D(2026, 12, 31)),
        ("saturday", D(2026, 12, 26)),
        ("friday", D(2027, 1, 1)),
    ],
)
def test_past_weekdays_cross_the_year_boundary(word: str, expected: dt.date) -> None:
    assert parse_past_day(word, NEW_YEARS_DAY) == expected


def test_a_weekday_is_never_in_the_future_and_never_a_week_or_more_back() -> None:
    for offset in range(14):
        today = SUNDAY + dt.timedelta(days=offset)
        for word in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
            day = parse_past_day(word, today)
            assert isinstance(day, dt.date)
            assert 0 <= (today - day).days <= 6
            assert day.strftime("%A").lower() == word


def test_a_future_iso_day_is_returned_for_the_caller_to_refuse() -> None:
    assert parse_past_day("2026-11-23", SUNDAY) == D(2026, 11, 23)


def test_an_impossible_iso_day_is_a_bad_date() -> None:
    assert parse_past_day("2026-02-30", SUNDAY) == BadDate("2026-02-30")


@pytest.mark.parametrize("word", ["acme", "tomorrow", "lastweek", "fridays", "", "sunny"])
def test_words_that_are_not_days_are_none(word: str) -> None:
    assert parse_past_day(word, SUNDAY) is None


# parse_follow_up: promises in a note, relative to today (a Sunday)


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("reviewed cover, follow up friday", D(2026, 11, 27)),
        ("Follow-up Friday", D(2026, 11, 27)),
        ("FOLLOW UP MONDAY", D(2026, 11, 23)),
        ("following up next month", D(2026, 12, 22)),
        ("call back in 2 weeks", D(2026, 12, 6)),
        ("said I'd call them back next week", D(2026, 11, 29)),
        ("call her back tomorrow", D(2026, 11, 23)),
        ("follow up 2026-12-01", D(2026, 12, 1)),
        ("follow up on 2026-12-01 about the quote", D(2026, 12, 1)),
        ("follow up by 2026-11-23", D(2026, 11, 23)),
        ("follow up in a month", D(2026, 12, 22)),
        ("follow up in 1 week", D(2026, 11, 29)),
        ("remind me in three days", D(2026, 11, 25)),
        ("check back on thursday", D(2026, 11, 26)),
        ("circle back mon", D(2026, 11, 23)),
        ("touch base with them in 10 days", D(2026, 12, 2)),
        ("get back to her wed", D(2026, 11, 25)),
        ("call back in two  weeks", D(2026, 12, 6)),
        # Today's weekday means a week from today: a follow-up is always after today.
        ("follow up sunday", D(2026, 11, 29)),
        ("follow up sat", D(2026, 11, 28)),
    ],
)
def test_follow_up_promises(note: str, expected: dt.date) -> None:
    assert parse_follow_up(note, SUNDAY) == expected


def test_follow_up_weekday_crosses_the_week_boundary() -> None:
    assert parse_follow_up("follow up monday", FRIDAY) == D(2026, 11, 30)
    assert parse_follow_up("follow up friday", FRIDAY) == D(2026, 12, 4)
    assert parse_follow_up("follow up saturday", FRIDAY) == D(2026, 11, 28)


def test_follow_up_crosses_the_year_boundary() -> None:
    assert parse_follow_up("call back in 2 weeks", D(2026, 12, 28)) == D(2027, 1, 11)
    assert parse_follow_up("follow up tuesday", D(2026, 12, 31)) == D(2027, 1, 5)


@pytest.mark.parametrize(
    ("note", "day"),
    [
        ("follow up 2026-11-01", D(2026, 11, 1)),
        ("follow up 2025-12-01", D(2025, 12, 1)),
        # Today is not after today.
        ("follow up 2026-11-22", D(2026, 11, 22)),
        ("follow up in 0 days", D(2026, 11, 22)),
    ],
)
def test_follow_up_on_a_day_already_gone_is_refused(note: str, day: dt.date) -> None:
    assert parse_follow_up(note, SUNDAY) == FollowUpInPast(day)


def test_follow_up_on_an_impossible_date_is_a_bad_date() -> None:
    assert parse_follow_up("follow up 2026-02-30", SUNDAY) == BadDate("2026-02-30")


@pytest.mark.parametrize(
    "note",
    [
        "called about the claim",
        "followed up friday on the quote",  # done, not promised
        "called back yesterday",
        "no follow up needed",
        "follow up call went well",
        "sent renewal paperwork 2026-11-01",
        "",
    ],
)
def test_notes_without_a_promise_have_no_follow_up(note: str) -> None:
    assert parse_follow_up(note, SUNDAY) is None


# Renewal dates recur yearly


@pytest.mark.parametrize(
    ("renewal", "year", "expected"),
    [
        (D(2025, 3, 14), 2027, D(2027, 3, 14)),
        (D(2024, 2, 29), 2025, D(2025, 2, 28)),
        (D(2024, 2, 29), 2028, D(2028, 2, 29)),
        (D(2024, 2, 29), 2100, D(2100, 2, 28)),
        (D(2025, 2, 28), 2028, D(2028, 2, 28)),
        (D(2026, 12, 31), 2020, D(2020, 12, 31)),
    ],
)
def test_anniversary(renewal: dt.date, year: int, expected: dt.date) -> None:
    assert anniversary(renewal, year) == expected


@pytest.mark.parametrize(
    ("renewal", "today", "expected"),
    [
        # A stored date still ahead is the next renewal itself, however far ahead.
        (D(2026, 12, 1), SUNDAY, D(2026, 12, 1)),
        (D(2028, 5, 1), SUNDAY, D(2028, 5, 1)),
        # Today counts as still ahead.
        (D(2026, 11, 22), SUNDAY, D(2026, 11, 22)),
        (D(2024, 11, 22), SUNDAY, D(2026, 11, 22)),
        # Passed: this year's anniversary if it's still to come, else next year's.
        (D(2023, 12, 15), SUNDAY, D(2026, 12, 15)),
        (D(2025, 3, 14), SUNDAY, D(2027, 3, 14)),
        (D(2026, 11, 21), SUNDAY, D(2027, 11, 21)),
        (D(2025, 1, 1), D(2026, 12, 31), D(2027, 1, 1)),
        # 29 February falls on 28 February in other years, and comes back in leap years.
        (D(2024, 2, 29), SUNDAY, D(2027, 2, 28)),
        (D(2024, 2, 29), D(2026, 2, 27), D(2026, 2, 28)),
        (D(2024, 2, 29), D(2026, 2, 28), D(2026, 2, 28)),
        (D(2024, 2, 29), D(2026, 3, 1), D(2027, 2, 28)),
        (D(2024, 2, 29), D(2027, 3, 1), D(2028, 2, 29)),
        (D(2024, 2, 29), D(2028, 2, 29), D(2028, 2, 29)),
        (D(2024, 2, 29), D(2028, 3, 1), D(2029, 2, 28)),
    ],
)
def test_next_renewal(renewal: dt.date, today: dt.date, expected: dt.date) -> None:
    assert next_renewal(renewal, today) == expected


def test_next_renewal_is_never_before_today_and_within_a_year() -> None:
    renewal = D(2024, 2, 29)
    today = D(2026, 1, 1)
    while today < D(2029, 1, 1):
        upcoming = next_renewal(renewal, today)
        assert today <= upcoming <= today + dt.timedelta(days=366)
        assert (upcoming.month, upcoming.day) in {(2, 28), (2, 29)}
        today += dt.timedelta(days=17)


@pytest.mark.parametrize(
    ("renewal", "today", "expected"),
    [
        # Before (or on) the first renewal there is no previous one.
        (D(2026, 12, 1), SUNDAY, None),
        (D(2026, 11, 22), SUNDAY, None),
        (D(2025, 12, 1), SUNDAY, D(2025, 12, 1)),
        (D(2023, 12, 1), SUNDAY, D(2025, 12, 1)),
        (D(2023, 3, 14), SUNDAY, D(2026, 3, 14)),
        (D(2025, 11, 22), D(2026, 11, 23), D(2026, 11, 22)),
        (D(2024, 2, 29), SUNDAY, D(2026, 2, 28)),
        (D(2024, 2, 29), D(2028, 3, 1), D(2028, 2, 29)),
        (D(2024, 2, 29), D(2025, 1, 10), D(2024, 2, 29)),
    ],
)
def test_previous_renewal(renewal: dt.date, today: dt.date, expected: dt.date | None) -> None:
    assert previous_renewal(renewal, today) == expected


# Days in free phrasing, relative to Thursday 3 December 2026

THURSDAY = D(2026, 12, 3)


def day_in(text: str, order: str = "MDY") -> dt.date | None:
    found = find_past_day(text, THURSDAY, order)
    assert not isinstance(found, BadDate)
    return None if found is None else found.day


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yday called acme", D(2026, 12, 2)),
        ("yest. lunch w/ the owner", D(2026, 12, 2)),
        ("this morning stopped by", THURSDAY),
        ("last tues met with the board", D(2026, 12, 1)),
        ("last thurs site visit", D(2026, 11, 26)),
        ("weds site visit at pinnacle", D(2026, 12, 2)),
        ("on monday walked them through", D(2026, 11, 30)),
        ("nov 25 called delgado", D(2026, 11, 25)),
        ("25 nov lunch", D(2026, 11, 25)),
        ("november 24th site walk", D(2026, 11, 24)),
        ("11/24 sent invoice", D(2026, 11, 24)),
        ("11.25 coffee w/ the owner", D(2026, 11, 25)),
        ("2026-11-20 reviewed cover", D(2026, 11, 20)),
        ("2 days ago lunch", D(2026, 12, 1)),
        ("on the 30th called smith", D(2026, 11, 30)),
        ("met with maria at brightside yesterday", D(2026, 12, 2)),
        ("called acme on monday about the fleet", D(2026, 11, 30)),
        ("lunch w/ keystone tues", D(2026, 12, 1)),
        ("heritage called me last night", D(2026, 12, 2)),
        ("wed called about the break-in", D(2026, 12, 2)),
    ],
)
def test_days_as_reps_write_them(text: str, expected: dt.date) -> None:
    assert day_in(text) == expected


def test_the_date_order_reads_numbers() -> None:
    assert day_in("24/11 called acme", "DMY") == D(2026, 11, 24)
    assert day_in("11/24 called acme", "DMY") is None
    assert day_in("1/12 sent invoice", "DMY") == D(2026, 12, 1)
    assert day_in("1/12 sent invoice", "MDY") is None  # January: too long ago to be read


@pytest.mark.parametrize(
    "text",
    [
        "friday's tap house called about a slip",
        "reminded them about friday's deadline",
        "sat down with the owner",
        "sun damage on the roof",
        "certs for the 2027 season",
        "they may renew early",
        "keystone 24/7 site security review",
        "reviewed cover for 3/4 of the fleet",
        "premium up 11.5% at acme",
        "quoted $11.25 per employee",
        "unit 12/10 flood at harbor view",
        "yesterday's storm damaged the roof",
        "claim #11-24 for apex",
        "told them about the friday deadline",
    ],
)
def test_names_and_phrases_are_no_days(text: str) -> None:
    assert day_in(text) is None


def test_a_day_ahead_is_a_touch_day_only_at_the_start() -> None:
    assert find_past_day("2026-12-10 called acme", THURSDAY) == FoundDay(D(2026, 12, 10), 0, 10)
    assert day_in("called acme about the 2026-12-10 deadline") is None


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("f/u 12/10", D(2026, 12, 10)),
        ("f/u in 2 wks", D(2026, 12, 17)),
        ("follow up next wk", D(2026, 12, 10)),
        ("circle back in a month", D(2027, 1, 3)),
        ("check back after the holidays", D(2027, 1, 4)),
        ("remind me thursday", D(2026, 12, 10)),
        ("ping them again jan 5", D(2027, 1, 5)),
        ("call back on the 15th", D(2026, 12, 15)),
        ("talk again in a few days", D(2026, 12, 6)),
        ("review again in 6 months", D(2027, 6, 3)),
        ("follow up eow", D(2026, 12, 4)),
        ("follow up end of month", D(2026, 12, 31)),
        ("circle back early next week", D(2026, 12, 7)),
        ("circle back in a couple of weeks", D(2026, 12, 17)),
        ("follow up w/ them about the new drivers next week", D(2026, 12, 10)),
        ("follow up if not paid by 12/15", D(2026, 12, 15)),
        ("f/u 1/8", D(2027, 1, 8)),
    ],
)
def test_promises_as_reps_write_them(note: str, expected: dt.date) -> None:
    assert parse_follow_up(note, THURSDAY) == expected


def test_a_promise_reads_numbers_in_the_date_order() -> None:
    assert parse_follow_up("f/u 10/12", THURSDAY, "DMY") == D(2026, 12, 10)
    assert parse_follow_up("check back 4/1", THURSDAY, "DMY") == D(2027, 1, 4)


@pytest.mark.parametrize(
    "note",
    [
        "followed up on the claim",
        "no follow up needed",
        "f/u call went well",
        "no need to follow up",
        "the follow-up meeting went well",
        "follow-up from the nov 25 claim meeting, all sorted",
        "they said they may renew next month",
        "policy renews in 6 months",
        "called back yesterday",
    ],
)
def test_no_false_promises(note: str) -> None:
    assert parse_follow_up(note, THURSDAY) is None
