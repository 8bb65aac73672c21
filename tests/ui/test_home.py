"""The App Home's Block Kit, on plain values: each row's facts, the week header and the 100-block
limit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.core.home import Home
from bot.core.model import HandedBack, Rep, Week
from bot.core.owners import Unowned
from bot.core.topics import Recall
from bot.devtools.standin import view_problems
from bot.ui.home import home_view
from bot.ui.ids import HOME_CALENDAR, HOME_LOG, HOME_OPEN, HOME_SNOOZE, REASSIGN
from bot.ui.render import blocks_to_text
from tests.core.test_home import (
    NY,
    TODAY,
    activity,
    client,
    days_ago,
    rows_of,
)


def text_of(view: dict[str, Any]) -> str:
    return blocks_to_text(view["blocks"])


def test_a_snoozed_client_waits_with_the_rest_until_its_snooze_ends() -> None:
    overdue = client(1, "Overdue Optics")
    other = client(2, "Other Co")
    rows = rows_of(
        [activity(overdue, days_ago(100)), activity(other, days_ago(2))],
        snoozed={1: dt.date(2026, 11, 30)},
    )
    assert [(r.client.name, r.item) for r in rows] == [("Overdue Optics", None), ("Other Co", None)]
    assert rows[0].snoozed_until == dt.date(2026, 11, 30)
    view = home_view(Home(rows, Week()), today=TODAY, tz=NY)
    assert "Snoozed until Monday 30 November" in text_of(view)


def test_days_since_the_last_touch_count_in_the_reps_zone() -> None:
    # 02:00 UTC on 11 November is still 10 November in New York: 13 days ago there, not 12.
    c = client(1, "Acme")
    [row] = rows_of([activity(c, dt.datetime(2026, 11, 11, 2, 0, tzinfo=dt.UTC))])
    assert row.days_since_touch == 13
    [row] = rows_of([activity(c, dt.datetime(2026, 11, 11, 17, 0, tzinfo=dt.UTC))])
    assert row.days_since_touch == 12
    view = home_view(Home((row,), Week()), today=TODAY, tz=NY)
    assert "Last touch 12 days ago · No renewal date" in text_of(view)


def test_each_row_shows_why_the_facts_and_three_buttons() -> None:
    renewing = client(7, "Renewing Roofers", renewal=dt.date(2027, 1, 10))
    rows = rows_of([activity(renewing, days_ago(1), None)])
    view = home_view(Home(rows, Week(7, 5)), today=TODAY, tz=NY)
    assert view_problems(view, expected_type="home") == []
    words = text_of(view)
    assert "This week: 7 touches, 5 of them value-adding (71%)." in words
    assert "Could use a touch now" in words
    assert "Renews 10 January 2027 — only paperwork in the last year" in words
    assert "Last touch yesterday · Renews 10 January 2027" in words
    actions = [b for b in view["blocks"] if b["type"] == "actions"][1:]
    assert [(e["action_id"], e["value"]) for e in actions[0]["elements"]] == [
        (HOME_LOG, "7"),
        (HOME_SNOOZE, "7"),
        (HOME_OPEN, "7"),
    ]


def test_a_quiet_week_and_a_book_that_needs_nothing_say_so() -> None:
    rows = rows_of([activity(client(1, "Fine Foods"), days_ago(1), days_ago(1))])
    words = text_of(home_view(Home(rows, Week()), today=TODAY, tz=NY))
    assert "No touches logged yet this week" in words
    assert "Nobody needs you right now" in words
    assert "Everyone else" in words and "Fine Foods" in words


def test_an_empty_book_says_how_to_add_a_client() -> None:
    words = text_of(home_view(Home((), Week(1, 0)), today=TODAY, tz=NY))
    assert "This week: 1 touch, 0 of them value-adding (0%)." in words
    assert "/touch add" in words


def test_a_large_book_stays_within_100_blocks_and_counts_the_rest() -> None:
    activities = [
        activity(client(i, f"Client {i:03d}"), days_ago(100 if i % 2 else 5)) for i in range(1, 301)
    ]
    rows = rows_of(activities)
    view = home_view(Home(rows, Week()), today=TODAY, tz=NY)
    assert view_problems(view, expected_type="home") == []
    assert len(view["blocks"]) <= 100
    shown = sum(1 for b in view["blocks"] if b.get("block_id", "").startswith("home-client:"))
    assert shown > 40
    assert view["blocks"][-1]["text"]["text"].startswith(f"…and {300 - shown} more clients.")
    # The overdue half comes first.
    assert "Client 001" in text_of(view) and "Client 002" not in text_of(view)


def test_admins_see_handed_back_clients_with_a_picker_to_reassign() -> None:
    waiting = tuple(
        HandedBack(
            client(i, f"Handed {i:02d}"), "U0PRIYA", dt.datetime(2026, 11, 23, 2, tzinfo=dt.UTC)
        )
        for i in range(1, 13)
    )
    view = home_view(Home((), Week(), waiting), today=TODAY, tz=NY)
    assert view_problems(view, expected_type="home") == []
    pickers = [b for b in view["blocks"] if b.get("block_id", "").startswith("reassign:")]
    assert len(pickers) == 10
    assert pickers[0]["block_id"] == "reassign:1"
    assert pickers[0]["accessory"]["type"] == "users_select"
    assert pickers[0]["accessory"]["action_id"] == REASSIGN
    # Handed back at 02:00 UTC on Monday: Sunday evening in New York.
    assert pickers[0]["text"]["text"] == "*Handed 01* was handed back by <@U0PRIYA> yesterday."
    assert "…and 2 more." in text_of(view)


def test_admins_see_first_the_clients_whose_owner_left_with_the_same_picker() -> None:
    gone = Rep("T1", "U0SAM", "Sam <b>", active=False)
    unowned = tuple(Unowned(client(i, f"Unowned {i:02d}"), gone) for i in range(1, 13))
    handed = (HandedBack(client(20, "Handed Co"), "U0PRIYA", None),)
    rows = rows_of([activity(client(i, f"Own {i:03d}"), days_ago(100)) for i in range(30, 130)])
    view = home_view(Home(rows, Week(), handed, unowned), today=TODAY, tz=NY)
    assert view_problems(view, expected_type="home") == []
    assert len(view["blocks"]) <= 100
    words = text_of(view)
    assert words.index("Needs a new owner") < words.index("Waiting for a new owner")
    assert words.index("Waiting for a new owner") < words.index("Own 030")
    pickers = [b for b in view["blocks"] if b.get("block_id", "").startswith("reassign:")]
    assert [b["block_id"] for b in pickers] == [
        *(f"reassign:{i}" for i in range(1, 11)),
        "reassign:20",
    ]
    assert {b["accessory"]["action_id"] for b in pickers} == {REASSIGN}
    assert pickers[0]["text"]["text"] == (
        "*Unowned 01* was looked after by Sam &lt;b&gt;, who is no longer in Slack."
    )
    assert "…and 2 more." in words


def test_a_row_that_asks_for_a_touch_says_when_they_last_talked() -> None:
    overdue = client(1, "Overdue Optics")
    fine = client(2, "Fine Foods")
    rows = rows_of([activity(overdue, days_ago(100)), activity(fine, days_ago(2), days_ago(2))])
    lunch = Recall(dt.date(2026, 7, 12), "lunch with the owner, <expansion> plans")
    recalls = {1: lunch, 2: Recall(dt.date(2026, 11, 21), "dropped by")}
    view = home_view(Home(rows, Week(), recalls=recalls), today=TODAY, tz=NY)
    assert view_problems(view, expected_type="home") == []
    overdue_row, fine_row = (
        b["text"]["text"]
        for b in view["blocks"]
        if b.get("block_id", "").startswith("home-client:")
    )
    assert overdue_row.split("\n")[2] == (
        "Last talked 12 Jul: lunch with the owner, &lt;expansion&gt; plans"
    )
    # Only rows that ask for a touch: the rest show their facts alone.
    assert "Last talked" not in fine_row


def test_the_calendar_section_offers_a_link_and_fits_a_large_book() -> None:
    rows = rows_of([activity(client(i, f"Client {i:03d}"), days_ago(100)) for i in range(1, 301)])
    view = home_view(Home(rows, Week(), calendar=True), today=TODAY, tz=NY)
    assert view_problems(view, expected_type="home") == []
    assert len(view["blocks"]) <= 100
    *_, more, divider, calendar = view["blocks"]
    assert more["text"]["text"].startswith("…and ")
    assert divider["type"] == "divider"
    assert calendar["text"]["text"].startswith("*Calendar*")
    assert calendar["accessory"]["action_id"] == HOME_CALENDAR
    assert calendar["accessory"]["text"]["text"] == "Get a calendar link"
    # Without TOUCHBASE_PUBLIC_URL there is no link to give: no section.
    plain = home_view(Home(rows, Week()), today=TODAY, tz=NY)
    assert "Calendar" not in text_of(plain)
