"""`/touch` end to end: signed slash commands to the real web app, replies via response_url."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text as sql

from bot.core.model import Kind, Tier
from bot.db import repository as repo
from bot.devtools import slack_requests
from bot.slack.guard import ACK_DEADLINE
from bot.slack.web import REPLAY_DEADLINE
from bot.ui.text import DATABASE_AWAY, WENT_WRONG
from tests.conftest import TEAM, Clock, WebApp, buttons
from tests.helpers import add_client, add_touch, touches


def reply_text(reply: dict) -> str:
    return str(reply["text"])


def test_logs_a_touch_against_the_right_client(web: WebApp) -> None:
    add_client(web.deps.db, "Acme Insurance Group", tier=Tier.A)
    add_client(web.deps.db, "Brightside Bakery")
    started = time.monotonic()
    reply = web.command("acme called about claim")
    assert time.monotonic() - started < 3
    assert reply["response_type"] == "ephemeral"
    assert "Acme Insurance Group" in reply_text(reply)
    assert "value-adding" in reply_text(reply)
    assert touches(web.deps.db) == [("Acme Insurance Group", "called about claim", "value")]
    [flip] = buttons(reply)
    assert flip["text"]["text"] == "Count as routine"


def test_the_reply_comes_in_the_ack_itself(web: WebApp) -> None:
    """One round trip: the ack's body is the reply, and nothing goes to the response_url."""
    add_client(web.deps.db, "Acme Insurance Group")
    key, (status, answer) = web.send_command("acme called about claim")
    assert status == 200
    reply = json.loads(answer)
    assert reply["response_type"] == "ephemeral"
    assert "Logged a touch with *Acme Insurance Group*" in reply["text"]
    assert buttons(reply)
    assert web.slack.responses_to(key) == []


def test_work_past_the_deadline_acks_empty_and_replies_by_response_url(web: WebApp) -> None:
    """A database slower than the ack deadline: Slack still gets its ack in time, empty, and
    the reply follows by the response_url once the write is through. (The replay check waits
    on the database too, up to its own deadline.)"""
    add_client(web.deps.db, "Acme Insurance Group")
    web.command("help")  # the rep is known: the one write left is the touch
    with web.deps.db.transaction(write=True) as session:
        # Holds the write lock: BEGIN IMMEDIATE on SQLite, a table lock on PostgreSQL.
        if web.deps.db.dialect == "sqlite":
            session.execute(sql("SELECT 1"))
        else:
            session.execute(sql("LOCK TABLE touch IN EXCLUSIVE MODE"))
        started = time.monotonic()
        key, (status, answer) = web.send_command("acme called about claim")
        acked_in = time.monotonic() - started
    assert (status, answer) == (200, b"")
    assert ACK_DEADLINE <= acked_in < ACK_DEADLINE + REPLAY_DEADLINE + 0.5 < 3
    assert "Logged a touch with *Acme Insurance Group*" in web.reply(key)["text"]
    assert touches(web.deps.db) == [("Acme Insurance Group", "called about claim", "value")]


def test_the_flip_button_changes_the_kind_and_back(web: WebApp) -> None:
    add_client(web.deps.db, "Acme Insurance Group")
    [flip] = buttons(web.command("acme called about claim"))
    flipped = web.click(flip)
    assert flipped["replace_original"] is True
    assert "routine" in flipped["text"]
    assert touches(web.deps.db)[0][2] == "routine"
    [back] = buttons(flipped)
    web.click(back)
    assert touches(web.deps.db)[0][2] == "value"


def test_only_the_rep_who_logged_a_touch_can_flip_it(web: WebApp) -> None:
    add_client(web.deps.db, "Acme Insurance Group")
    [flip] = buttons(web.command("acme called about claim"))
    refused = web.click(flip, user="U0PRIYA")
    assert "Only the person who logged" in refused["text"]
    assert touches(web.deps.db)[0][2] == "value"


def test_a_tampered_flip_button_is_refused_politely(web: WebApp) -> None:
    reply = web.click({"action_id": "touch_flip_kind", "value": "not-a-number", "type": "button"})
    assert "nothing to change" in reply["text"]


def test_a_name_with_ampersand_and_angle_brackets_is_found(web: WebApp) -> None:
    """Slack sends what the rep typed with &, < and > escaped; the command reads it as typed."""
    add_client(web.deps.db, "A&B <Holdings>")
    reply = web.command("A&amp;B &lt;Holdings&gt; sent the &lt;draft&gt; &amp;amp; notes")
    assert "Logged a touch" in reply["text"]
    [(client, note, _)] = touches(web.deps.db)
    assert (client, note) == ("A&B <Holdings>", "sent the <draft> &amp; notes")


