"""The first day a rule could fire for a client, checked against the rules themselves.

The property: for random clients, histories, settings and zones, no rule fires on any local
date before `next_check_on` (a late day would be a missed nudge); and a later `now` never
gives an earlier day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.model import Client, ClientActivity, Kind, Status, Tier, WorkspaceSettings
from bot.core.next_check import Verdict, next_check_on, verdict
from bot.core.rules import evaluate

UTC = dt.UTC
SETTINGS = WorkspaceSettings(team_id="T1")
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
# The zones furthest west and east, and a few with daylight saving or odd offsets.
ZONES = [
    ZoneInfo(name)
    for name in (
        "Etc/GMT+12",
        "Pacific/Kiritimati",
        "America/Los_Angeles",
        "Europe/London",
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
    )
]


# A client since midsummer: its anniversaries fall far from the November to January days these
# tests look at, so each test sees the one rule it is about.
MIDSUMMER = dt.date(2024, 6, 21)


def client(
    *,
    tier: Tier | None = None,
    renewal_date: dt.date | None = None,
    status: Status = Status.ACTIVE,
    created_at: dt.datetime = dt.datetime(2025, 1, 6, 12, tzinfo=UTC),
    client_since: dt.date | None = MIDSUMMER,
) -> Client:
    return Client(
        1,
        "T1",
        "Acme",
        tier=tier,
        renewal_date=renewal_date,
        status=status,
        created_at=created_at,
        client_since=client_since,
    )


# Each rule's day


def test_a_quiet_client_is_looked_at_from_its_cadence_in_the_zone_furthest_west() -> None:
    # Touched at 08:00 UTC on 1 October: 20:00 on 30 September at UTC−12, so 30 days later is
    # 30 October there; tier A's cadence is 30 days.
    touched = dt.datetime(2026, 10, 1, 8, tzinfo=UTC)
    acme = ClientActivity(client(tier=Tier.A), last_touch_at=touched, last_value_at=touched)
    assert next_check_on(acme, SETTINGS, now=touched) == dt.date(2026, 10, 30)
    # Never touched: from when it was added.
    assert next_check_on(ClientActivity(client(tier=Tier.C)), SETTINGS, now=NOW) == (
        dt.date(2025, 4, 6)
    )


def test_a_promise_is_looked_at_on_its_day_until_a_touch_comes_after_it() -> None:
    made = dt.datetime(2026, 11, 2, 12, tzinfo=UTC)
    promise = ClientActivity(
        client(),
        last_touch_at=made,
        last_value_at=made,
        promise_due=dt.date(2026, 11, 9),
        promise_made_at=made,
        promise_by="U0SAM",
    )
    assert next_check_on(promise, SETTINGS, now=made) == dt.date(2026, 11, 9)
    later = dt.datetime(2026, 11, 5, 12, tzinfo=UTC)
    kept = ClientActivity(
        client(),
        last_touch_at=later,
        last_value_at=later,
        promise_due=dt.date(2026, 11, 9),
        promise_made_at=made,
    )
    assert next_check_on(kept, SETTINGS, now=later) == dt.date(2027, 1, 4)  # quiet, 60 days on


def test_a_problem_is_looked_at_a_week_on_and_forgotten_after_its_follow_days() -> None:
    problem = dt.datetime(2026, 11, 2, 12, tzinfo=UTC)
    claim = ClientActivity(client(), last_touch_at=problem, problem_at=problem)
    assert next_check_on(claim, SETTINGS, now=problem) == dt.date(2026, 11, 9)
    # Looked at again a long while later: the check-in is over, only quiet is left.
    assert next_check_on(claim, SETTINGS, now=dt.datetime(2026, 12, 31, tzinfo=UTC)) == (
        dt.date(2027, 1, 1)
    )


def test_a_renewal_is_looked_at_from_its_window_unless_value_came_since_the_last_one() -> None:
    renewal = dt.date(2025, 12, 20)
    touched = dt.datetime(2026, 11, 2, 12, tzinfo=UTC)
    routine = ClientActivity(
        client(renewal_date=renewal, tier=Tier.C),
        last_touch_at=touched,
        last_value_at=dt.datetime(2025, 12, 1, 12, tzinfo=UTC),
    )
    # The window of the renewal on 20 December 2026 opens 60 days before it.
    assert next_check_on(routine, SETTINGS, now=touched) == dt.date(2026, 10, 21)
    # A client since late October: its next anniversary (30 October 2027) comes after 2027's
    # renewal window opens, so the window decides.
    late_october = client(renewal_date=renewal, tier=Tier.C, client_since=dt.date(2025, 10, 30))
    valued = ClientActivity(late_october, last_touch_at=touched, last_value_at=touched)
    # Value since the last renewal: the next window is 2027's, and quiet comes first.
    assert next_check_on(valued, SETTINGS, now=touched) == dt.date(2027, 1, 31)
    quiet_for_long = WorkspaceSettings("T1", cadence_c=730)
    assert next_check_on(valued, quiet_for_long, now=touched) == dt.date(2027, 10, 21)


def test_before_the_first_renewal_a_value_touch_counts_for_a_year() -> None:
    first = dt.date(2027, 2, 1)
    valued = dt.datetime(2026, 1, 10, 12, tzinfo=UTC)
    touched = dt.datetime(2026, 11, 20, tzinfo=UTC)
    acme = ClientActivity(
        client(renewal_date=first, tier=Tier.C), last_touch_at=touched, last_value_at=valued
    )
    # The window opens on 3 December, but the value touch counts until 10 January.
    quiet_for_long = WorkspaceSettings("T1", cadence_c=730)
    assert next_check_on(acme, quiet_for_long, now=touched) == dt.date(2027, 1, 11)


def test_a_touch_dated_ahead_of_its_writing_keeps_the_client_looked_at() -> None:
    noon = dt.datetime(2026, 11, 23, 12, tzinfo=UTC)
    imported = ClientActivity(client(), last_touch_at=noon, last_value_at=noon)
    morning = noon - dt.timedelta(hours=3)
    assert next_check_on(imported, SETTINGS, now=morning) == dt.date(2026, 11, 22)
    assert next_check_on(imported, SETTINGS, now=noon) == dt.date(2027, 1, 22)


def test_an_archived_client_is_never_looked_at() -> None:
    archived = ClientActivity(client(status=Status.ARCHIVED))
    assert next_check_on(archived, SETTINGS, now=NOW) is None


def test_verdicts() -> None:
    fresh = ClientActivity(client(), last_touch_at=NOW)
    day = dt.date(2026, 12, 1)
    assert verdict((fresh, day), fresh, day) is Verdict.RIGHT
    assert verdict((fresh, day - dt.timedelta(days=1)), fresh, day) is Verdict.EARLY
    assert verdict((fresh, day), fresh, None) is Verdict.EARLY
    assert verdict((fresh, day + dt.timedelta(days=1)), fresh, day) is Verdict.LATE
    assert verdict((fresh, None), fresh, day) is Verdict.LATE
    assert verdict((ClientActivity(client()), day), fresh, day) is Verdict.WRONG
    assert verdict(None, fresh, day) is Verdict.MISSING
    assert [v for v in Verdict if v.drift] == [Verdict.MISSING, Verdict.WRONG, Verdict.LATE]


# The property


@dataclass(frozen=True)
class RandomTouch:
    at: dt.datetime
    kind: Kind = Kind.VALUE
    promise_in: int | None = None  # days after the touch's UTC date
    problem: bool = False


def activity_of(book_client: Client, touches: list[RandomTouch]) -> ClientActivity:
    """What the repository reads from these touches (the latest promise wins)."""
    promises = sorted((t for t in touches if t.promise_in is not None), key=lambda t: t.at)
    latest = promises[-1] if promises else None
    return ClientActivity(
        book_client,
        last_touch_at=max((t.at for t in touches), default=None),
        last_value_at=max((t.at for t in touches if t.kind is Kind.VALUE), default=None),
        promise_due=(
            None
            if latest is None or latest.promise_in is None
            else latest.at.date() + dt.timedelta(days=latest.promise_in)
        ),
        promise_made_at=None if latest is None else latest.at,
        promise_by=None if latest is None else "U0SAM",
        problem_at=max((t.at for t in touches if t.problem), default=None),
    )


moments = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2028, 12, 31)).map(
    lambda moment: moment.replace(tzinfo=UTC)
)


def days(*spans: tuple[int, int]) -> st.SearchStrategy[int]:
    """A number of days, from short spans as often as from long ones: the rules' edges are
    days apart, and a long span alone would seldom land near them."""
    return st.one_of(*(st.integers(low, high) for low, high in spans))


@dataclass(frozen=True)
class Situation:
    """A client, its touches and the workspace's settings, as written at `written`."""

    client: Client
    touches: list[RandomTouch]
    settings: WorkspaceSettings
    written: dt.datetime


