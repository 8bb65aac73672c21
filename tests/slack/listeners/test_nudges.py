"""The digest's buttons and `/touch list`, end to end: a real morning note from the nudge pass,
then signed block_actions carrying that note (as Slack sends them) to the real web app."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

from sqlalchemy import select

from bot.core.model import Client, Kind
from bot.db import repository as repo
from bot.db.engine import Database
from bot.db.schema import ClientRow, SnoozeRow
from bot.devtools import slack_requests
from bot.devtools.standin import SlackStandIn, block_kit_problems, view_problems
from bot.services.nudges import run_pass
from bot.ui.digest import LOG_FROM_NUDGE, NOT_MINE, SNOOZE_UNTIL, SNOOZE_WEEK
from tests.conftest import NOW, TEAM, Clock, WebApp
from tests.helpers import add_client, add_touch

MONDAY = NOW.date()
_keys = itertools.count(1)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def seed(db: Database) -> dict[str, Client]:
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, NOW - days(90))
    harbor = add_client(db, "Harbor Dental", renewal=dt.date(2026, 12, 20))
    add_touch(db, harbor, NOW - days(10), "sent the invoice", kind=Kind.ROUTINE)
    return {"acme": acme, "harbor": harbor}


def morning_note(web: WebApp, user: str = "U0SAM") -> dict[str, Any]:
    """Run the nudge pass at the clock's time and return the note it sent `user`."""
    before = len(web.slack.dm_messages(user))
    run_pass(web.deps, web.deps.clock())
    notes = web.slack.dm_messages(user)
    assert len(notes) == before + 1
    return notes[-1]


def names_in(message: dict[str, Any]) -> list[str]:
    return [
        block["text"]["text"].split("\n")[0].strip("*")
        for block in message.get("blocks", [])
        if str(block.get("block_id", "")).startswith("nudge:")
    ]


def control(note: dict[str, Any], client: Client, action_id: str) -> dict[str, Any]:
    """One of an item's buttons (or its date picker), as Slack reports it when used."""
    block_id = f"nudge-actions:{client.id}"
    [block] = [b for b in note["blocks"] if b.get("block_id") == block_id]
    [element] = [e for e in block["elements"] if e["action_id"] == action_id]
    return {**element, "block_id": block_id}


def click(
    web: WebApp,
    note: dict[str, Any],
    action: dict[str, Any],
    *,
    user: str = "U0SAM",
    trigger_id: str = "trig.nudge",
    wait: bool = True,
) -> dict[str, Any]:
    """Use a control on the note in the rep's DM; returns what the app posted back."""
    key = f"nudge-{next(_keys)}"
    body = slack_requests.block_actions_body(
        user_id=user,
        team_id=TEAM,
        actions=[action],
        response_url=web.slack.response_url(key),
        trigger_id=trigger_id,
        message={"ts": note["ts"], "text": note["text"], "blocks": note["blocks"]},
        channel_id=note["channel"],
    )
    status, _ = web.post(body)
    assert status == 200
    if not wait:
        return {}
    reply = web.reply(key)
    assert web.slack.rejected_responses == []
    if "blocks" in reply:
        assert block_kit_problems(reply["blocks"], surface="message") == []
    return reply


def client_row(db: Database, client: Client) -> ClientRow:
    with db.transaction() as session:
        row = session.scalar(select(ClientRow).where(ClientRow.id == client.id))
        assert row is not None
        session.expunge(row)
        return row


def snoozed_until(db: Database, client: Client, rep: str = "U0SAM") -> dt.date | None:
    with db.transaction() as session:
        row = session.get(SnoozeRow, (TEAM, client.id, rep))
        return row.until if row else None


# Not my client