def test_several_candidates_offer_buttons_and_write_nothing(web: WebApp) -> None:
    add_client(web.deps.db, "Acme Insurance Group")
    add_client(web.deps.db, "Acme Logistics")
    reply = web.command("yesterday acm called about their fleet")
    assert "Which one" in reply["text"]
    assert touches(web.deps.db) == []
    choices = buttons(reply)
    assert [b["text"]["text"] for b in choices] == ["Acme Insurance Group", "Acme Logistics"]
    picked = web.click(choices[1])
    assert "Acme Logistics" in picked["text"] and "yesterday" in picked["text"]
    assert touches(web.deps.db) == [("Acme Logistics", "called about their fleet", "value")]


def test_no_candidate_names_the_closest_and_how_to_add(web: WebApp) -> None:
    add_client(web.deps.db, "Northwind Traders")
    reply = web.command("zebra farms called")
    assert "couldn't find a client called “zebra”" in reply["text"]
    assert "/touch add" in reply["text"]
    assert touches(web.deps.db) == []


def test_a_typo_still_finds_the_client(web: WebApp) -> None:
    add_client(web.deps.db, "Northwind Traders")
    reply = web.command("nrthwind had lunch with the owner")
    assert "Northwind Traders" in reply["text"]
    assert touches(web.deps.db) == [("Northwind Traders", "had lunch with the owner", "value")]


def test_bad_inputs_get_a_clear_reply_and_write_nothing(web: WebApp) -> None:
    add_client(web.deps.db, "Acme Insurance Group")
    cases = {
        "acme": "What happened with",
        "acme #value": "What happened with",
        "2031-01-01 acme called": "hasn't happened yet",
        "2026-02-30 acme called": "isn't a real date",
        "acme called, follow up 2020-01-01": "already passed",
        "yesterday": "Which client",
        "show": "/touch show",
        "add acme tier Z": "tier is A, B or C",
    }
    for text, expected in cases.items():
        assert expected in web.command(text)["text"], text
    assert touches(web.deps.db) == []


def test_follow_up_and_day_are_recorded_and_shown(web: WebApp, clock: Clock) -> None:
    client = add_client(web.deps.db, "Acme Insurance Group")
    # Monday 23 November 2026, 10:00 in New York.
    reply = web.command("acme yesterday reviewed their cover, follow up friday")
    assert "yesterday" in reply["text"] and "Friday 27 November" in reply["text"]
    with web.deps.db.transaction() as session:
        [touch] = repo.recent_touches(session, TEAM, client.id)
    assert touch.follow_up_on == dt.date(2026, 11, 27)
    assert touch.occurred_at == dt.datetime(2026, 11, 22, 17, tzinfo=dt.UTC)  # noon in New York
    assert touch.kind is Kind.VALUE


def test_undo_removes_only_a_recent_own_touch(web: WebApp, clock: Clock) -> None:
    add_client(web.deps.db, "Acme Insurance Group")
    web.command("acme sent the invoice")
    assert "nothing to undo" in web.command("undo", user="U0PRIYA")["text"]
    clock.advance(minutes=11)
    assert "nothing to undo" in web.command("undo")["text"]
    clock.advance(minutes=-11)
    assert "Removed your last touch" in web.command("undo")["text"]
    assert touches(web.deps.db) == []


def test_show_lists_recent_touches_owner_tier_and_renewal(web: WebApp) -> None:
    client = add_client(
        web.deps.db, "Acme Insurance Group", tier=Tier.A, renewal=dt.date(2024, 3, 14)
    )
    add_touch(
        web.deps.db, client, dt.datetime(2026, 11, 2, 15, tzinfo=dt.UTC), "visited the office"
    )
    text = web.command("show acme")["text"]
    assert "Tier: A" in text and "14 March 2027" in text and "visited the office" in text


def test_help_explains_the_grammar(web: WebApp) -> None:
    text = web.command("help")["text"]
    assert "/touch acme called about their claim" in text and "#routine" in text


def test_add_creates_a_client_owned_by_the_caller(web: WebApp) -> None:
    reply = web.command("add Harbor Dental renews 2027-05-01 tier B")
    assert "Added *Harbor Dental*" in reply["text"]
    with web.deps.db.transaction() as session:
        [client] = repo.active_clients(session, TEAM)
    assert (client.owner_id, client.tier, client.renewal_date) == (
        "U0SAM",
        Tier.B,
        dt.date(2027, 5, 1),
    )
    assert "already in your book" in web.command("add harbor dental")["text"]


