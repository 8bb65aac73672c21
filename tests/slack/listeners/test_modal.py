"""The log-touch form end to end: opened with views.open, its client picker served from the
options endpoint, the kind following the note, and submissions with inline errors. Signed
requests go to the real web app; the views it sends are read back from the Slack stand-in."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from bot.devtools import slack_requests
from bot.devtools.standin import SlackStandIn, block_kit_problems, view_problems
from tests.conftest import TEAM, WebApp
from tests.helpers import add_client, add_touch, touches

_GIVEN: Any = object()


def state_from(view: dict[str, Any], **typed: Any) -> dict[str, Any]:
    """The `state.values` Slack sends for `view`: what each input shows, or what was typed.

    `typed` is keyed by action ID: text for inputs, "YYYY-MM-DD" for dates, an option's value
    for radio buttons and menus, (client ID, name) for the client picker, a user ID for a user
    picker, a list of them for a many-users picker, a channel ID for a conversation picker, True
    or False to tick every checkbox or none; None empties the input.
    """
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        action_id, kind = element["action_id"], element["type"]
        given = typed.get(action_id, _GIVEN)
        entry: dict[str, Any] = {"type": kind}
        if kind == "plain_text_input":
            entry["value"] = element.get("initial_value") if given is _GIVEN else given
        elif kind == "datepicker":
            entry["selected_date"] = element.get("initial_date") if given is _GIVEN else given
        elif kind == "users_select":
            entry["selected_user"] = element.get("initial_user") if given is _GIVEN else given
        elif kind == "multi_users_select":
            entry["selected_users"] = element.get("initial_users", []) if given is _GIVEN else given
        elif kind == "conversations_select":
            entry["selected_conversation"] = (
                element.get("initial_conversation") if given is _GIVEN else given
            )
        elif kind in ("radio_buttons", "static_select"):
            options = {o["value"]: o for o in element["options"]}
            entry["selected_option"] = (
                element.get("initial_option") if given is _GIVEN else options.get(given)
            )
        elif kind == "checkboxes":
            entry["selected_options"] = (
                element.get("initial_options", [])
                if given is _GIVEN
                else (element["options"] if given else [])
            )
        elif kind == "external_select":
            entry["selected_option"] = (
                element.get("initial_option")
                if given is _GIVEN
                else given
                and {"text": {"type": "plain_text", "text": given[1]}, "value": str(given[0])}
            )
        values[block["block_id"]] = {action_id: entry}
    return values


def submit(web: WebApp, view: dict[str, Any], *, user: str = "U0SAM", **typed: Any) -> Any:
    """Submit an opened view as `user`; returns the ack's JSON body (None when it is empty)."""
    body = slack_requests.view_submission_body(
        user_id=user,
        team_id=TEAM,
        callback_id=view["callback_id"],
        state_values=state_from(view, **typed),
        private_metadata=view["private_metadata"],
        view_id=view["id"],
    )
    status, raw = web.post(body)
    assert status == 200, raw
    return json.loads(raw) if raw else None


def opened(slack: SlackStandIn, count: int = 1) -> dict[str, Any]:
    """The `count`-th modal opened so far, once it is there; every view it sends is valid."""
    slack.wait_for(lambda: len(slack.calls_to("views.open")) >= count)
    call = slack.calls_to("views.open")[count - 1]
    assert call.ok, call.error
    assert view_problems(call.params["view"], expected_type="modal") == []
    slack.wait_for(lambda: len(slack.opened_views) >= count)
    return slack.opened_views[count - 1]


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


def last_dm(slack: SlackStandIn, user: str, count: int = 1) -> dict[str, Any]:
    slack.wait_for(lambda: len(slack.dm_messages(user)) >= count)
    message = slack.dm_messages(user)[count - 1]
    assert block_kit_problems(message["blocks"], surface="message") == []
    return message