def test_not_my_client_hands_it_back_and_updates_the_note_in_place(
    web: WebApp, db: Database, clock: Clock
) -> None:
    clients = seed(db)
    note = morning_note(web)
    assert names_in(note) == ["Harbor Dental", "Acme Insurance Group"]

    reply = click(web, note, control(note, clients["acme"], NOT_MINE))
    assert reply["replace_original"] is True
    handed = "Handed *Acme Insurance Group* back. An admin will find them a new owner."
    assert reply["text"] == handed
    # Same note, same items; Acme's controls replaced by what happened, Harbor's untouched.
    blocks = reply["blocks"]
    assert names_in(reply) == names_in(note)
    assert len(blocks) == len(note["blocks"])
    acme_actions = f"nudge-actions:{clients['acme'].id}"
    assert all(b.get("block_id") != acme_actions for b in blocks)
    index = [b.get("block_id") for b in note["blocks"]].index(acme_actions)
    assert blocks[index]["type"] == "context"
    assert blocks[index]["elements"][0]["text"] == f"✓ {handed}"
    harbor_actions = f"nudge-actions:{clients['harbor'].id}"
    assert [b for b in blocks if b.get("block_id") == harbor_actions] == [
        b for b in note["blocks"] if b.get("block_id") == harbor_actions
    ]

    row = client_row(db, clients["acme"])
    assert (row.owner_id, row.handed_back_by, row.handed_back_at) == (None, "U0SAM", NOW)

    # A week on, Harbor may come back; Acme never does, to Sam.
    clock.advance(days=7)
    assert names_in(morning_note(web)) == ["Harbor Dental"]
    listed = web.command("list")
    assert "Acme" not in json.dumps(listed)


def test_not_my_client_from_someone_who_doesnt_own_it_changes_nothing(
    web: WebApp, db: Database
) -> None:
    clients = seed(db)
    note = morning_note(web)
    reply = click(web, note, control(note, clients["acme"], NOT_MINE), user="U0PRIYA")
    assert "belongs to someone else" in reply["text"]
    assert reply["replace_original"] is False
    row = client_row(db, clients["acme"])
    assert (row.owner_id, row.handed_back_by, row.handed_back_at) == ("U0SAM", None, None)


def test_a_button_for_a_client_that_is_gone_says_so(web: WebApp, db: Database) -> None:
    clients = seed(db)
    note = morning_note(web)
    for action_id in (NOT_MINE, SNOOZE_WEEK, LOG_FROM_NUDGE):
        stale = {**control(note, clients["acme"], action_id), "value": "999999"}
        reply = click(web, note, stale)
        assert reply["text"] == "That client isn't in the book any more."
        assert reply.get("replace_original") is False
    assert web.slack.calls_to("views.open") == []
    assert client_row(db, clients["acme"]).owner_id == "U0SAM"


# Snooze


def test_snooze_a_week(web: WebApp, db: Database, clock: Clock) -> None:
    clients = seed(db)
    note = morning_note(web)
    reply = click(web, note, control(note, clients["acme"], SNOOZE_WEEK))
    assert reply["replace_original"] is True
    words = "Snoozed *Acme Insurance Group* until Monday 30 November."
    assert reply["text"] == words
    assert f"✓ {words}" in json.dumps(reply["blocks"], ensure_ascii=False)
    assert snoozed_until(db, clients["acme"]) == dt.date(2026, 11, 30)

    # Silent until then: not even in /touch list.
    for _ in range(6):
        clock.advance(days=1)
        assert "Acme" not in json.dumps(web.command("list"))
    clock.advance(days=1)  # Monday 30 November
    assert "Acme Insurance Group" in names_in(morning_note(web))
    assert "Acme Insurance Group" in names_in(web.command("list"))


def test_snooze_until_a_picked_date(web: WebApp, db: Database, clock: Clock) -> None:
    clients = seed(db)
    note = morning_note(web)
    picker = control(note, clients["acme"], SNOOZE_UNTIL)
    assert picker["type"] == "datepicker"
    reply = click(web, note, {**picker, "selected_date": "2026-12-09"})
    assert reply["replace_original"] is True
    assert reply["text"] == "Snoozed *Acme Insurance Group* until Wednesday 9 December."
    assert snoozed_until(db, clients["acme"]) == dt.date(2026, 12, 9)

    # A week on Harbor may be named again, but not Acme; on the 9th Acme is back.
    clock.advance(days=7)
    assert names_in(morning_note(web)) == ["Harbor Dental"]
    clock.now = dt.datetime(2026, 12, 9, 15, tzinfo=dt.UTC)
    assert "Acme Insurance Group" in names_in(morning_note(web))


def test_snoozing_until_a_day_that_has_passed_is_refused_politely(
    web: WebApp, db: Database
) -> None:
    clients = seed(db)
    note = morning_note(web)
    picker = control(note, clients["acme"], SNOOZE_UNTIL)
    for day in ("2026-11-20", MONDAY.isoformat()):
        reply = click(web, note, {**picker, "selected_date": day})
        assert reply["text"] == "Please pick a day after today to snooze until."
        assert reply["replace_original"] is False
        assert "blocks" not in reply
    assert snoozed_until(db, clients["acme"]) is None


