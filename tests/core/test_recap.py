"""The weekly recap's core: the week, what it says and its Block Kit, on plain values."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import text
from bot.core.model import Client, ClientActivity, Status, Tier, WorkspaceSettings
from bot.core.recap import (
    NOTABLE_CANDIDATES,
    RENEWALS_SHOWN,
    TOP_REPS,
    ClientWeek,
    RecapInput,
    RepTally,
    WeekTouch,
    build_recap,
    comebacks,
    escape,
    pick_notable,
    plan_recap,
    quotable,
    recap_week,
)
from bot.core.render import blocks_to_text
from bot.core.rules import Rule, due_items
from bot.devtools.standin import block_kit_problems

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
    note: str, *, client_id: int = 1, name: str = "Acme", rep: str = "U1", rep_name: str | None = ""
) -> WeekTouch:
    return WeekTouch(
        client_id=client_id,
        client_name=name,
        rep_id=rep,
        rep_name=rep_name if rep_name != "" else f"Rep {rep}",
        occurred_at=at(dt.date(2026, 11, 18)),
        note=note,
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


def words(blocks: Any) -> str:
    """Everything the blocks say, as one string of mrkdwn."""
    return json.dumps(list(blocks), ensure_ascii=False)


def rendered(recap_input: RecapInput) -> str:
    return blocks_to_text(build_recap(recap_input, now=NOW, tz=NY).blocks)


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


def test_the_figures_touches_share_of_value_and_clients_reached() -> None:
    message = build_recap(data(), now=NOW, tz=NY)
    body = blocks_to_text(message.blocks)
    assert body.splitlines()[0] == "Last week at a glance · 16–22 November"
    assert (
        "We logged 142 touches last week, and 68% of them added real value for the client. "
        "Together we reached 31 of our 40 clients." in body
    )
    assert message.text == "Last week: 142 touches, 68% value-adding, 31 of 40 clients reached."


@pytest.mark.parametrize(
    ("part", "whole", "share"), [(1, 3, 33), (2, 3, 67), (1, 8, 13), (0, 5, 0), (5, 5, 100)]
)
def test_the_share_is_a_whole_percentage_with_halves_rounded_up(
    part: int, whole: int, share: int
) -> None:
    assert text.percent(part, whole) == share


def test_one_touch_reads_as_one_touch() -> None:
    acme = came_back(client(1, "Acme"), MIDWEEK, None)
    body = rendered(data(reps=(RepTally("U1", "Sam", 1, 1),), clients=(acme,)))
    assert "We logged 1 touch last week, and 100% of them" in body
    assert "reached 1 of our 1 client." in body


# The celebration


def test_the_thanks_names_the_reps_with_most_value_adding_touches_most_first() -> None:
    reps = (
        RepTally("U3", "Lee", 5, 4),
        RepTally("U1", "Sam Rivera", 12, 12),
        RepTally("U2", None, 20, 9),
    )
    recap = plan_recap(data(reps=reps), now=NOW, tz=NY)
    assert [(s.name, s.value_touches) for s in recap.shoutouts] == [
        ("*Sam Rivera*", 12),
        ("<@U2>", 9),  # no name on file: a mention
        ("*Lee*", 4),
    ]
    assert recap.others == 0
    body = rendered(data(reps=reps))
    assert "Most value-adding touches: Sam Rivera (12), @U2 (9) and Lee (4)." in body


def test_the_thanks_is_only_positive_no_zeros_and_no_bottom_ranking() -> None:
    named = [RepTally(f"U{i:02}", f"Rep {i:02}", 30, 20 - i) for i in range(12)]
    reps = (*named, RepTally("U0ZERO", "Zed Zero", 30, 0))
    recap = plan_recap(data(reps=reps), now=NOW, tz=NY)
    assert [s.name for s in recap.shoutouts] == [f"*Rep {i:02}*" for i in range(TOP_REPS)]
    # The other reps with value are thanked as a number, never named or ranked.
    assert recap.others == 12 - TOP_REPS
    message = build_recap(data(reps=reps), now=NOW, tz=NY)
    body = words(message.blocks)
    assert "Zed Zero" not in body and "U0ZERO" not in body
    assert "(0)" not in body
    for i in range(TOP_REPS, 12):
        assert f"Rep {i:02}" not in body
    assert "And thank you to 7 more teammates who added value for a client." in body


def test_no_value_adding_touches_means_no_thanks_section() -> None:
    body = rendered(data(reps=(RepTally("U1", "Sam", 3, 0),)))
    assert "Thank you" not in body
    assert "Sam" not in body
    assert "0% of them added real value" in body


def test_a_rep_name_cannot_ping_the_channel() -> None:
    rep = RepTally("U1", "<!channel> Sam & co", 3, 3)
    recap = plan_recap(data(reps=(rep,)), now=NOW, tz=NY)
    assert recap.shoutouts[0].name == "*&lt;!channel&gt; Sam &amp; co*"


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
    notable = pick_notable(touches)
    assert [(n.what, n.client_name) for n in notable] == [
        ("a review", "Acme"),
        ("a visit", "Delta Dental"),
        ("help with a claim", "Evergreen"),
    ]
    assert notable[1].quote == "lunch with the owner"


def test_notable_touches_name_each_rep_and_client_once() -> None:
    touches = [
        touch("reviewed cover", client_id=1, name="Acme", rep="U1"),
        touch("visited them", client_id=1, name="Acme", rep="U2"),
        touch("claim check-in", client_id=2, name="Brightside", rep="U1"),
        touch("reviewed cover again", client_id=3, name="Corner Cafe", rep="U3"),
    ]
    chosen = pick_notable(touches)
    assert [(n.rep, n.client_name) for n in chosen] == [
        ("*Rep U1*", "Acme"),
        ("*Rep U3*", "Corner Cafe"),
    ]


def test_the_notable_section_reads_well() -> None:
    touches = (
        touch("reviewed their cover", name="Acme & Sons", rep="U1", rep_name="Sam Rivera"),
        touch(
            "Helped them with the claim after the storm; " + "long details " * 20,
            client_id=2,
            name="Brightside",
            rep="U2",
            rep_name=None,
        ),
    )
    message = build_recap(data(touches=touches), now=NOW, tz=NY)
    assert "did a review with *Acme &amp; Sons*" in words(message.blocks)
    body = blocks_to_text(message.blocks)
    assert "Worth a mention" in body
    assert "• Sam Rivera did a review with Acme & Sons: “reviewed their cover”" in body
    # The long note isn't quoted at all.
    assert "• @U2 helped Brightside with a claim\n" in body + "\n"
    assert "storm" not in body


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


def test_brought_back_clients_are_named_a_few_then_counted() -> None:
    touched = at(dt.date(2026, 11, 18))
    returns = tuple(
        came_back(client(i, f"Client {i}"), touched, touched - (100 + i) * DAYS) for i in range(8)
    )
    body = rendered(data(clients=returns))
    assert (
        "These clients heard from us again after a quiet spell: Client 7 (quiet for 107 days), "
        "Client 6 (quiet for 106 days), Client 5 (quiet for 105 days), Client 4 (quiet for 104 "
        "days), Client 3 (quiet for 103 days) and 3 more." in body
    )


# The look ahead


def test_renewals_in_the_next_30_days_are_marked_with_value_since_the_last_renewal() -> None:
    activities = (
        # Renewed on 1 December 2025; a value touch since: covered.
        ClientActivity(
            client(1, "Acme", renewal=dt.date(2025, 12, 1)),
            last_touch_at=at(dt.date(2026, 6, 1)),
            last_value_at=at(dt.date(2026, 6, 1)),
        ),
        # Only routine since the last renewal: the value touch was before it.
        ClientActivity(
            client(2, "Brightside", renewal=dt.date(2025, 11, 30)),
            last_touch_at=at(dt.date(2026, 11, 2)),
            last_value_at=at(dt.date(2025, 11, 1)),
        ),
        # First renewal ahead: "in the last year".
        ClientActivity(client(3, "Corner Cafe", renewal=dt.date(2026, 12, 23))),
        # Renews today.
        ClientActivity(
            client(4, "Delta", renewal=dt.date(2026, 11, 23)),
            last_value_at=at(dt.date(2026, 10, 1)),
        ),
        # 31 days away: not yet.
        ClientActivity(client(5, "Evergreen", renewal=dt.date(2026, 12, 24))),
    )
    recap = plan_recap(data(clients=book(*activities)), now=NOW, tz=NY)
    assert [
        (r.client_name, r.renews_on, r.value_since, r.had_previous) for r in recap.renewals
    ] == [
        ("Delta", dt.date(2026, 11, 23), True, False),
        ("Brightside", dt.date(2026, 11, 30), False, True),
        ("Acme", dt.date(2026, 12, 1), True, True),
        ("Corner Cafe", dt.date(2026, 12, 23), False, False),
    ]
    body = rendered(data(clients=book(*activities)))
    assert "Renewals in the next 30 days" in body
    assert "• Delta renews today — ✅ value-adding contact in the last year" in body
    assert (
        "• Brightside renews Monday 30 November — no value-adding contact yet since the last "
        "renewal" in body
    )
    assert "• Acme renews Tuesday 1 December — ✅ value-adding contact since the last renewal" in (
        body
    )
    assert "Corner Cafe renews Wednesday 23 December — no value-adding contact yet in the" in body
    assert "Evergreen" not in body


def test_renewals_are_marked_as_the_nudge_rule_would() -> None:
    # A workspace whose renewal nudges start 10 days out still sees 30 days of renewals, with
    # the rule's own verdict.
    short = dataclasses.replace(SETTINGS, renewal_window_days=10)
    activities = (ClientActivity(client(1, "Acme", renewal=dt.date(2026, 12, 20))),)
    recap = plan_recap(data(clients=book(*activities), settings=short), now=NOW, tz=NY)
    assert [(r.client_name, r.value_since) for r in recap.renewals] == [("Acme", False)]


def test_with_many_renewals_the_first_are_listed_and_the_rest_counted() -> None:
    activities = (
        ClientActivity(client(i, f"Client {i:02}", renewal=TODAY + dt.timedelta(days=i % 30)))
        for i in range(60)
    )
    message = build_recap(data(clients=book(*activities)), now=NOW, tz=NY)
    body = blocks_to_text(message.blocks)
    assert body.count(" renews ") == RENEWALS_SHOWN
    assert f"…and {60 - RENEWALS_SHOWN} more renewals coming up." in body
    # Soonest first.
    assert body.index("Client 00 renews today") < body.index("Client 30 renews today")
    assert body.index("Client 30 renews today") < body.index("Client 01 renews tomorrow")
    assert message.text.endswith("60 renewals in the next 30 days.")


def test_no_renewals_says_so() -> None:
    assert "No renewals in the next 30 days." in rendered(data())


def test_the_quiet_count_is_the_nudge_rules_count_for_the_whole_team() -> None:
    activities = [
        ClientActivity(
            client(i, f"Client {i}", tier=[Tier.A, Tier.B, Tier.C, None][i % 4]),
            last_touch_at=NOW - dt.timedelta(days=7 * i),
        )
        for i in range(20)
    ]
    expected = sum(
        item.rule is Rule.QUIET
        for item in due_items(activities, SETTINGS, now=NOW, today=TODAY, tz=NY)
    )
    recap = plan_recap(data(clients=book(*activities)), now=NOW, tz=NY)
    assert recap.quiet == expected > 0
    body = rendered(data(clients=book(*activities)))
    assert f"{expected} clients haven't heard from us in a while." in body


def test_no_quiet_clients_is_a_compliment() -> None:
    assert "Every client has heard from us recently." in rendered(data())


def test_archived_clients_are_not_in_the_book() -> None:
    archived = dataclasses.replace(client(1, "Gone", renewal=TODAY), status=Status.ARCHIVED)
    recap = plan_recap(data(clients=book(ClientActivity(archived))), now=NOW, tz=NY)
    assert recap.renewals == () and recap.quiet == 0 and recap.active_clients == 0


def test_nothing_names_an_owner_next_to_a_renewal_or_a_quiet_count() -> None:
    activities = (
        ClientActivity(dataclasses.replace(client(i, f"C{i}", renewal=TODAY), owner_id="U0SAM"))
        for i in range(3)
    )
    body = words(build_recap(data(clients=book(*activities)), now=NOW, tz=NY).blocks)
    assert "*C0* renews today" in body and "*C2* renews today" in body
    assert "U0SAM" not in body


# Block Kit limits


def test_a_huge_week_stays_within_block_kit_limits() -> None:
    long = "Z" * 200
    touched = at(dt.date(2026, 11, 18))
    clients = tuple(
        came_back(client(i, f"{long} {i}", renewal=TODAY + i % 31 * DAYS), touched, CREATED)
        for i in range(500)
    )
    reps = tuple(RepTally(f"U{i:04}", long, 100, 1000 - i) for i in range(1000))
    touches = tuple(
        touch(f"reviewed cover {i}", client_id=i, name=long, rep=f"U{i:04}", rep_name=long)
        for i in range(NOTABLE_CANDIDATES)
    )
    message = build_recap(data(clients=clients, reps=reps, touches=touches), now=NOW, tz=NY)
    blocks = list(message.blocks)
    assert block_kit_problems(blocks, surface="message") == []
    assert len(blocks) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    assert len(message.text) < 200
    body = blocks_to_text(blocks)
    assert "Most value-adding touches:" in body and "more teammates" in body
    assert "…and" in body and "and 495 more." in body


def test_a_usual_week_is_within_limits_too() -> None:
    blocks = list(build_recap(data(), now=NOW, tz=NY).blocks)
    assert block_kit_problems(blocks, surface="message") == []
    assert [b["type"] for b in blocks] == [
        "header",
        "section",  # figures
        "section",  # thanks
        "divider",
        "section",  # renewals
        "section",  # quiet
        "context",
    ]


# An empty week


def test_an_empty_week_is_a_short_friendly_post() -> None:
    acme = ClientActivity(client(1, "Acme", renewal=TODAY + 3 * DAYS))
    empty = data(reps=(), clients=book(acme))
    message = build_recap(empty, now=NOW, tz=NY)
    blocks = list(message.blocks)
    assert block_kit_problems(blocks, surface="message") == []
    assert [b["type"] for b in blocks] == ["header", "section", "context"]
    body = blocks_to_text(blocks)
    assert "No touches were logged last week. It happens!" in body
    assert "1 client renews in the next 30 days: a good place to start." in body
    assert "0%" not in body and "Thank you" not in body
    assert message.text == "No touches were logged last week. 1 renewal in the next 30 days."


def test_an_empty_week_in_an_empty_book() -> None:
    message = build_recap(data(reps=(), clients=()), now=NOW, tz=NY)
    assert message.text == "No touches were logged last week."
    assert "renew" not in blocks_to_text(message.blocks)


def test_escape() -> None:
    assert escape("A & B <C>") == "A &amp; B &lt;C&gt;"