def test_touch_on_its_own_opens_the_form_and_submitting_it_logs_the_touch(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group")
    web.command("", wait=False)
    view = opened(web.slack)
    [call] = web.slack.calls_to("views.open")
    assert call.params["trigger_id"] == "trig.1"
    assert view["callback_id"] == "log_touch"
    fields = inputs(view)
    assert fields["client"]["type"] == "external_select"
    assert "initial_option" not in fields["client"]
    # Monday 10:00 in New York, where Sam is.
    assert fields["day"]["initial_date"] == "2026-11-23"
    assert web.slack.responses == []

    ack = submit(web, view, client=(acme.id, acme.name), note="Called about their claim")
    assert ack is None
    confirmation = last_dm(web.slack, "U0SAM")
    assert "Logged a touch with *Acme Insurance Group*" in confirmation["text"]
    assert touches(web.deps.db) == [("Acme Insurance Group", "Called about their claim", "value")]
    # The home follows at once, with the week's count.
    web.slack.wait_for(lambda: web.slack.home_view("U0SAM") is not None)
    home = web.slack.home_view("U0SAM")
    assert home is not None and "1 touch" in json.dumps(home)


def test_the_form_keeps_the_chosen_kind_day_and_follow_up(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group")
    web.command("", wait=False)
    view = opened(web.slack)
    submit(
        web,
        view,
        client=(acme.id, acme.name),
        note="Reviewed their cover",
        day="2026-11-20",
        kind="routine",
        follow_up="2026-12-01",
    )
    last_dm(web.slack, "U0SAM")
    assert touches(web.deps.db) == [("Acme Insurance Group", "Reviewed their cover", "routine")]
    from bot.db import repository as repo

    with web.deps.db.transaction() as session:
        [touch] = repo.recent_touches(session, TEAM, acme.id)
    assert touch.follow_up_on == dt.date(2026, 12, 1)
    assert touch.occurred_at == dt.datetime(2026, 11, 20, 17, tzinfo=dt.UTC)  # noon in New York


def test_mistakes_come_back_inline_and_nothing_is_saved(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group")
    web.command("", wait=False)
    view = opened(web.slack)
    ack = submit(web, view, client=None, note="   ", day="2026-11-24", follow_up="2026-11-23")
    assert ack == {
        "response_action": "errors",
        "errors": {
            "client": "Which client was it?",
            "note": "Add a few words about what happened.",
            "day": "That day hasn't happened yet.",
            "follow_up": "Pick a day after today for the reminder.",
        },
    }
    ack = submit(web, view, client=(acme.id, acme.name), note="called", day="2026-11-24")
    assert ack == {"response_action": "errors", "errors": {"day": "That day hasn't happened yet."}}
    assert touches(web.deps.db) == []
    assert web.slack.calls_to("chat.postMessage") == []


def test_the_picker_searches_the_workspaces_clients(web: WebApp) -> None:
    add_client(web.deps.db, "Acme Insurance Group", aliases=("AIG",))
    add_client(web.deps.db, "Northwind Traders", owner="U0PRIYA")
    add_client(web.deps.db, "The Acme Store", owner=None)

    def suggest(value: str) -> list[dict[str, Any]]:
        body = slack_requests.block_suggestion_body(
            user_id="U0SAM",
            team_id=TEAM,
            action_id="client",
            block_id="client",
            value=value,
            view_callback_id="log_touch",
        )
        status, raw = web.post(body)
        assert status == 200, raw
        options: list[dict[str, Any]] = json.loads(raw)["options"]
        return options

    assert [o["text"]["text"] for o in suggest("acm")] == ["Acme Insurance Group", "The Acme Store"]
    # Anyone's clients: anyone may log a touch with any client.
    assert [o["text"]["text"] for o in suggest("nrthwnd")] == ["Northwind Traders"]
    assert suggest("aig")[0]["description"]["text"] == "also called AIG"
    assert len(suggest("")) == 3


def test_the_picker_offers_at_most_100_clients(web: WebApp) -> None:
    for i in range(120):
        add_client(web.deps.db, f"Client {i:03d}")
    body = slack_requests.block_suggestion_body(
        user_id="U0SAM",
        team_id=TEAM,
        action_id="client",
        block_id="client",
        value="client",
        view_callback_id="log_touch",
    )
    status, raw = web.post(body)
    assert status == 200
    options = json.loads(raw)["options"]
    assert len(options) == 100 and options[0]["text"]["text"] == "Client 000"


def test_typing_the_note_preselects_the_kind_and_keeps_what_was_typed(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group")
    web.command("", wait=False)
    view = opened(web.slack)
    state = state_from(view, client=(acme.id, acme.name), note="sent the invoice", day="2026-11-20")
    body = slack_requests.block_actions_body(
        user_id="U0SAM",
        team_id=TEAM,
        actions=[
            {
                "type": "plain_text_input",
                "action_id": "note",
                "block_id": "note",
                "value": "sent the invoice",
            }
        ],
        view={
            "id": view["id"],
            "hash": view["hash"],
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "state": {"values": state},
        },
    )
    assert web.post(body)[0] == 200
    web.slack.wait_for(lambda: bool(web.slack.calls_to("views.update")))
    [call] = web.slack.calls_to("views.update")
    assert call.ok, call.error
    assert (call.params["view_id"], call.params["hash"]) == (view["id"], view["hash"])
    updated = web.slack.view(view["id"])
    assert updated is not None
    assert view_problems(updated, expected_type="modal") == []
    fields = inputs(updated)
    assert fields["kind.routine"]["initial_option"]["value"] == "routine"
    assert fields["note"]["initial_value"] == "sent the invoice"
    assert fields["client"]["initial_option"]["value"] == str(acme.id)
    assert fields["day"]["initial_date"] == "2026-11-20"

    # Submitted without touching the kind: it counts as the form showed.
    submit(web, updated, note="sent the invoice")
    last_dm(web.slack, "U0SAM")
    assert touches(web.deps.db) == [("Acme Insurance Group", "sent the invoice", "routine")]


def test_the_digest_button_opens_the_form_on_its_client(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group")
    body = slack_requests.block_actions_body(
        user_id="U0SAM",
        team_id=TEAM,
        actions=[{"action_id": "nudge_log_touch", "value": str(acme.id)}],
        response_url=web.slack.response_url("digest"),
    )
    assert web.post(body)[0] == 200
    view = opened(web.slack)
    picked = inputs(view)["client"]["initial_option"]
    assert picked == {
        "text": {"type": "plain_text", "text": "Acme Insurance Group", "emoji": True},
        "value": str(acme.id),
    }
    submit(web, view, note="Lunch with the owner")
    last_dm(web.slack, "U0SAM")
    assert touches(web.deps.db) == [("Acme Insurance Group", "Lunch with the owner", "value")]


def test_a_client_gone_since_the_form_opened_is_said_plainly(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group")
    add_touch(web.deps.db, acme, dt.datetime(2026, 11, 2, 15, tzinfo=dt.UTC))
    web.command("", wait=False)
    view = opened(web.slack)
    submit(web, view, client=(acme.id + 100, "Someone Else"), note="called")
    assert "isn't in the book any more" in last_dm(web.slack, "U0SAM")["text"]
    assert len(touches(web.deps.db)) == 1


def test_control_characters_in_the_note_are_dropped_and_lines_kept(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group")
    web.command("", wait=False)
    view = opened(web.slack)
    note = "Called\x00 about\r\ntheir claim\x1b\n\tnext: cover"
    assert submit(web, view, client=(acme.id, acme.name), note=note) is None
    assert "Logged a touch" in last_dm(web.slack, "U0SAM")["text"]
    assert touches(web.deps.db) == [
        ("Acme Insurance Group", "Called about\ntheir claim\n\tnext: cover", "value")
    ]


def test_a_note_of_nothing_but_control_characters_is_empty(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group")
    web.command("", wait=False)
    view = opened(web.slack)
    ack = submit(web, view, client=(acme.id, acme.name), note="\x00\x00 \x07")
    assert ack == {
        "response_action": "errors",
        "errors": {"note": "Add a few words about what happened."},
    }
    assert touches(web.deps.db) == []