@st.composite
def situations(draw: st.DrawFn) -> Situation:
    written = draw(moments)
    seconds = days((0, 40), (0, 400), (0, 900)).flatmap(
        lambda n: st.integers(0, 86400).map(lambda s: n * 86400 + s)
    )
    before = seconds.map(lambda s: written - dt.timedelta(seconds=s))
    # Now and then a touch dated ahead of its writing: today's, imported before noon.
    ahead = st.integers(0, 86400).map(lambda s: written + dt.timedelta(seconds=s))
    touches = draw(
        st.lists(
            st.builds(
                RandomTouch,
                at=st.one_of(before, before, before, ahead),
                kind=st.sampled_from(Kind),
                promise_in=st.none() | st.integers(1, 60),
                problem=st.booleans(),
            ),
            max_size=6,
        )
    )
    renewal = st.none() | days((-30, 120), (-800, 800)).map(
        lambda n: written.date() + dt.timedelta(days=n)
    )
    book_client = client(
        tier=draw(st.none() | st.sampled_from(Tier)),
        renewal_date=draw(renewal | st.just(dt.date(2024, 2, 29))),
        status=draw(st.sampled_from([Status.ACTIVE] * 9 + [Status.ARCHIVED])),
        created_at=draw(before),
    )
    workspace = WorkspaceSettings(
        "T1",
        cadence_a=draw(st.integers(1, 90)),
        cadence_b=draw(st.integers(1, 120)),
        cadence_c=draw(st.integers(1, 180)),
        cadence_untiered=draw(st.integers(1, 120)),
        renewal_window_days=draw(days((1, 90), (1, 365))),
        claim_check_days=draw(days((1, 10), (1, 90))),
    )
    return Situation(book_client, touches, workspace, written)