# Log a touch


def test_log_a_touch_opens_the_form_for_that_client(web: WebApp, db: Database) -> None:
    clients = seed(db)
    note = morning_note(web)
    click(
        web,
        note,
        control(note, clients["acme"], LOG_FROM_NUDGE),
        trigger_id="trig.log.42",
        wait=False,
    )
    web.slack.wait_for(lambda: bool(web.slack.calls_to("views.open")))
    [call] = web.slack.calls_to("views.open")
    assert call.ok and call.params["trigger_id"] == "trig.log.42"
    view = call.params["view"]
    assert view_problems(view, expected_type="modal") == []
    assert view["callback_id"] == "log_touch"
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    picked = inputs["client"]["initial_option"]
    assert picked["value"] == str(clients["acme"].id)
    assert picked["text"]["text"] == "Acme Insurance Group"
    assert inputs["day"]["initial_date"] == "2026-11-23"
    assert json.loads(view["private_metadata"])["today"] == "2026-11-23"
    assert len(web.slack.opened_views) == 1
    assert web.slack.responses == []  # nothing posted to the note itself


# /touch list


def test_touch_list_shows_the_callers_due_clients_privately(
    web: WebApp, db: Database, slack: SlackStandIn
) -> None:
    seed(db)
    for n in range(4):
        quiet = add_client(db, f"Quiet Client {n}")
        add_touch(db, quiet, NOW - days(70 + n))
    pine = add_client(db, "Pinecrest Logistics", owner="U0PRIYA")
    add_touch(db, pine, NOW - days(80))
    fresh = add_client(db, "Fresh Fields")
    add_touch(db, fresh, NOW - days(1))

    reply = web.command("list")
    assert reply["response_type"] == "ephemeral"
    assert block_kit_problems(reply["blocks"], surface="message") == []
    assert names_in(reply) == [
        "Harbor Dental",
        "Acme Insurance Group",
        "Quiet Client 3",
        "Quiet Client 2",
        "Quiet Client 1",
        "Quiet Client 0",
    ]
    assert "No contact in 73 days" in json.dumps(reply["blocks"])
    assert slack.calls_to("chat.postMessage") == []  # only the caller sees it
    assert names_in(web.command("list", user="U0PRIYA")) == ["Pinecrest Logistics"]


def test_an_empty_list_says_so_kindly(web: WebApp, db: Database) -> None:
    fresh = add_client(db, "Fresh Fields")
    add_touch(db, fresh, NOW - days(1))
    reply = web.command("list")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == (
        "Nobody needs you right now: every client has heard from you recently. Nice work."
    )
    with db.transaction() as session:
        assert repo.count_touches(session, TEAM) == 1


def test_a_long_list_stops_at_twenty_and_says_how_many_more(web: WebApp, db: Database) -> None:
    for n in range(25):
        quiet = add_client(db, f"Quiet Client {n:02d}")
        add_touch(db, quiet, NOW - days(70 + n))
    reply = web.command("list")
    assert len(names_in(reply)) == 20
    assert names_in(reply)[0] == "Quiet Client 24"  # the longest silence first
    assert "…and 5 more. Start with these." in json.dumps(reply["blocks"], ensure_ascii=False)
    assert block_kit_problems(reply["blocks"], surface="message") == []


def test_the_longest_names_stay_within_slacks_limits(web: WebApp, db: Database) -> None:
    names = [f"{letter * 150} {'Insurance Group ' * 3}".strip() for letter in "ABCD"]
    clients = [add_client(db, name) for name in names]
    for client in clients:
        add_touch(db, client, NOW - days(100))
    note = morning_note(web)  # the stand-in refuses a post beyond Block Kit's limits
    assert block_kit_problems(note["blocks"], surface="message") == []
    assert len(names_in(note)) == 3
    assert len(names_in(web.command("list"))) == 4
    first = next(c for c in clients if c.name == names_in(note)[0])
    click(web, note, control(note, first, LOG_FROM_NUDGE), wait=False)
    web.slack.wait_for(lambda: bool(web.slack.calls_to("views.open")))
    [call] = web.slack.calls_to("views.open")
    assert call.ok
    assert view_problems(call.params["view"], expected_type="modal") == []
