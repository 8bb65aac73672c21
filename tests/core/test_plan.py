"""From `/touch <client> <note>` to a touch to record, or a reason not to (bot.core.plan)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.core.dates import BadDate, FollowUpInPast
from bot.core.matching import Ambiguous, NoMatch
from bot.core.model import Client, Kind, NewTouch, Source
from bot.core.plan import (
    MAX_NOTE,
    DayInFuture,
    EmptyNote,
    NoteTooLong,
    Refusal,
    TouchPlan,
    occurred_at,
    plan_note,
    plan_touch,
)

D = dt.date
UTC = dt.UTC
LA = ZoneInfo("America/Los_Angeles")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")

# Sunday 22 November 2026, 7pm in Los Angeles: already Monday the 23rd in UTC.
NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
TODAY = D(2026, 11, 22)


def client(id_: int, name: str, *aliases: str) -> Client:
    return Client(id=id_, team_id="T1", name=name, aliases=aliases)


ACME = client(1, "Acme")
ACME_GROUP = client(2, "Acme Insurance Group", "AIG")
NORTHWIND = client(3, "Northwind Traders")
NORTH_STAR = client(4, "North Star Logistics", "North Star")
SUN_LIFE = client(5, "Sun Life")
LIFELINE = client(6, "Lifeline Health")
CLIENTS = (ACME, ACME_GROUP, NORTHWIND, NORTH_STAR, SUN_LIFE, LIFELINE)


def plan(
    rest: str, day: dt.date | None = None, *, now: dt.datetime = NOW, tz: ZoneInfo = LA
) -> TouchPlan | Refusal:
    return plan_touch(rest, day, CLIENTS, now=now, tz=tz)


def planned(
    rest: str, day: dt.date | None = None, *, now: dt.datetime = NOW, tz: ZoneInfo = LA
) -> TouchPlan:
    result = plan(rest, day, now=now, tz=tz)
    assert isinstance(result, TouchPlan), result
    return result


def local_noon_utc(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=tz).astimezone(UTC)


# occurred_at


def test_today_happened_now_even_when_the_utc_date_is_tomorrow() -> None:
    assert NOW.date() == D(2026, 11, 23)
    assert occurred_at(TODAY, NOW, LA) == NOW
    assert occurred_at(TODAY, NOW, LA).tzinfo is UTC


def test_earlier_days_happened_at_local_noon() -> None:
    # Noon in Los Angeles (PST, UTC-8) is 20:00 UTC.
    assert occurred_at(D(2026, 11, 21), NOW, LA) == dt.datetime(2026, 11, 21, 20, tzinfo=UTC)
    assert occurred_at(D(2026, 7, 4), NOW, LA) == dt.datetime(2026, 7, 4, 19, tzinfo=UTC)  # PDT


def test_the_utc_date_is_not_today_in_los_angeles() -> None:
    # The 23rd is today in UTC but tomorrow for the rep: it is not "now".
    utc_today = D(2026, 11, 23)
    assert occurred_at(utc_today, NOW, LA) == dt.datetime(2026, 11, 23, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # Clocks went forward at 2am on Sunday 8 March 2026 in New York.
        (D(2026, 3, 7), dt.datetime(2026, 3, 7, 17, tzinfo=UTC)),  # EST, UTC-5
        (D(2026, 3, 8), dt.datetime(2026, 3, 8, 16, tzinfo=UTC)),  # EDT, UTC-4
        # And back at 2am on Sunday 1 November 2026.
        (D(2026, 10, 31), dt.datetime(2026, 10, 31, 16, tzinfo=UTC)),
        (D(2026, 11, 1), dt.datetime(2026, 11, 1, 17, tzinfo=UTC)),
    ],
)
def test_local_noon_across_daylight_saving_changes(day: dt.date, expected: dt.datetime) -> None:
    now = dt.datetime(2026, 11, 22, 15, tzinfo=UTC)
    assert occurred_at(day, now, NEW_YORK) == expected


def test_today_on_the_day_clocks_change_is_now() -> None:
    now = dt.datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 3:30am EDT, just after the change
    assert occurred_at(D(2026, 3, 8), now, NEW_YORK) == now


def test_now_in_another_zone_is_converted_to_utc() -> None:
    now = dt.datetime(2026, 11, 22, 19, 0, tzinfo=LA)
    assert occurred_at(TODAY, now, LA) == dt.datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


# plan_touch: the happy path


def test_a_touch_today() -> None:
    assert planned("acme reviewed their fleet cover") == TouchPlan(
        client=ACME,
        note="reviewed their fleet cover",
        kind=Kind.VALUE,
        because="a review",
        overridden=False,
        day=TODAY,
        today=TODAY,
        occurred_at=NOW,
        follow_up_on=None,
    )


def test_today_is_the_reps_local_date() -> None:
    assert planned("acme called").today == TODAY
    assert planned("acme called", tz=LONDON).today == D(2026, 11, 23)


@pytest.mark.parametrize(
    ("rest", "day", "client", "note"),
    [
        ("northwind traders lunch with the owner", None, NORTHWIND, "lunch with the owner"),
        ('"north star" sent renewal paperwork', None, NORTH_STAR, "sent renewal paperwork"),
        ("aig called", None, ACME_GROUP, "called"),
        ("acme insurnce group called", None, ACME_GROUP, "called"),
        ("acme called", D(2026, 11, 20), ACME, "called"),
    ],
)
def test_the_client_is_matched_and_the_rest_is_the_note(
    rest: str, day: dt.date | None, client: Client, note: str
) -> None:
    result = planned(rest, day)
    assert (result.client, result.note) == (client, note)


def test_a_day_from_the_command_is_kept() -> None:
    result = planned("acme sent invoice", D(2026, 11, 20))
    assert result.day == D(2026, 11, 20)
    assert result.today == TODAY
    assert result.occurred_at == local_noon_utc(D(2026, 11, 20), LA)
    assert (result.kind, result.because) == (Kind.ROUTINE, "billing")


@pytest.mark.parametrize(
    ("rest", "day", "note"),
    [
        ("acme yesterday called about the claim", D(2026, 11, 21), "called about the claim"),
        ("acme Friday lunch with the owner", D(2026, 11, 20), "lunch with the owner"),
        ("acme fri lunch", D(2026, 11, 20), "lunch"),
        ("acme sunday called", TODAY, "called"),
        ("acme today called", TODAY, "called"),
        ("acme 2026-11-02 sent invoice", D(2026, 11, 2), "sent invoice"),
        ("northwind traders monday site visit", D(2026, 11, 16), "site visit"),
    ],
)
def test_a_day_right_after_the_client_name(rest: str, day: dt.date, note: str) -> None:
    result = planned(rest)
    assert (result.day, result.note) == (day, note)
    expected_at = NOW if day == TODAY else local_noon_utc(day, LA)
    assert result.occurred_at == expected_at


@pytest.mark.parametrize(
    "note",
    [
        "sat down with the CFO to go through their cover",
        "sun damage to the roof, opened a claim",
        "sat in on their safety meeting",
    ],
)
def test_everyday_words_after_the_name_are_not_days(note: str) -> None:
    result = planned(f"acme {note}")
    assert (result.day, result.note) == (TODAY, note)


def test_a_second_day_word_is_part_of_the_note() -> None:
    result = planned("acme friday called", D(2026, 11, 21))
    assert (result.day, result.note) == (D(2026, 11, 21), "friday called")


def test_a_client_whose_name_starts_with_a_day_word() -> None:
    # `/touch sun life called` is parsed as the day "sun" and "life called".
    result = planned("life called", TODAY)
    assert (result.client, result.note, result.day) == (SUN_LIFE, "called", TODAY)
    # On a Monday "sun" is yesterday; a day after the name still counts. Read as a day, "sun"
    # would have sent the touch to Lifeline Health, the unique prefix of "life".
    monday_now = dt.datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    result = planned("life friday called", TODAY, now=monday_now)
    assert (result.client, result.note, result.day) == (SUN_LIFE, "called", D(2026, 11, 20))


def test_a_blank_alias_does_not_break_the_day_check() -> None:
    odd = Client(id=9, team_id="T1", name="Fabrikam", aliases=("", " "))
    result = plan_touch("fabrikam called", D(2026, 11, 21), (odd,), now=NOW, tz=LA)
    assert isinstance(result, TouchPlan)
    assert (result.client, result.day) == (odd, D(2026, 11, 21))


def test_a_day_word_before_another_client_stays_a_day() -> None:
    result = planned("lifeline health called", TODAY)
    assert (result.client, result.day) == (LIFELINE, TODAY)
    result = planned("acme called", D(2026, 11, 21))
    assert (result.client, result.day) == (ACME, D(2026, 11, 21))


# Follow-ups


def test_a_follow_up_promise_is_recorded() -> None:
    result = planned("acme reviewed cover, follow up friday")
    assert result.follow_up_on == D(2026, 11, 27)
    assert result.note == "reviewed cover, follow up friday"


def test_a_follow_up_counts_from_today_not_from_the_day_of_the_touch() -> None:
    result = planned("acme monday met the CFO, call back in 2 weeks")
    assert result.day == D(2026, 11, 16)
    assert result.follow_up_on == D(2026, 12, 6)


def test_a_follow_up_in_the_past_is_refused() -> None:
    assert plan("acme called, follow up 2026-11-01") == FollowUpInPast(D(2026, 11, 1))


def test_a_follow_up_on_an_impossible_date_is_refused() -> None:
    assert plan("acme called, follow up 2026-02-30") == BadDate("2026-02-30")


# Kind and tags


def test_a_tag_overrides_and_is_removed_from_the_note() -> None:
    result = planned("acme sent the invoice #value")
    assert (result.kind, result.overridden, result.because) == (Kind.VALUE, True, None)
    assert result.note == "sent the invoice"


def test_routine_tag_on_a_review() -> None:
    result = planned("acme #routine reviewed coverage")
    assert (result.kind, result.overridden, result.note) == (
        Kind.ROUTINE,
        True,
        "reviewed coverage",
    )


# Refusals


@pytest.mark.parametrize(
    "rest",
    [
        "acme",
        "Acme Insurance Group",
        '"north star"',
        "acme #value",
        "acme   #routine  ",
        "acme yesterday",
        "acme -",
    ],
)
def test_an_empty_note_is_refused(rest: str) -> None:
    result = plan(rest)
    assert isinstance(result, EmptyNote)
    assert result.client in CLIENTS


def test_an_empty_note_names_the_client() -> None:
    assert plan("aig") == EmptyNote(ACME_GROUP)


def test_a_day_after_the_name_that_is_in_the_future_is_refused() -> None:
    # The 23rd is already today in UTC, but tomorrow in Los Angeles.
    assert plan("acme 2026-11-23 called") == DayInFuture(D(2026, 11, 23))
    assert isinstance(plan("acme 2026-11-23 called", tz=LONDON), TouchPlan)


def test_a_future_day_from_the_command_is_refused() -> None:
    assert plan("acme called", D(2026, 11, 30)) == DayInFuture(D(2026, 11, 30))


def test_an_impossible_day_after_the_name_is_refused() -> None:
    assert plan("acme 2026-02-30 called") == BadDate("2026-02-30")


def test_a_note_of_max_length_is_fine_and_longer_is_refused() -> None:
    assert planned("acme " + "a" * MAX_NOTE).note == "a" * MAX_NOTE
    assert plan("acme " + "a" * (MAX_NOTE + 1)) == NoteTooLong(MAX_NOTE + 1)


def test_no_match_and_ambiguous_pass_through() -> None:
    assert plan("zzz corp called") == NoMatch("zzz", ())
    result = plan("north called")
    assert result == Ambiguous("north", (NORTHWIND, NORTH_STAR), "called")


# plan_note: after the rep picked a client from the buttons


def test_plan_note_keeps_the_day_the_rep_gave() -> None:
    result = plan_note(NORTHWIND, "called about the claim", D(2026, 11, 20), now=NOW, tz=LA)
    assert isinstance(result, TouchPlan)
    assert (result.client, result.day, result.kind) == (NORTHWIND, D(2026, 11, 20), Kind.VALUE)
    assert result.because == "help with a claim"


def test_plan_note_reads_a_leading_day() -> None:
    result = plan_note(NORTHWIND, "yesterday sent invoice", None, now=NOW, tz=LA)
    assert isinstance(result, TouchPlan)
    assert (result.day, result.note, result.kind) == (D(2026, 11, 21), "sent invoice", Kind.ROUTINE)


def test_plan_note_refuses_an_empty_note() -> None:
    assert plan_note(NORTHWIND, "", None, now=NOW, tz=LA) == EmptyNote(NORTHWIND)


def test_plan_note_drops_what_cant_be_stored_and_keeps_lines() -> None:
    result = plan_note(NORTHWIND, "sent\x00 invoice\r\nand\x1b a card", None, now=NOW, tz=LA)
    assert isinstance(result, TouchPlan)
    assert result.note == "sent invoice\nand a card"
    assert plan_note(NORTHWIND, "\x00\x07", None, now=NOW, tz=LA) == EmptyNote(NORTHWIND)


# to_new_touch


def test_to_new_touch() -> None:
    logged_at = NOW + dt.timedelta(seconds=2)
    result = planned("acme yesterday helped with their water damage claim, follow up friday")
    assert result.to_new_touch("T1", "U1", logged_at, Source.SLASH) == NewTouch(
        team_id="T1",
        client_id=ACME.id,
        rep_id="U1",
        occurred_at=dt.datetime(2026, 11, 21, 20, tzinfo=UTC),
        logged_at=logged_at,
        note="helped with their water damage claim, follow up friday",
        kind=Kind.VALUE,
        source=Source.SLASH,
        follow_up_on=D(2026, 11, 27),
        about_problem=True,
    )


def test_to_new_touch_without_a_problem() -> None:
    touch = planned("acme sent holiday card").to_new_touch("T1", "U1", NOW, Source.MODAL)
    assert (touch.kind, touch.about_problem, touch.follow_up_on) == (Kind.ROUTINE, False, None)
    assert touch.occurred_at == NOW


# Free phrasing: the day and the promise wherever they are written


def test_a_day_of_several_words_before_the_client() -> None:
    result = planned("last fri acme lunch with the cfo")
    assert (result.client, result.day, result.note) == (ACME, D(2026, 11, 20), "lunch with the cfo")


def test_a_day_further_on_stays_in_the_note() -> None:
    result = planned("called acme on friday about the fleet")
    assert (result.day, result.note) == (D(2026, 11, 20), "called acme on friday about the fleet")


def test_a_question_keeps_a_leading_day_for_the_pick() -> None:
    result = plan("last fri north called")
    assert isinstance(result, Ambiguous)
    assert result.note == "last fri called"


def test_numeric_dates_follow_the_workspace_order() -> None:
    mdy = plan_touch("acme 11/20 lunch", None, CLIENTS, now=NOW, tz=LA, date_order="MDY")
    dmy = plan_touch("acme 20/11 lunch", None, CLIENTS, now=NOW, tz=LA, date_order="DMY")
    assert isinstance(mdy, TouchPlan) and isinstance(dmy, TouchPlan)
    assert mdy.day == dmy.day == D(2026, 11, 20)


def test_a_day_inside_a_promise_is_not_the_touch_day() -> None:
    result = planned("acme called, f/u friday")
    assert (result.day, result.follow_up_on) == (TODAY, D(2026, 11, 27))