def assert_never_late(situation: Situation, zones: set[ZoneInfo]) -> None:
    """No rule fires before the next check, on any local date from the write on (for two years
    at most), in these zones: at any moment of the day, with the touches dated by then."""
    book_client, touches, workspace, written = (
        situation.client,
        situation.touches,
        situation.settings,
        situation.written,
    )
    day = next_check_on(activity_of(book_client, touches), workspace, now=written)
    first = written.astimezone(UTC).date() - dt.timedelta(days=1)
    last = first + dt.timedelta(days=800)
    if day is not None:
        last = min(day, last)
    for tz in zones:
        today = first
        while today < last:
            starts = dt.datetime.combine(today, dt.time(0), tzinfo=tz).astimezone(UTC)
            ends = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
            # What the rules see changes only when a touch's moment comes.
            moments = {max(starts, written)} | {t.at for t in touches if starts <= t.at}
            for now in sorted(m for m in moments if written <= m < ends):
                seen = [t for t in touches if t.at <= now]
                activity = activity_of(book_client, seen)
                fired = evaluate(activity, workspace, now=now, today=today, tz=tz)
                assert not fired, (today, tz, now, fired, day)
            today += dt.timedelta(days=1)


@settings(max_examples=300, deadline=None)
@given(situations(), st.sampled_from(ZONES), st.sampled_from(ZONES))
def test_no_rule_fires_before_the_next_check(
    situation: Situation, zone: ZoneInfo, other_zone: ZoneInfo
) -> None:
    assert_never_late(situation, {zone, other_zone})


# Edges the random situations seldom reach, each rule alone (the other rules a long way off).
QUIET_FOR_LONG = WorkspaceSettings("T1", cadence_untiered=730)
offsets = st.integers(0, 86400 * 10).map(lambda s: dt.timedelta(seconds=s))


@settings(max_examples=100, deadline=None)
@given(moments, st.integers(1, 90), offsets, st.sampled_from(ZONES))
def test_a_check_in_is_looked_at_until_its_last_day(
    problem: dt.datetime, check_days: int, late: dt.timedelta, zone: ZoneInfo
) -> None:
    workspace = dataclasses.replace(QUIET_FOR_LONG, claim_check_days=check_days)
    written = problem + dt.timedelta(days=check_days + 25) + late
    touches = [RandomTouch(problem, problem=True)]
    assert_never_late(Situation(client(created_at=problem), touches, workspace, written), {zone})


@settings(max_examples=100, deadline=None)
@given(
    moments, st.integers(0, 400), st.integers(300, 420), st.integers(1, 365), st.sampled_from(ZONES)
)
def test_before_the_first_renewal_value_is_looked_at_until_it_is_a_year_old(
    written: dt.datetime, ahead: int, value_age: int, window: int, zone: ZoneInfo
) -> None:
    renewal = written.date() + dt.timedelta(days=ahead)
    valued = written - dt.timedelta(days=value_age)
    touches = [RandomTouch(valued), RandomTouch(written, Kind.ROUTINE)]
    workspace = dataclasses.replace(QUIET_FOR_LONG, renewal_window_days=window)
    book_client = client(renewal_date=renewal, created_at=valued)
    assert_never_late(Situation(book_client, touches, workspace, written), {zone})


@settings(max_examples=300, deadline=None)
@given(situations(), st.integers(0, 800 * 86400))
def test_a_later_now_never_gives_an_earlier_day(situation: Situation, later: int) -> None:
    activity = activity_of(situation.client, situation.touches)
    sooner = next_check_on(activity, situation.settings, now=situation.written)
    then_ = situation.written + dt.timedelta(seconds=later)
    then = next_check_on(activity, situation.settings, now=then_)
    assert (sooner is None) == (then is None)
    if sooner is not None and then is not None:
        assert sooner <= then


def test_an_anniversary_is_looked_at_from_a_week_before_it() -> None:
    since = dt.date(2021, 12, 12)
    touched = dt.datetime(2026, 11, 20, 12, tzinfo=UTC)
    acme = ClientActivity(client(tier=Tier.C, client_since=since), last_touch_at=touched)
    assert next_check_on(acme, SETTINGS, now=touched) == dt.date(2026, 12, 5)