def test_a_database_failure_says_so_and_writes_nothing(web: WebApp) -> None:
    add_client(web.deps.db, "Acme Insurance Group")
    web.command("help")  # caches the rep, so the failure below is the touch write itself
    with web.deps.db.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE touch RENAME TO touch_away")
    try:
        reply = web.command("acme called about claim")
    finally:
        with web.deps.db.engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE touch_away RENAME TO touch")
    # A missing table is no outage, but SQLite can only call it an OperationalError.
    sqlite = web.deps.db.engine.dialect.name == "sqlite"
    assert reply["text"] == (DATABASE_AWAY if sqlite else WENT_WRONG)
    assert touches(web.deps.db) == []


def test_twenty_commands_at_once_are_all_answered(web: WebApp) -> None:
    add_client(web.deps.db, "Acme Insurance Group")
    with ThreadPoolExecutor(max_workers=20) as pool:
        replies = list(pool.map(lambda i: web.command(f"acme called about claim {i}"), range(20)))
    assert all("Acme Insurance Group" in r["text"] for r in replies)
    assert len(touches(web.deps.db)) == 20


def test_bad_missing_and_stale_signatures_get_401(web: WebApp) -> None:
    body = slack_requests.slash_command_body(
        command="/touch",
        text="help",
        user_id="U0SAM",
        team_id=TEAM,
        response_url=web.slack.response_url("sig"),
    )
    assert web.post(body, secret="wrong-secret")[0] == 401
    assert web.post(body, timestamp=int(time.time()) - 5 * 60 - 5)[0] == 401
    unsigned = urllib.request.Request(web.url + "/slack/events", data=body.encode(), method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(unsigned, timeout=5)
    refused.value.close()  # an HTTPError holds the response open
    assert refused.value.code == 401
    assert web.slack.responses_to("sig") == []


def test_show_dates_touches_in_the_readers_zone(web: WebApp) -> None:
    client = add_client(web.deps.db, "Acme Insurance Group")
    # 9 pm on Sunday 22 November in New York is already Monday in UTC.
    add_touch(web.deps.db, client, dt.datetime(2026, 11, 23, 2, tzinfo=dt.UTC), "evening call")
    text = web.command("show acme")["text"]
    assert "• yesterday — " in text and "evening call" in text


def test_a_slash_command_makes_no_needless_home_publish(web: WebApp) -> None:
    """The Home tab can't be on screen while a rep types a command, and it is drawn afresh
    when they open it, so logging a touch costs no views.publish."""
    add_client(web.deps.db, "Acme Insurance Group")
    web.command("acme called about claim")
    assert web.slack.calls_to("views.publish") == []


# Input limits: what PostgreSQL can't store is refused or cleaned here, on every database


def client_names(web: WebApp) -> list[str]:
    with web.deps.db.transaction() as session:
        return [c.name for c in repo.all_clients(session, TEAM)]


@pytest.mark.parametrize(
    "name",
    [
        "Acme " * 60,
        # 196 characters, but 224 once folded for the case-blind key ("ß" folds to "ss").
        "Straße " * 28,
    ],
)
def test_a_name_too_long_to_keep_is_refused_clearly(web: WebApp, name: str) -> None:
    reply = web.command(f"add {name}")
    assert "too long" in reply["text"] and "200 characters" in reply["text"]
    assert "try again" not in reply["text"]
    assert client_names(web) == []


def test_a_name_of_200_characters_is_kept(web: WebApp) -> None:
    name = "A" * 200
    assert "Added" in web.command(f"add {name}")["text"]
    assert client_names(web) == [name]


def test_control_characters_in_a_name_become_spaces(web: WebApp) -> None:
    reply = web.command("add Harbor\x00Dental\x1b tier B")
    assert "Added *Harbor Dental*" in reply["text"]
    assert client_names(web) == ["Harbor Dental"]


def test_control_characters_in_a_note_are_dropped(web: WebApp) -> None:
    add_client(web.deps.db, "Acme Insurance Group")
    reply = web.command("acme called\x00 about\x07 their claim\x7f")
    assert "Logged a touch with *Acme Insurance Group*" in reply["text"]
    assert touches(web.deps.db) == [("Acme Insurance Group", "called about their claim", "value")]


def test_an_owner_id_too_long_to_be_slacks_is_refused(web: WebApp) -> None:
    reply = web.command(f"add Harbor Dental owner <@U{'X' * 40}>")
    assert "Mention the owner with @" in reply["text"]
    assert client_names(web) == []


def test_a_slack_name_too_long_or_with_control_characters_is_kept_clean(web: WebApp) -> None:
    web.slack.add_user("U0LONG", name=f"Sam\x00Rivera {'R' * 300}", tz="Europe/London")
    assert "Added *Harbor Dental*" in web.command("add Harbor Dental", user="U0LONG")["text"]
    with web.deps.db.transaction() as session:
        rep = repo.get_rep(session, TEAM, "U0LONG")
    assert rep is not None
    assert rep.display_name == f"Sam Rivera {'R' * 189}"
