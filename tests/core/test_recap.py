"""The weekly recap's core: the week and what it says, on plain values."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.core.model import (
    Client,
    ClientActivity,
    ClientWeek,
    RecapInput,
    RepTally,
    Status,
    Tier,
    WeekTouch,
    WorkspaceSettings,
)
from bot.core.recap import (
    NOTABLE_CANDIDATES,
    comebacks,
    pick_notable,
    plan_recap,
    quotable,
    recap_week,
)
from bot.ui import text

UTC = dt.UTC
NY = ZoneInfo("America/New_York")
SETTINGS = WorkspaceSettings(team_id="T1")
# Monday 23 November 2026, 09:00 in New York: the scheduled moment.
NOW = dt.datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
TODAY = dt.date(2026, 11, 23)
WEEK = recap_week(NOW, NY)
CREATED = dt.datetime(2025, 1, 6, 12, tzinfo=UTC)
DAYS = dt.timedelta(days=1)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def client(
    id: int,
    name: str,
    *,
    tier: Tier | None = None,
    renewal: dt.date | None = None,
    created_at: dt.datetime = CREATED,
) -> Client:
    return Client(
        id=id, team_id="T1", name=name, tier=tier, renewal_date=renewal, created_at=created_at
    )


def touch(
    note: str,
    *,
    client_id: int = 1,
    name: str = "Acme",
    rep: str = "U1",
    rep_name: str | None = "",
    private: bool = False,
) -> WeekTouch:
    return WeekTouch(
        client_id=client_id,
        client_name=name,
        rep_id=rep,
        rep_name=rep_name if rep_name != "" else f"Rep {rep}",
        occurred_at=at(dt.date(2026, 11, 18)),
        note=note,
        private=private,
    )


def book(*activities: ClientActivity) -> tuple[ClientWeek, ...]:
    """Clients not touched in the week."""
    return tuple(ClientWeek(a) for a in activities)


def came_back(c: Client, touched: dt.datetime, previous: dt.datetime | None) -> ClientWeek:
    """A client touched in the week, and its last touch before it."""
    return ClientWeek(ClientActivity(c, last_touch_at=touched), touched, previous)


# 142 touches, 97 value-adding; 31 of 40 clients touched in the week.
REPS = (RepTally("U1", "Sam Rivera", 80, 55), RepTally("U2", "Priya Shah", 62, 42))
MIDWEEK = at(dt.date(2026, 11, 18))
CLIENTS = tuple(
    ClientWeek(
        ClientActivity(client(i, f"Client {i:03}"), last_touch_at=MIDWEEK),
        first_in_week=MIDWEEK if i < 31 else None,
    )
    for i in range(40)
)


def data(**changes: Any) -> RecapInput:
    base = RecapInput(week=WEEK, settings=SETTINGS, reps=REPS, touches=(), clients=CLIENTS)
    return dataclasses.replace(base, **changes)


# The week


def test_the_week_is_the_last_complete_monday_to_sunday_in_the_workspace_zone() -> None:
    assert WEEK.period == dt.date(2026, 11, 23)
    assert (WEEK.first_day, WEEK.last_day) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    # Midnight in New York (EST, UTC-5) as UTC instants, the end excluded.
    assert WEEK.starts_at == dt.datetime(2026, 11, 16, 5, tzinfo=UTC)
    assert WEEK.ends_at == dt.datetime(2026, 11, 23, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "now",
    [
        dt.datetime(2026, 11, 23, 5, 0, tzinfo=UTC),  # Monday 00:00 in New York
        dt.datetime(2026, 11, 25, 18, 0, tzinfo=UTC),  # Wednesday
        dt.datetime(2026, 11, 30, 4, 59, tzinfo=UTC),  # Sunday 23:59 in New York
    ],
)
def test_any_day_of_the_week_reports_the_same_week_under_the_same_period(now: dt.datetime) -> None:
    assert recap_week(now, NY) == WEEK


def test_monday_morning_in_utc_can_still_be_sunday_in_the_workspace_zone() -> None:
    sunday_evening_in_ny = dt.datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    week = recap_week(sunday_evening_in_ny, NY)
    assert week.period == dt.date(2026, 11, 16)
    assert recap_week(sunday_evening_in_ny, UTC).period == dt.date(2026, 11, 23)


def test_a_week_across_the_clock_change_is_seven_local_days() -> None:
    # US daylight saving ends on Sunday 1 November 2026.
    week = recap_week(dt.datetime(2026, 11, 2, 14, tzinfo=UTC), NY)
    assert (week.first_day, week.last_day) == (dt.date(2026, 10, 26), dt.date(2026, 11, 1))
    assert week.starts_at == dt.datetime(2026, 10, 26, 4, tzinfo=UTC)  # EDT
    assert week.ends_at == dt.datetime(2026, 11, 2, 5, tzinfo=UTC)  # EST
    assert week.ends_at - week.starts_at == dt.timedelta(days=7, hours=1)


# Figures


@pytest.mark.parametrize(
    ("part", "whole", "share"), [(1, 3, 33), (2, 3, 67), (1, 8, 13), (0, 5, 0), (5, 5, 100)]
)
def test_the_share_is_a_whole_percentage_with_halves_rounded_up(
    part: int, whole: int, share: int
) -> None:
    assert text.percent(part, whole) == share


# The celebration


# Notable touches and note trimming


def test_a_short_note_is_quoted_on_one_line() -> None:
    assert quotable("Reviewed their   flood cover") == "Reviewed their flood cover"
    assert quotable("  reviewed cover #value ") == "reviewed cover"


def test_a_note_of_several_lines_is_trimmed_to_its_first() -> None:
    assert quotable("Reviewed their cover\nThey mentioned a family matter") == (
        "Reviewed their cover…"
    )
    assert quotable("\n\nVisited the site\n") == "Visited the site"


def test_a_long_note_or_one_with_slack_markup_is_not_quoted() -> None:
    assert quotable("Reviewed " + "the whole fleet policy in detail " * 5) is None
    assert quotable("lunch with <@U0PRIYA> and the owner") is None
    assert quotable("sent <https://example.com|the guide>") is None
    assert quotable("#value") is None


def test_notable_touches_are_reviews_visits_and_claims_with_variety() -> None:
    touches = [
        touch("reviewed their cover", client_id=1, name="Acme", rep="U1"),
        touch("reviewed the fleet policy", client_id=2, name="Brightside", rep="U2"),
        touch("called to say hello", client_id=3, name="Corner Cafe", rep="U3"),
        touch("lunch with the owner #value", client_id=4, name="Delta Dental", rep="U4"),
        touch("helped with their water damage claim", client_id=5, name="Evergreen", rep="U5"),
        touch("site visit", client_id=6, name="Fjord", rep="U6"),
    ]
    notable = pick_notable(touches, quotes=True)
    assert [(n.what, n.client_name) for n in notable] == [
        ("a review", "Acme"),
        ("a visit", "Delta Dental"),
        ("help with a claim", "Evergreen"),
    ]
    assert [n.quote for n in notable] == ["reviewed their cover", "lunch with the owner", None]


def test_no_note_is_quoted_unless_the_workspace_turns_quotes_on() -> None:
    touches = [touch("reviewed their cover"), touch("site visit", client_id=2, rep="U2")]
    assert [n.quote for n in pick_notable(touches)] == [None, None]
    assert [n.quote for n in pick_notable(touches, quotes=True)] == [
        "reviewed their cover",
        "site visit",
    ]


@pytest.mark.parametrize(
    "note",
    [
        "helped with their water damage claim",
        "reviewed their cover after the complaint",
        "site visit: the roof problem is back",
    ],
)
def test_a_touch_about_a_claim_or_a_problem_is_never_quoted(note: str) -> None:
    [notable] = pick_notable([touch(note)], quotes=True)
    assert notable.quote is None


def test_a_private_touch_is_never_worth_a_public_mention() -> None:
    touches = [
        touch("reviewed their cover, their daughter is ill", private=True),
        touch("site visit", client_id=2, name="Brightside", rep="U2"),
    ]
    assert [n.client_name for n in pick_notable(touches, quotes=True)] == ["Brightside"]


def test_the_candidate_cap_is_generous() -> None:
    assert NOTABLE_CANDIDATES >= 100


# Clients brought back


def test_a_client_touched_after_its_cadence_of_silence_was_brought_back() -> None:
    touched = at(dt.date(2026, 11, 18))
    days = dt.timedelta(days=1)
    returns = [
        # Tier A: 30 days. 31 days quiet: back.
        came_back(client(1, "Acme", tier=Tier.A), touched, touched - 31 * days),
        # Tier C: 90 days. 60 days quiet: just a normal touch.
        came_back(client(2, "Brightside", tier=Tier.C), touched, touched - 60 * days),
        # Tier A, 29 days: not yet quiet.
        came_back(client(3, "Corner Cafe", tier=Tier.A), touched, touched - 29 * days),
        # Never touched before, added long ago: a first touch, not a comeback.
        came_back(client(4, "Delta"), touched, None),
        # Untiered: 60 days; 200 days quiet.
        came_back(client(5, "Evergreen"), touched, touched - 200 * days),
        # Not touched this week at all.
        ClientWeek(ClientActivity(client(6, "Fjord")), None, touched - 200 * days),
    ]
    back = comebacks(returns, SETTINGS, tz=NY)
    assert [(c.client_name, c.days_quiet) for c in back] == [("Evergreen", 200), ("Acme", 31)]


def test_the_cadence_is_the_workspaces() -> None:
    touched = at(dt.date(2026, 11, 18))
    ret = came_back(client(1, "Acme"), touched, touched - 45 * DAYS)
    assert comebacks([ret], SETTINGS, tz=NY) == []  # untiered: 60 days
    assert comebacks([ret], dataclasses.replace(SETTINGS, cadence_untiered=45), tz=NY) != []


# The look ahead


def test_renewals_are_marked_as_the_nudge_rule_would() -> None:
    # A workspace whose renewal nudges start 10 days out still sees 30 days of renewals, with
    # the rule's own verdict.
    short = dataclasses.replace(SETTINGS, renewal_window_days=10)
    activities = (ClientActivity(client(1, "Acme", renewal=dt.date(2026, 12, 20))),)
    recap = plan_recap(data(clients=book(*activities), settings=short), now=NOW, tz=NY)
    assert [(r.client_name, r.value_since) for r in recap.renewals] == [("Acme", False)]


def test_archived_clients_are_not_in_the_book() -> None:
    archived = dataclasses.replace(client(1, "Gone", renewal=TODAY), status=Status.ARCHIVED)
    recap = plan_recap(data(clients=book(ClientActivity(archived))), now=NOW, tz=NY)
    assert recap.renewals == () and recap.quiet == 0 and recap.active_clients == 0


# Block Kit limits


# An empty week
