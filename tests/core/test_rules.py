"""The nudge engine: rules, ordering, digest choice and delivery timing, on plain values."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from bot.core.model import Client, ClientActivity, Status, Tier, WorkspaceSettings
from bot.core.rules import (
    Digest,
    Item,
    Level,
    Rule,
    choose_for_digest,
    digest_due,
    due_items,
    evaluate,
    is_working_day,
    items_for_rep,
    may_nudge,
    nudge_lookback_days,
    suggestion_index,
    valid_country,
)

UTC = dt.UTC
NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")

TODAY = dt.date(2026, 6, 15)  # a Monday
NOW = dt.datetime(2026, 6, 15, 13, 0, tzinfo=UTC)
SETTINGS = WorkspaceSettings(team_id="T1")


def client(
    id: int = 1,
    name: str = "Acme",
    *,
    tier: Tier | None = None,
    renewal_date: dt.date | None = None,
    status: Status = Status.ACTIVE,
    created_at: dt.datetime = dt.datetime(2020, 1, 1, tzinfo=UTC),
) -> Client:
    return Client(
        id=id,
        team_id="T1",
        name=name,
        tier=tier,
        renewal_date=renewal_date,
        status=status,
        created_at=created_at,
    )


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)


def ago(days: int) -> dt.datetime:
    """Noon UTC, `days` before TODAY."""
    return noon(TODAY - dt.timedelta(days=days))


def run(
    activity: ClientActivity,
    settings: WorkspaceSettings = SETTINGS,
    *,
    today: dt.date = TODAY,
    now: dt.datetime | None = None,
    tz: dt.tzinfo = UTC,
) -> dict[Rule, Item]:
    items = evaluate(activity, settings, now=now or noon(today), today=today, tz=tz)
    by_rule = {item.rule: item for item in items}
    assert len(by_rule) == len(items), "one item per rule"
    return by_rule


# Gone quiet


@pytest.mark.parametrize(
    ("tier", "settings", "days", "level"),
    [
        (None, SETTINGS, 59, None),
        (None, SETTINGS, 60, Level.DUE),
        (None, SETTINGS, 89, Level.DUE),
        (None, SETTINGS, 90, Level.OVERDUE),
        (Tier.A, SETTINGS, 29, None),
        (Tier.A, SETTINGS, 30, Level.DUE),
        (Tier.A, SETTINGS, 44, Level.DUE),
        (Tier.A, SETTINGS, 45, Level.OVERDUE),
        (Tier.B, SETTINGS, 59, None),
        (Tier.B, SETTINGS, 60, Level.DUE),
        (Tier.B, SETTINGS, 90, Level.OVERDUE),
        (Tier.C, SETTINGS, 89, None),
        (Tier.C, SETTINGS, 90, Level.DUE),
        (Tier.C, SETTINGS, 134, Level.DUE),
        (Tier.C, SETTINGS, 135, Level.OVERDUE),
        (Tier.C, SETTINGS, 400, Level.OVERDUE),
        # Custom cadences; 1.5 × 45 = 67.5, so OVERDUE from day 68.
        (Tier.A, WorkspaceSettings(team_id="T1", cadence_a=45), 44, None),
        (Tier.A, WorkspaceSettings(team_id="T1", cadence_a=45), 45, Level.DUE),
        (Tier.A, WorkspaceSettings(team_id="T1", cadence_a=45), 67, Level.DUE),
        (Tier.A, WorkspaceSettings(team_id="T1", cadence_a=45), 68, Level.OVERDUE),
        (Tier.B, WorkspaceSettings(team_id="T1", cadence_b=14), 14, Level.DUE),
        (Tier.B, WorkspaceSettings(team_id="T1", cadence_b=14), 21, Level.OVERDUE),
        (Tier.C, WorkspaceSettings(team_id="T1", cadence_c=120), 90, None),
        (None, WorkspaceSettings(team_id="T1", cadence_untiered=10), 9, None),
        (None, WorkspaceSettings(team_id="T1", cadence_untiered=10), 10, Level.DUE),
        (None, WorkspaceSettings(team_id="T1", cadence_untiered=10), 15, Level.OVERDUE),
    ],
)
def test_quiet_levels_by_cadence(
    tier: Tier | None, settings: WorkspaceSettings, days: int, level: Level | None
) -> None:
    last = ago(days)
    found = run(ClientActivity(client(tier=tier), last_touch_at=last), settings)
    if level is None:
        assert Rule.QUIET not in found
        return
    item = found[Rule.QUIET]
    assert item.level is level
    assert item.days_quiet == days
    assert item.window == f"{last.date().isoformat()}:{level.value}"


@pytest.mark.parametrize(
    ("created_days_ago", "level"),
    [(10, None), (59, None), (60, Level.DUE), (95, Level.OVERDUE)],
)
def test_quiet_without_touches_counts_from_created_at(
    created_days_ago: int, level: Level | None
) -> None:
    activity = ClientActivity(client(created_at=ago(created_days_ago)))
    found = run(activity)
    if level is None:
        assert found == {}
    else:
        assert found[Rule.QUIET].level is level
        assert found[Rule.QUIET].days_quiet == created_days_ago


def test_a_new_touch_starts_a_new_quiet_window() -> None:
    before = run(ClientActivity(client(), last_touch_at=ago(70)))[Rule.QUIET]
    after_touch = run(ClientActivity(client(), last_touch_at=ago(60)))[Rule.QUIET]
    assert before.window != after_touch.window


def test_quiet_counts_whole_local_days_not_24_hour_periods() -> None:
    # 23:30 on Sunday in New York is already Monday in UTC.
    last = dt.datetime(2026, 6, 14, 23, 30, tzinfo=NY)
    now = dt.datetime(2026, 6, 16, 13, 0, tzinfo=UTC)  # Tuesday 09:00 in New York
    settings = WorkspaceSettings(team_id="T1", cadence_untiered=1)
    activity = ClientActivity(client(), last_touch_at=last)
    in_ny = run(activity, settings, today=dt.date(2026, 6, 16), now=now, tz=NY)
    in_utc = run(activity, settings, today=dt.date(2026, 6, 16), now=now, tz=UTC)
    assert in_ny[Rule.QUIET].days_quiet == 2
    assert in_utc[Rule.QUIET].days_quiet == 1


@pytest.mark.parametrize(
    ("last", "now", "today", "days"),
    [
        # Clocks go forward on Sunday 8 March 2026: 47 hours, but two local days.
        (
            dt.datetime(2026, 3, 7, 10, 0, tzinfo=NY),
            dt.datetime(2026, 3, 9, 9, 0, tzinfo=NY),
            dt.date(2026, 3, 9),
            2,
        ),
        # Late on Saturday before the change is still Saturday locally.
        (
            dt.datetime(2026, 3, 7, 23, 30, tzinfo=NY),
            dt.datetime(2026, 3, 9, 9, 0, tzinfo=NY),
            dt.date(2026, 3, 9),
            2,
        ),
        # Clocks go back on Sunday 1 November 2026: 49 hours, two local days.
        (
            dt.datetime(2026, 10, 31, 9, 0, tzinfo=NY),
            dt.datetime(2026, 11, 2, 9, 0, tzinfo=NY),
            dt.date(2026, 11, 2),
            2,
        ),
        (
            dt.datetime(2026, 10, 31, 23, 30, tzinfo=NY),
            dt.datetime(2026, 11, 2, 9, 0, tzinfo=NY),
            dt.date(2026, 11, 2),
            2,
        ),
        # Across the change, 30 local days apart.
        (
            dt.datetime(2026, 2, 20, 8, 0, tzinfo=NY),
            dt.datetime(2026, 3, 22, 9, 0, tzinfo=NY),
            dt.date(2026, 3, 22),
            30,
        ),
    ],
)
def test_quiet_days_across_daylight_saving_changes(
    last: dt.datetime, now: dt.datetime, today: dt.date, days: int
) -> None:
    settings = WorkspaceSettings(team_id="T1", cadence_untiered=1)
    activity = ClientActivity(client(), last_touch_at=last.astimezone(UTC))
    found = run(activity, settings, today=today, now=now.astimezone(UTC), tz=NY)
    assert found[Rule.QUIET].days_quiet == days


# Renewal without value

RENEWS = dt.date(2025, 8, 1)  # next 2026-08-01 (47 days after TODAY), previous 2025-08-01


@pytest.mark.parametrize(
    ("renewal_date", "today", "last_value", "last_touch", "level", "routine_only"),
    [
        # No touches at all since the previous renewal.
        (RENEWS, TODAY, None, None, Level.DUE, False),
        # Routine touches don't count; the text can say "only paperwork".
        (RENEWS, TODAY, None, dt.date(2026, 1, 10), Level.DUE, True),
        # A value touch since the previous renewal silences it.
        (RENEWS, TODAY, dt.date(2026, 1, 10), dt.date(2026, 1, 10), None, False),
        (RENEWS, TODAY, dt.date(2026, 1, 10), dt.date(2026, 5, 1), None, False),
        # ... on the renewal day itself too.
        (RENEWS, TODAY, dt.date(2025, 8, 1), dt.date(2025, 8, 1), None, False),
        # A value touch before the previous renewal doesn't count.
        (RENEWS, TODAY, dt.date(2025, 7, 31), dt.date(2026, 2, 1), Level.DUE, True),
        (RENEWS, TODAY, dt.date(2025, 7, 31), dt.date(2025, 7, 31), Level.DUE, False),
        # The window: 60 days by default.
        (RENEWS, dt.date(2026, 6, 1), None, None, None, False),  # 61 days away
        (RENEWS, dt.date(2026, 6, 2), None, None, Level.DUE, False),  # 60 days away
        # The last 14 days are URGENT, renewal day included.
        (RENEWS, dt.date(2026, 7, 17), None, None, Level.DUE, False),  # 15 days away
        (RENEWS, dt.date(2026, 7, 18), None, None, Level.URGENT, False),  # 14 days away
        (RENEWS, dt.date(2026, 8, 1), None, None, Level.URGENT, False),  # renewal day
        # The day after, the next renewal is a year away.
        (RENEWS, dt.date(2026, 8, 2), None, None, None, False),
        # No previous renewal (the stored date is the first one): the last 12 months count.
        (dt.date(2026, 7, 1), TODAY, None, None, Level.DUE, False),
        (dt.date(2026, 8, 1), TODAY, dt.date(2025, 7, 1), dt.date(2025, 7, 1), None, False),
        (dt.date(2026, 8, 1), TODAY, dt.date(2025, 6, 15), dt.date(2025, 6, 15), None, False),
        (dt.date(2026, 8, 1), TODAY, dt.date(2025, 6, 14), dt.date(2025, 6, 14), Level.DUE, False),
        (dt.date(2026, 8, 1), TODAY, dt.date(2025, 6, 14), dt.date(2026, 3, 1), Level.DUE, True),
        # 29 February: next 2027-02-28, previous 2026-02-28.
        (dt.date(2024, 2, 29), dt.date(2027, 1, 15), None, None, Level.DUE, False),
        (
            dt.date(2024, 2, 29),
            dt.date(2027, 1, 15),
            dt.date(2026, 3, 1),
            dt.date(2026, 3, 1),
            None,
            False,
        ),
        (
            dt.date(2024, 2, 29),
            dt.date(2027, 1, 15),
            dt.date(2026, 2, 27),
            dt.date(2026, 2, 27),
            Level.DUE,
            False,
        ),
        (
            dt.date(2024, 2, 29),
            dt.date(2027, 1, 15),
            dt.date(2026, 2, 28),
            dt.date(2026, 2, 28),
            None,
            False,
        ),
    ],
)
def test_renewal_without_value(
    renewal_date: dt.date,
    today: dt.date,
    last_value: dt.date | None,
    last_touch: dt.date | None,
    level: Level | None,
    routine_only: bool,
) -> None:
    activity = ClientActivity(
        client(renewal_date=renewal_date, created_at=noon(today - dt.timedelta(days=1))),
        last_touch_at=noon(last_touch) if last_touch else None,
        last_value_at=noon(last_value) if last_value else None,
    )
    found = run(activity, today=today)
    if level is None:
        assert Rule.RENEWAL not in found
        return
    item = found[Rule.RENEWAL]
    assert item.level is level
    assert item.only_routine_since is routine_only
    assert item.renewal_on is not None
    assert item.window == f"{item.renewal_on.isoformat()}:{level.value}"


def test_renewal_on_29_february_falls_on_28_february() -> None:
    activity = ClientActivity(client(renewal_date=dt.date(2024, 2, 29)))
    item = run(activity, today=dt.date(2027, 1, 15))[Rule.RENEWAL]
    assert item.renewal_on == dt.date(2027, 2, 28)


def test_no_renewal_date_never_fires_the_renewal_rule() -> None:
    activity = ClientActivity(client(renewal_date=None), last_touch_at=ago(400))
    assert Rule.RENEWAL not in run(activity)


def test_custom_renewal_window() -> None:
    activity = ClientActivity(client(renewal_date=dt.date(2026, 8, 24)), last_touch_at=ago(1))
    assert Rule.RENEWAL not in run(activity)  # 70 days away
    wide = WorkspaceSettings(team_id="T1", renewal_window_days=90)
    assert run(activity, wide)[Rule.RENEWAL].level is Level.DUE


def test_renewal_escalates_to_a_new_window_in_its_last_14_days() -> None:
    activity = ClientActivity(client(renewal_date=RENEWS), last_touch_at=ago(1))
    due = run(activity, today=dt.date(2026, 7, 16))[Rule.RENEWAL]
    urgent = run(activity, today=dt.date(2026, 7, 18))[Rule.RENEWAL]
    assert (due.level, urgent.level) == (Level.DUE, Level.URGENT)
    assert due.window == "2026-08-01:due"
    assert urgent.window == "2026-08-01:urgent"


# Promise due


@pytest.mark.parametrize(
    ("due", "made", "last_touch", "fires"),
    [
        (TODAY - dt.timedelta(days=1), ago(8), ago(8), True),
        (TODAY, ago(8), ago(8), True),
        (TODAY - dt.timedelta(days=20), ago(30), ago(30), True),
        (TODAY + dt.timedelta(days=1), ago(8), ago(8), False),
        # Anything logged since the promise settles it, value or routine.
        (TODAY - dt.timedelta(days=1), ago(8), ago(3), False),
        (TODAY - dt.timedelta(days=1), ago(8), NOW + dt.timedelta(days=2), False),
        (None, None, ago(3), False),
    ],
)
def test_promise_due(
    due: dt.date | None, made: dt.datetime | None, last_touch: dt.datetime, fires: bool
) -> None:
    activity = ClientActivity(
        client(), last_touch_at=last_touch, promise_due=due, promise_made_at=made
    )
    found = run(activity, now=NOW)
    assert (Rule.PROMISE in found) is fires
    if fires:
        assert due is not None
        item = found[Rule.PROMISE]
        assert item.promise_due == due
        assert item.level is Level.DUE
        assert item.window == f"{due.isoformat()}:due"


# Check in after a claim or problem


@pytest.mark.parametrize(
    ("settings", "days_ago", "touched_since", "fires"),
    [
        (SETTINGS, 6, False, False),
        (SETTINGS, 7, False, True),
        (SETTINGS, 20, False, True),
        (SETTINGS, 37, False, True),  # 30 days after the check became due: the last day
        (SETTINGS, 38, False, False),  # an old claim doesn't nag forever
        (SETTINGS, 400, False, False),
        (SETTINGS, 10, True, False),
        (WorkspaceSettings(team_id="T1", claim_check_days=3), 2, False, False),
        (WorkspaceSettings(team_id="T1", claim_check_days=3), 3, False, True),
        (WorkspaceSettings(team_id="T1", claim_check_days=3), 33, False, True),
        (WorkspaceSettings(team_id="T1", claim_check_days=3), 34, False, False),
    ],
)
def test_check_in_after_a_problem(
    settings: WorkspaceSettings, days_ago: int, touched_since: bool, fires: bool
) -> None:
    problem = ago(days_ago)
    last = problem + dt.timedelta(days=2) if touched_since else problem
    activity = ClientActivity(client(), last_touch_at=last, problem_at=problem)
    found = run(activity, settings)
    assert (Rule.CHECK_IN in found) is fires
    if fires:
        item = found[Rule.CHECK_IN]
        assert item.problem_at == problem
        assert item.window == f"{problem.date().isoformat()}:due"


# Archived, several rules, touches in the future


def test_archived_clients_are_never_nudged() -> None:
    activity = ClientActivity(
        client(status=Status.ARCHIVED, renewal_date=dt.date(2026, 6, 20)),
        last_touch_at=ago(500),
        promise_due=TODAY - dt.timedelta(days=3),
        promise_made_at=ago(500),
        problem_at=ago(10),
    )
    assert evaluate(activity, SETTINGS, now=NOW, today=TODAY) == []
    assert due_items([activity], SETTINGS, now=NOW, today=TODAY) == []


def test_one_client_can_be_due_for_several_rules() -> None:
    activity = ClientActivity(
        client(renewal_date=dt.date(2026, 6, 20)),
        last_touch_at=ago(100),
        promise_due=TODAY - dt.timedelta(days=3),
        promise_made_at=ago(100),
    )
    assert set(run(activity)) == {Rule.RENEWAL, Rule.PROMISE, Rule.QUIET}


def test_touches_dated_in_the_future_count_as_today() -> None:
    future = NOW + dt.timedelta(days=5)
    activity = ClientActivity(
        client(renewal_date=dt.date(2026, 7, 1), created_at=future),
        last_touch_at=future,
        last_value_at=future,
        promise_due=TODAY,
        promise_made_at=ago(10),
        problem_at=future,
    )
    assert run(activity, now=NOW) == {}


def test_only_future_creation_and_no_touches_does_not_break() -> None:
    activity = ClientActivity(client(created_at=NOW + dt.timedelta(days=400)))
    assert run(activity, now=NOW) == {}


def test_future_problem_and_promise_times_do_not_break() -> None:
    future = NOW + dt.timedelta(hours=3)
    activity = ClientActivity(
        client(),
        last_touch_at=future,
        promise_due=TODAY,
        promise_made_at=future,
        problem_at=future,
    )
    found = run(activity, now=NOW)
    assert Rule.CHECK_IN not in found
    assert Rule.QUIET not in found
    # The promise touch is the last touch, so the promise (due today) is still open.
    assert found[Rule.PROMISE].promise_due == TODAY


# Urgency order


def test_due_items_are_ordered_by_urgency() -> None:
    recent = ago(2)

    def renewing(id: int, name: str, days: int) -> ClientActivity:
        when = TODAY + dt.timedelta(days=days)
        return ClientActivity(client(id, name, renewal_date=when), last_touch_at=recent)

    def promised(id: int, name: str, due_days_ago: int) -> ClientActivity:
        made = ago(due_days_ago + 7)
        due = TODAY - dt.timedelta(days=due_days_ago)
        return ClientActivity(
            client(id, name), last_touch_at=made, promise_due=due, promise_made_at=made
        )

    def quiet(id: int, name: str, days: int) -> ClientActivity:
        return ClientActivity(client(id, name), last_touch_at=ago(days))

    activities = [
        renewing(1, "Zed", 10),
        renewing(2, "Bravo", 5),
        renewing(3, "Alpha", 40),
        renewing(4, "Delta", 20),
        promised(5, "Echo", 5),  # due 10 June
        quiet(6, "Foxtrot", 100),  # quiet since 7 March: due since 6 May, now OVERDUE
        promised(7, "Golf", 3),  # due 12 June
        ClientActivity(client(8, "Hotel"), last_touch_at=ago(10), problem_at=ago(10)),
        ClientActivity(client(9, "Kilo"), last_touch_at=ago(20), problem_at=ago(20)),
        quiet(10, "India", 70),
        quiet(11, "Juliet", 80),
        quiet(12, "banana", 65),
        quiet(13, "Apple", 65),
    ]
    expected = [
        ("Bravo", Rule.RENEWAL, Level.URGENT),
        ("Zed", Rule.RENEWAL, Level.URGENT),
        ("Delta", Rule.RENEWAL, Level.DUE),
        ("Alpha", Rule.RENEWAL, Level.DUE),
        ("Foxtrot", Rule.QUIET, Level.OVERDUE),
        ("Echo", Rule.PROMISE, Level.DUE),
        ("Golf", Rule.PROMISE, Level.DUE),
        ("Kilo", Rule.CHECK_IN, Level.DUE),
        ("Hotel", Rule.CHECK_IN, Level.DUE),
        ("Juliet", Rule.QUIET, Level.DUE),
        ("India", Rule.QUIET, Level.DUE),
        ("Apple", Rule.QUIET, Level.DUE),
        ("banana", Rule.QUIET, Level.DUE),
    ]
    for order in (activities, activities[::-1]):
        items = due_items(order, SETTINGS, now=NOW, today=TODAY)
        assert [(i.client.name, i.rule, i.level) for i in items] == expected


def test_overdue_quiet_and_promise_share_a_rank_oldest_due_first() -> None:
    # Quiet 95 days on a 60-day cadence: due since 35 days ago, before a promise due 5 days ago.
    quiet = ClientActivity(client(1, "Zulu"), last_touch_at=ago(95))
    made = ago(10)
    promise = ClientActivity(
        client(2, "Alpha"),
        last_touch_at=made,
        promise_due=TODAY - dt.timedelta(days=40),
        promise_made_at=made,
    )
    items = due_items([quiet, promise], SETTINGS, now=NOW, today=TODAY)
    assert [i.client.name for i in items] == ["Alpha", "Zulu"]
    later = ClientActivity(
        client(2, "Alpha"),
        last_touch_at=made,
        promise_due=TODAY - dt.timedelta(days=5),
        promise_made_at=made,
    )
    items = due_items([quiet, later], SETTINGS, now=NOW, today=TODAY)
    assert [i.client.name for i in items] == ["Zulu", "Alpha"]


# Choosing what goes in the digest


def item(
    id: int,
    rule: Rule = Rule.QUIET,
    level: Level = Level.DUE,
    window: str = "2026-04-01:due",
    rank: int | None = None,
) -> Item:
    """A hand-made item; `rank` orders it (defaults to the client id)."""
    return Item(
        client=client(id, f"Client {id}"),
        rule=rule,
        level=level,
        window=window,
        urgency=(0, rank if rank is not None else id, f"client {id}", id, 0),
    )


def ids(digest: Digest) -> list[int]:
    return [i.client.id for i in digest.items]


def choose(
    items: list[Item],
    nudged: dict[tuple[int, Rule], tuple[str, dt.date]] | None = None,
    snoozed: dict[int, dt.date] | None = None,
    *,
    renudge_days: int = 7,
    limit: int = 3,
) -> Digest:
    return choose_for_digest(
        items, nudged or {}, snoozed or {}, today=TODAY, renudge_days=renudge_days, limit=limit
    )


@pytest.mark.parametrize(
    ("count", "limit", "shown", "more"),
    [(0, 3, 0, 0), (2, 3, 2, 0), (3, 3, 3, 0), (4, 3, 3, 1), (10, 3, 3, 7), (10, 5, 5, 5)],
)
def test_digest_limit_and_more(count: int, limit: int, shown: int, more: int) -> None:
    digest = choose([item(i) for i in range(count, 0, -1)], limit=limit)
    assert ids(digest) == list(range(1, shown + 1))  # most urgent first
    assert digest.more == more


def test_digest_has_one_line_per_client_its_most_urgent_reason() -> None:
    items = [
        item(1, Rule.QUIET, rank=5),
        item(2, Rule.QUIET, rank=2),
        item(1, Rule.RENEWAL, rank=1),
        item(3, Rule.PROMISE, rank=3),
        item(2, Rule.CHECK_IN, rank=4),
    ]
    digest = choose(items, limit=2)
    assert [(i.client.id, i.rule) for i in digest.items] == [(1, Rule.RENEWAL), (2, Rule.QUIET)]
    assert digest.more == 1  # client 3; clients 1 and 2's other reasons are not counted


def yesterday_by(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.mark.parametrize(
    ("recorded", "new", "renudge_days", "allowed"),
    [
        # Never nudged.
        (None, ("2026-04-01:due", Level.DUE), 7, True),
        # The same window within 7 days: no nagging.
        (("2026-04-01:due", 0), ("2026-04-01:due", Level.DUE), 7, False),
        (("2026-04-01:due", 3), ("2026-04-01:due", Level.DUE), 7, False),
        (("2026-04-01:due", 6), ("2026-04-01:due", Level.DUE), 7, False),
        # ... and again once 7 days have passed.
        (("2026-04-01:due", 7), ("2026-04-01:due", Level.DUE), 7, True),
        (("2026-04-01:due", 3), ("2026-04-01:due", Level.DUE), 3, True),
        # Escalation breaks through: quiet DUE -> OVERDUE, renewal DUE -> URGENT.
        (("2026-04-01:due", 1), ("2026-04-01:overdue", Level.OVERDUE), 7, True),
        (("2026-08-01:due", 1), ("2026-08-01:urgent", Level.URGENT), 7, True),
        # The same silence at a lower level (a cadence made longer) is not an escalation.
        (("2026-04-01:overdue", 1), ("2026-04-01:due", Level.DUE), 7, False),
        (("2026-08-01:urgent", 1), ("2026-08-01:urgent", Level.URGENT), 7, False),
        # A genuinely new window: a new promise date, a new silence after a touch.
        (("2026-06-10:due", 2), ("2026-06-14:due", Level.DUE), 7, True),
        (("2026-04-01:overdue", 2), ("2026-04-20:due", Level.DUE), 7, True),
        # A window recorded in some other shape counts as a different one.
        (("legacy", 2), ("2026-04-01:due", Level.DUE), 7, True),
    ],
)
def test_no_nagging(
    recorded: tuple[str, int] | None,
    new: tuple[str, Level],
    renudge_days: int,
    allowed: bool,
) -> None:
    window, level = new
    candidate = item(1, level=level, window=window)
    last = (recorded[0], yesterday_by(recorded[1])) if recorded else None
    assert may_nudge(candidate, last, today=TODAY, renudge_days=renudge_days) is allowed
    nudged = {(1, Rule.QUIET): last} if last else {}
    digest = choose([candidate], nudged, renudge_days=renudge_days)
    assert ids(digest) == ([1] if allowed else [])


def test_no_nagging_is_per_rule() -> None:
    quiet = item(1, Rule.QUIET)
    promise = item(1, Rule.PROMISE, window="2026-06-14:due")
    digest = choose([quiet, promise], {(1, Rule.QUIET): ("2026-04-01:due", yesterday_by(1))})
    assert [i.rule for i in digest.items] == [Rule.PROMISE]


def test_recently_nudged_and_snoozed_items_make_room_and_are_not_counted_as_more() -> None:
    items = [item(i) for i in range(1, 7)]
    digest = choose(
        items,
        nudged={(1, Rule.QUIET): ("2026-04-01:due", yesterday_by(1))},
        snoozed={2: TODAY + dt.timedelta(days=1)},
    )
    assert ids(digest) == [3, 4, 5]
    assert digest.more == 1


@pytest.mark.parametrize(
    ("snoozed_until", "shown"),
    [
        (None, True),
        (TODAY - dt.timedelta(days=1), True),
        (TODAY, True),  # silent *until* that date: back on it
        (TODAY + dt.timedelta(days=1), False),
        (dt.date.max, False),
    ],
)
def test_snooze(snoozed_until: dt.date | None, shown: bool) -> None:
    snoozed = {1: snoozed_until} if snoozed_until else {}
    digest = choose([item(1), item(2)], snoozed=snoozed)
    assert ids(digest) == ([1, 2] if shown else [2])


def test_renewal_nudged_then_escalated_through_the_whole_pipeline() -> None:
    activity = ClientActivity(client(renewal_date=RENEWS), last_touch_at=ago(1))
    first_day = dt.date(2026, 7, 15)
    first = choose_for_digest(
        due_items([activity], SETTINGS, now=noon(first_day), today=first_day),
        {},
        {},
        today=first_day,
        renudge_days=7,
    )
    assert [(i.rule, i.level) for i in first.items] == [(Rule.RENEWAL, Level.DUE)]
    nudged = {(1, Rule.RENEWAL): (first.items[0].window, first_day)}

    def digest_on(day: dt.date) -> Digest:
        items = due_items([activity], SETTINGS, now=noon(day), today=day)
        return choose_for_digest(items, nudged, {}, today=day, renudge_days=7)

    assert digest_on(dt.date(2026, 7, 16)).items == ()  # still DUE: no nagging
    assert digest_on(dt.date(2026, 7, 17)).items == ()
    escalated = digest_on(dt.date(2026, 7, 18)).items  # 14 days to go: URGENT breaks through
    assert [(i.rule, i.level) for i in escalated] == [(Rule.RENEWAL, Level.URGENT)]


# Working days and when the digest is due


@pytest.mark.parametrize(
    ("day", "country", "working"),
    [
        (dt.date(2026, 6, 15), None, True),  # Monday
        (dt.date(2026, 6, 19), None, True),  # Friday
        (dt.date(2026, 6, 20), None, False),  # Saturday
        (dt.date(2026, 6, 21), None, False),  # Sunday
        (dt.date(2026, 11, 26), "US", False),  # Thanksgiving
        (dt.date(2026, 11, 26), "us", False),
        (dt.date(2026, 11, 26), "GB", True),
        (dt.date(2026, 11, 26), None, True),
        (dt.date(2026, 11, 27), "US", True),
        (dt.date(2026, 12, 25), "GB", False),  # Christmas Day
        (dt.date(2026, 12, 28), "GB", False),  # Boxing Day (observed)
        (dt.date(2026, 12, 29), "GB", True),
        (dt.date(2026, 11, 26), "XX", True),  # unknown country: no holidays
        (dt.date(2026, 11, 26), "", True),
    ],
)
def test_is_working_day(day: dt.date, country: str | None, working: bool) -> None:
    assert is_working_day(day, country) is working


@pytest.mark.parametrize(
    ("code", "valid"),
    [("US", True), ("GB", True), ("gb", True), (" DE ", True), ("XX", False), ("", False)],
)
def test_valid_country(code: str, valid: bool) -> None:
    assert valid_country(code) is valid


def utc(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "tz", "country", "expected"),
    [
        # Spring forward (Sunday 8 March 2026): 09:00 EST is 14:00 UTC, 09:00 EDT 13:00 UTC.
        (utc(2026, 3, 6, 14, 0), NY, None, dt.date(2026, 3, 6)),  # Friday 09:00 EST
        (utc(2026, 3, 6, 13, 59), NY, None, None),  # Friday 08:59 EST
        (utc(2026, 3, 8, 13, 0), NY, None, None),  # the Sunday of the change
        (utc(2026, 3, 9, 13, 0), NY, None, dt.date(2026, 3, 9)),  # Monday 09:00 EDT
        (utc(2026, 3, 9, 12, 59), NY, None, None),  # Monday 08:59 EDT
        # Fall back (Sunday 1 November 2026).
        (utc(2026, 10, 30, 13, 0), NY, None, dt.date(2026, 10, 30)),  # Friday 09:00 EDT
        (utc(2026, 11, 2, 13, 0), NY, None, None),  # Monday 08:00 EST
        (utc(2026, 11, 2, 14, 0), NY, None, dt.date(2026, 11, 2)),  # Monday 09:00 EST
        # Weekends.
        (utc(2026, 6, 20, 14, 0), NY, None, None),
        (utc(2026, 6, 21, 14, 0), NY, None, None),
        # The local date, not the UTC date: Friday evening in New York is Saturday in UTC...
        (utc(2026, 6, 20, 2, 0), NY, None, dt.date(2026, 6, 19)),
        # ... and Tuesday morning in Tokyo is still Monday in UTC.
        (utc(2026, 6, 15, 23, 30), TOKYO, None, None),  # Tuesday 08:30 JST
        (utc(2026, 6, 16, 0, 30), TOKYO, None, dt.date(2026, 6, 16)),  # Tuesday 09:30 JST
        # Holidays.
        (utc(2026, 11, 26, 15, 0), NY, "US", None),  # Thanksgiving
        (utc(2026, 11, 26, 15, 0), NY, None, dt.date(2026, 11, 26)),
        (utc(2026, 11, 26, 15, 0), NY, "XX", dt.date(2026, 11, 26)),
        (utc(2026, 11, 27, 15, 0), NY, "US", dt.date(2026, 11, 27)),
        (utc(2026, 12, 25, 10, 0), LONDON, "GB", None),  # Christmas Day
        (utc(2026, 12, 29, 10, 0), LONDON, "GB", dt.date(2026, 12, 29)),
        (utc(2026, 12, 29, 8, 59), LONDON, "GB", None),  # before the hour
    ],
)
def test_digest_due_by_local_time_and_working_days(
    now: dt.datetime, tz: ZoneInfo, country: str | None, expected: dt.date | None
) -> None:
    got = digest_due(
        now=now,
        tz=tz,
        nudge_hour=9,
        holiday_country=country,
        already_sent_today=False,
        paused_until=None,
    )
    assert got == expected


@pytest.mark.parametrize(
    ("nudge_hour", "local_hour", "due"),
    [(9, 8, False), (9, 9, True), (9, 17, True), (7, 7, True), (10, 9, False), (0, 0, True)],
)
def test_digest_due_before_and_after_the_local_hour(
    nudge_hour: int, local_hour: int, due: bool
) -> None:
    now = dt.datetime(2026, 6, 15, local_hour, 0, tzinfo=LONDON).astimezone(UTC)
    got = digest_due(
        now=now,
        tz=LONDON,
        nudge_hour=nudge_hour,
        holiday_country="GB",
        already_sent_today=False,
        paused_until=None,
    )
    assert got == (dt.date(2026, 6, 15) if due else None)


@pytest.mark.parametrize(
    ("paused_until", "already_sent", "due"),
    [
        (None, False, True),
        (None, True, False),  # already sent today
        (dt.date.max, False, False),  # paused until resumed
        (TODAY + dt.timedelta(days=1), False, False),  # paused until tomorrow
        (TODAY, False, True),  # the pause ends today
        (TODAY - dt.timedelta(days=1), False, True),
    ],
)
def test_digest_due_pause_resume_and_once_a_day(
    paused_until: dt.date | None, already_sent: bool, due: bool
) -> None:
    got = digest_due(
        now=utc(2026, 6, 15, 14, 0),
        tz=NY,
        nudge_hour=9,
        holiday_country="US",
        already_sent_today=already_sent,
        paused_until=paused_until,
    )
    assert got == (TODAY if due else None)


# Suggestion rotation


def working_days(start: dt.date, count: int) -> list[dt.date]:
    days: list[dt.date] = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


@pytest.mark.parametrize("count", range(2, 13))
@pytest.mark.parametrize("rule", list(Rule))
def test_suggestions_rotate_between_consecutive_digests(count: int, rule: Rule) -> None:
    days = working_days(dt.date(2026, 6, 1), 60)
    for client_id in (1, 2, 7, 1234):
        picks = [suggestion_index(client_id, rule, day, count) for day in days]
        assert all(0 <= pick < count for pick in picks)
        # Next working day (Friday to Monday included).
        assert all(a != b for a, b in itertools.pairwise(picks))
        # The same item nudged again a week later.
        week_later = [
            suggestion_index(client_id, rule, d + dt.timedelta(days=7), count) for d in days
        ]
        assert all(a != b for a, b in zip(picks, week_later, strict=True))


def test_suggestion_index_is_deterministic_and_spreads_clients() -> None:
    assert suggestion_index(5, Rule.QUIET, TODAY, 4) == suggestion_index(5, Rule.QUIET, TODAY, 4)
    picks = {suggestion_index(client_id, Rule.QUIET, TODAY, 4) for client_id in range(1, 5)}
    assert picks == {0, 1, 2, 3}
    assert suggestion_index(5, Rule.QUIET, TODAY, 1) == 0
    with pytest.raises(ValueError):
        suggestion_index(5, Rule.QUIET, TODAY, 0)


def test_a_promise_reminds_the_rep_who_made_it_not_the_owner() -> None:
    owned_by_sam = client(1, "Acme", tier=Tier.B)
    owned_by_sam = ClientActivity(
        client=dataclasses.replace(owned_by_sam, owner_id="U0SAM"),
        last_touch_at=ago(3),
        promise_due=TODAY,
        promise_made_at=ago(3),
        promise_by="U0PRIYA",
    )
    sam = items_for_rep("U0SAM", [owned_by_sam], SETTINGS, now=NOW, today=TODAY)
    priya = items_for_rep("U0PRIYA", [owned_by_sam], SETTINGS, now=NOW, today=TODAY)
    assert [i.rule for i in sam] == []
    assert [(i.client.id, i.rule) for i in priya] == [(1, Rule.PROMISE)]


def test_a_promise_with_no_recorded_maker_goes_to_the_owner() -> None:
    activity = ClientActivity(
        client=dataclasses.replace(client(1, "Acme"), owner_id="U0SAM"),
        last_touch_at=ago(3),
        promise_due=TODAY,
        promise_made_at=ago(3),
    )
    items = items_for_rep("U0SAM", [activity], SETTINGS, now=NOW, today=TODAY)
    assert [i.rule for i in items] == [Rule.PROMISE]


# Client anniversaries


def since(day: dt.date, **changes: object) -> ClientActivity:
    """A client of ours since `day`, touched recently: nothing else is due."""
    return ClientActivity(
        dataclasses.replace(client(), client_since=day, **changes), last_touch_at=ago(3)
    )


@pytest.mark.parametrize(
    ("client_since", "expected"),
    [
        # TODAY is Monday 15 June 2026; the coming week runs to Monday 22 June.
        (dt.date(2021, 6, 15), (dt.date(2026, 6, 15), 5)),
        (dt.date(2021, 6, 19), (dt.date(2026, 6, 19), 5)),
        (dt.date(2025, 6, 22), (dt.date(2026, 6, 22), 1)),
        (dt.date(2025, 6, 23), None),  # eight days off
        (dt.date(2021, 6, 14), None),  # yesterday: past
        (dt.date(2026, 6, 15), None),  # a client since today: no whole year yet
        (dt.date(2025, 11, 1), None),
    ],
)
def test_an_anniversary_in_the_coming_week(
    client_since: dt.date, expected: tuple[dt.date, int] | None
) -> None:
    found = run(since(client_since)).get(Rule.ANNIVERSARY)
    if expected is None:
        assert found is None
        return
    assert found is not None
    assert (found.anniversary_on, found.years) == expected
    assert (found.level, found.window) == (Level.DUE, f"{expected[0].isoformat()}:due")


def test_without_client_since_anniversaries_count_from_the_day_the_client_was_added() -> None:
    added = ClientActivity(
        client(created_at=dt.datetime(2023, 6, 18, 15, tzinfo=UTC)), last_touch_at=ago(3)
    )
    found = run(added)[Rule.ANNIVERSARY]
    assert (found.anniversary_on, found.years) == (dt.date(2026, 6, 18), 3)


def test_a_client_since_29_february_has_its_anniversary_on_28_february() -> None:
    found = run(since(dt.date(2024, 2, 29)), today=dt.date(2027, 2, 25))[Rule.ANNIVERSARY]
    assert (found.anniversary_on, found.years) == (dt.date(2027, 2, 28), 3)


def test_an_archived_clients_anniversary_is_not_raised() -> None:
    assert run(since(dt.date(2021, 6, 16), status=Status.ARCHIVED)) == {}


def test_an_anniversary_ranks_below_renewals_and_overdue_clients_and_counts_toward_the_cap() -> (
    None
):
    renewal = ClientActivity(
        client(1, "Renews", renewal_date=dt.date(2025, 7, 20)), last_touch_at=ago(3)
    )
    overdue = ClientActivity(client(2, "Overdue"), last_touch_at=ago(100))
    promise = ClientActivity(
        client(3, "Promised"), last_touch_at=ago(5), promise_due=TODAY, promise_made_at=ago(5)
    )
    thanks = since(dt.date(2020, 6, 17))
    thanks = dataclasses.replace(thanks, client=dataclasses.replace(thanks.client, id=4))
    quiet = ClientActivity(client(5, "Quiet"), last_touch_at=ago(61))
    items = due_items([quiet, thanks, promise, overdue, renewal], SETTINGS, now=NOW, today=TODAY)
    assert [i.client.id for i in items if i.rule is not Rule.ANNIVERSARY] == [1, 2, 3, 5]
    order = [(i.client.id, i.rule) for i in items]
    assert order.index((4, Rule.ANNIVERSARY)) == order.index((5, Rule.QUIET)) - 1
    digest = choose_for_digest(items, {}, {}, today=TODAY, renudge_days=7)
    assert [i.client.id for i in digest.items] == [1, 2, 3]
    assert digest.more == 2


@pytest.mark.parametrize("renudge_days", [1, 3, 7, 30])
def test_an_anniversary_is_never_raised_twice(renudge_days: int) -> None:
    """Whatever the workspace's renudge_days: raised a week ahead, not again on the day."""
    activity = since(dt.date(2020, 6, 22))
    first = evaluate(activity, SETTINGS, now=NOW, today=TODAY)
    [item] = [i for i in first if i.rule is Rule.ANNIVERSARY]
    assert may_nudge(item, None, today=TODAY, renudge_days=renudge_days)
    for later in range(1, 8):
        day = TODAY + dt.timedelta(days=later)
        [again] = [
            i
            for i in evaluate(activity, SETTINGS, now=noon(day), today=day)
            if i.rule is Rule.ANNIVERSARY
        ]
        assert again.window == item.window
        assert not may_nudge(again, (item.window, TODAY), today=day, renudge_days=renudge_days)
    # The nudge pass reads back far enough to see it.
    settings = dataclasses.replace(SETTINGS, renudge_days=renudge_days)
    assert nudge_lookback_days(settings) >= 8
    # Next year's anniversary is another one.
    next_year = dataclasses.replace(item, window="2027-06-22:due")
    assert may_nudge(next_year, (item.window, TODAY), today=TODAY, renudge_days=renudge_days)
