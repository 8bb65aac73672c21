"""The "Log as touch" message shortcut end to end: a signed message_action to the real web app
opens the log-touch form with the message as the note."""

from __future__ import annotations

from bot.core.model import Source
from bot.core.plan import MAX_NOTE
from bot.db import repository as repo
from bot.devtools import slack_requests
from tests.conftest import TEAM, WebApp
from tests.helpers import add_client, touches
from tests.slack.listeners.test_modal import inputs, last_dm, opened, submit

EMAIL = (
    "From: Jo Park <jo@acme.example>\n"
    "Subject: Thanks!\n\n"
    "Hi Sam, thanks for reviewing our cover with us yesterday. "
    "<https://acme.example/notes|Our notes> are attached. Best, Jo at Acme"
)


def shortcut(web: WebApp, message: str, *, user: str = "U0SAM") -> None:
    body = slack_requests.message_action_body(
        user_id=user,
        team_id=TEAM,
        callback_id="log_as_touch",
        message_text=message,
        trigger_id="trig.shortcut",
        response_url=web.slack.response_url("shortcut"),
    )
    assert web.post(body)[0] == 200


def test_a_message_opens_the_form_with_it_as_the_note(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme")
    add_client(web.deps.db, "Northwind Traders")
    shortcut(web, EMAIL)
    view = opened(web.slack)
    assert web.slack.calls_to("views.open")[0].params["trigger_id"] == "trig.shortcut"
    fields = inputs(view)
    note = fields["note"]["initial_value"]
    assert note.startswith("From: Jo Park <jo@acme.example>\nSubject: Thanks!")
    # Slack's link markup reads as the words it shows.
    assert "Our notes are attached." in note
    # The message mentions Acme, and only Acme; a review is value-adding.
    assert fields["client"]["initial_option"]["value"] == str(acme.id)
    assert fields["kind.value"]["initial_option"]["value"] == "value"

    submit(web, view)
    assert "Logged a touch with *Acme*" in last_dm(web.slack, "U0SAM")["text"]
    [(client, logged, kind)] = touches(web.deps.db)
    assert (client, kind) == ("Acme", "value")
    assert logged.startswith("From: Jo Park") and logged.endswith("Best, Jo at Acme")
    with web.deps.db.transaction() as session:
        [touch] = repo.all_touches(session, TEAM)
    assert touch.source is Source.SHORTCUT


def test_a_message_naming_no_client_leaves_the_picker_to_the_rep(web: WebApp) -> None:
    northwind = add_client(web.deps.db, "Northwind Traders")
    shortcut(web, "Can you send the renewal paperwork?", user="U0PRIYA")
    view = opened(web.slack)
    fields = inputs(view)
    assert "initial_option" not in fields["client"]
    assert fields["kind.routine"]["initial_option"]["value"] == "routine"
    # Priya is in London, where it is Monday afternoon.
    assert fields["day"]["initial_date"] == "2026-11-23"
    assert submit(web, view, user="U0PRIYA") == {
        "response_action": "errors",
        "errors": {"client": "Which client was it?"},
    }
    submit(web, view, user="U0PRIYA", client=(northwind.id, northwind.name))
    last_dm(web.slack, "U0PRIYA")
    assert touches(web.deps.db) == [
        ("Northwind Traders", "Can you send the renewal paperwork?", "routine")
    ]


def test_a_long_message_is_cut_to_what_a_touch_can_hold(web: WebApp) -> None:
    shortcut(web, "word " * 1000)
    note = inputs(opened(web.slack))["note"]
    assert note["max_length"] == MAX_NOTE
    assert len(note["initial_value"]) == MAX_NOTE
