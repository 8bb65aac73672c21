"""The weekly recap's post, on plain values: what it says and its Block Kit limits."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from bot.core.model import ClientActivity, RecapInput, Rep, RepTally, Tier
from bot.core.recap import NOTABLE_CANDIDATES, TOP_REPS, pick_notable, plan_recap
from bot.core.rules import Rule, due_items
from bot.devtools.standin import block_kit_problems
from bot.ui.mrkdwn import escape
from bot.ui.recap import RENEWALS_SHOWN, build_recap
from bot.ui.render import blocks_to_text
from tests.core.test_recap import (
    CREATED,
    DAYS,
    MIDWEEK,
    NOW,
    NY,
    SETTINGS,
    TODAY,
    at,
    book,
    came_back,
    client,
    data,
    touch,
)


def words(blocks: Any) -> str:
    """Everything the blocks say, as one string of mrkdwn."""
    return json.dumps(list(blocks), ensure_ascii=False)


def rendered(recap_input: RecapInput) -> str:
    return blocks_to_text(build_recap(recap_input, now=NOW, tz=NY).blocks)


def test_the_figures_touches_share_of_value_and_clients_reached() -> None:
    message = build_recap(data(), now=NOW, tz=NY)
    body = blocks_to_text(message.blocks)
    assert body.splitlines()[0] == "Last week at a glance · 16–22 November"
    assert (
        "We logged 142 touches last week, and 68% of them added real value for the client. "
        "Together we reached 31 of our 40 clients." in body
    )
    assert message.text == "Last week: 142 touches, 68% value-adding, 31 of 40 clients reached."


def test_one_touch_reads_as_one_touch() -> None:
    acme = came_back(client(1, "Acme"), MIDWEEK, None)
    body = rendered(data(reps=(RepTally("U1", "Sam", 1, 1),), clients=(acme,)))
    assert "We logged 1 touch last week, and 100% of them" in body
    assert "reached 1 of our 1 client." in body


def test_the_thanks_names_the_reps_with_most_value_adding_touches_most_first() -> None:
    reps = (
        RepTally("U3", "Lee", 5, 4),
        RepTally("U1", "Sam Rivera", 12, 12),
        RepTally("U2", None, 20, 9),
    )
    recap = plan_recap(data(reps=reps), now=NOW, tz=NY)
    assert [(s.rep_id, s.rep_name, s.value_touches) for s in recap.shoutouts] == [
        ("U1", "Sam Rivera", 12),
        ("U2", None, 9),
        ("U3", "Lee", 4),
    ]
    assert recap.others == 0
    message = build_recap(data(reps=reps), now=NOW, tz=NY)
    # No name on file: a mention.
    assert "Most value-adding touches: *Sam Rivera* (12), <@U2> (9) and *Lee* (4)." in str(
        message.blocks
    )
    body = rendered(data(reps=reps))
    assert "Most value-adding touches: Sam Rivera (12), @U2 (9) and Lee (4)." in body


def test_the_thanks_is_only_positive_no_zeros_and_no_bottom_ranking() -> None:
    named = [RepTally(f"U{i:02}", f"Rep {i:02}", 30, 20 - i) for i in range(12)]
    reps = (*named, RepTally("U0ZERO", "Zed Zero", 30, 0))
    recap = plan_recap(data(reps=reps), now=NOW, tz=NY)
    assert [s.rep_name for s in recap.shoutouts] == [f"Rep {i:02}" for i in range(TOP_REPS)]
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
    # No note is quoted by default, and a claim is never named in public.
    assert "• Sam Rivera did a review with Acme & Sons\n" in body
    assert "• @U2 checked in with Brightside\n" in body + "\n"
    assert "storm" not in body and "claim" not in body

    quoting = dataclasses.replace(SETTINGS, recap_quotes=True)
    body = blocks_to_text(
        build_recap(data(touches=touches, settings=quoting), now=NOW, tz=NY).blocks
    )
    assert "• Sam Rivera did a review with Acme & Sons: “reviewed their cover”" in body
    assert "• @U2 checked in with Brightside\n" in body + "\n"
    assert "storm" not in body and "claim" not in body


def test_the_notable_section_names_the_kind_of_contact() -> None:
    touches = (
        touch("sat down with the owner", name="Acme", rep="U1", rep_name="Sam"),
        touch("reviewed their cover", client_id=2, name="Brightside", rep="U2", rep_name="Priya"),
        touch(
            "helped with a claim",
            client_id=3,
            name="Maple Grove Dentistry",
            rep="U3",
            rep_name="Lee",
        ),
    )
    body = blocks_to_text(build_recap(data(touches=touches), now=NOW, tz=NY).blocks)
    assert "• Priya did a review with Brightside\n• Sam visited Acme\n" in body
    assert "• Lee checked in with Maple Grove Dentistry" in body


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


def test_nothing_names_an_owner_next_to_a_renewal_or_a_quiet_count() -> None:
    activities = (
        ClientActivity(dataclasses.replace(client(i, f"C{i}", renewal=TODAY), owner_id="U0SAM"))
        for i in range(3)
    )
    body = words(build_recap(data(clients=book(*activities)), now=NOW, tz=NY).blocks)
    assert "*C0* renews today" in body and "*C2* renews today" in body
    assert "U0SAM" not in body


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


def test_a_rep_name_cannot_ping_the_channel() -> None:
    rep = RepTally("U1", "<!channel> Sam & co", 3, 3)
    message = build_recap(data(reps=(rep,)), now=NOW, tz=NY)
    assert "Most value-adding touches: *&lt;!channel&gt; Sam &amp; co* (3)." in str(message.blocks)
    assert "<!channel>" not in str(message.blocks)


def test_notable_touches_name_each_rep_and_client_once() -> None:
    touches = [
        touch("reviewed cover", client_id=1, name="Acme", rep="U1"),
        touch("visited them", client_id=1, name="Acme", rep="U2"),
        touch("claim check-in", client_id=2, name="Brightside", rep="U1"),
        touch("reviewed cover again", client_id=3, name="Corner Cafe", rep="U3"),
    ]
    chosen = pick_notable(touches)
    assert [(n.rep_id, n.client_name) for n in chosen] == [("U1", "Acme"), ("U3", "Corner Cafe")]


def test_clients_waiting_for_a_new_owner_are_counted_in_every_recap() -> None:
    gone = Rep("T1", "U0SAM", "Sam Rivera", active=False)
    theirs = book(
        *(
            ClientActivity(dataclasses.replace(client(i, f"Left Co {i}"), owner_id="U0SAM"))
            for i in (1, 2)
        )
    )
    # A usual week, and a week without touches.
    for reps in ((RepTally("U0PRIYA", "Priya Shah", 2, 1),), ()):
        recap_input = data(reps=reps, clients=theirs, departed=(gone,))
        message = build_recap(recap_input, now=NOW, tz=NY)
        assert block_kit_problems(list(message.blocks), surface="message") == []
        body = blocks_to_text(message.blocks)
        assert "2 clients are waiting for a new owner." in body
        # Counted, never named: neither who left nor their clients.
        assert "Sam" not in body and "Left Co" not in body
