"""Signed Slack requests, checked by slack_sdk and by a real Bolt app served over HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import jsonschema
import pytest
from slack_bolt import Ack, App, Respond
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.devtools.slack_requests import (
    block_actions_body,
    block_suggestion_body,
    event_callback_body,
    message_action_body,
    post,
    sign,
    slash_command_body,
    url_verification_body,
    view_submission_body,
)
from bot.devtools.standin import SlackStandIn

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SCHEMA = json.loads(
    (Path(__file__).with_name("slack_common_event_wrapper_schema.json")).read_text()
)


def payload_of(body: str) -> dict[str, Any]:
    [raw] = parse_qs(body)["payload"]
    data: dict[str, Any] = json.loads(raw)
    return data


# ---- pure helpers -----------------------------------------------------------------------------


def test_signature_verified_by_slack_sdk() -> None:
    body = slash_command_body(
        command="/touchbase", text="hi", user_id="U0ALICE", team_id="T0TOUCH", response_url="x"
    )
    now = int(time.time())
    headers = sign(SECRET, body, now)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert SignatureVerifier(SECRET).is_valid_request(body, headers)
    assert not SignatureVerifier("another-secret").is_valid_request(body, headers)
    assert not SignatureVerifier(SECRET).is_valid_request(body + "&x=1", headers)
    stale = sign(SECRET, body, now - 600)
    assert not SignatureVerifier(SECRET).is_valid_request(body, stale)
    assert sign(SECRET, "{}", now)["Content-Type"] == "application/json"


def test_slash_command_body_fields() -> None:
    body = slash_command_body(
        command="/touchbase",
        text="log Acme call",
        user_id="U0ALICE",
        team_id="T0TOUCH",
        response_url="https://example.test/respond/1",
        trigger_id="trig.9",
    )
    fields = {k: v[0] for k, v in parse_qs(body).items()}
    assert fields["command"] == "/touchbase" and fields["text"] == "log Acme call"
    assert fields["user_id"] == "U0ALICE" and fields["team_id"] == "T0TOUCH"
    assert fields["channel_id"] == "C0GENERAL" and fields["channel_name"] == "general"
    assert fields["response_url"] == "https://example.test/respond/1"
    assert fields["trigger_id"] == "trig.9"
    expected = {"token", "team_domain", "user_name", "api_app_id"}
    assert expected <= fields.keys()


def test_block_actions_payload_shapes() -> None:
    in_message = payload_of(
        block_actions_body(
            user_id="U0ALICE",
            team_id="T0TOUCH",
            actions=[{"action_id": "snooze", "value": "7"}],
            response_url="https://example.test/r",
            channel_id="D0ALICE",
            message={"ts": "1700000000.000500", "text": "Reminder"},
        )
    )
    assert in_message["type"] == "block_actions"
    assert in_message["user"] == {
        "id": "U0ALICE",
        "username": "alice",
        "name": "alice",
        "team_id": "T0TOUCH",
    }
    assert in_message["team"]["id"] == "T0TOUCH" and in_message["api_app_id"]
    [action] = in_message["actions"]
    assert action["action_id"] == "snooze" and action["value"] == "7"
    assert action["type"] == "button" and action["block_id"] and action["action_ts"]
    assert in_message["container"]["channel_id"] == "D0ALICE"
    assert in_message["container"]["message_ts"] == "1700000000.000500"
    assert in_message["channel"]["id"] == "D0ALICE"
    assert in_message["message"]["text"] == "Reminder"

    in_view = payload_of(
        block_actions_body(
            user_id="U0ALICE",
            team_id="T0TOUCH",
            actions=[{"action_id": "pick", "type": "static_select"}],
            view={"id": "V9", "callback_id": "edit_client"},
        )
    )
    assert in_view["container"] == {"type": "view", "view_id": "V9"}
    assert in_view["view"]["callback_id"] == "edit_client"
    assert "response_url" not in in_view and "channel" not in in_view


def test_other_payload_shapes() -> None:
    values = {"name": {"name_input": {"type": "plain_text_input", "value": "Acme"}}}
    submission = payload_of(
        view_submission_body(
            user_id="U0ALICE",
            team_id="T0TOUCH",
            callback_id="add_client",
            state_values=values,
            private_metadata="42",
        )
    )
    assert submission["type"] == "view_submission"
    assert submission["view"]["state"]["values"] == values
    assert submission["view"]["private_metadata"] == "42"
    assert submission["view"]["callback_id"] == "add_client"

    suggestion = payload_of(
        block_suggestion_body(
            user_id="U0ALICE",
            team_id="T0TOUCH",
            action_id="client",
            block_id="client_block",
            value="ac",
            view_callback_id="log",
        )
    )
    assert suggestion["type"] == "block_suggestion" and suggestion["value"] == "ac"
    assert suggestion["view"]["callback_id"] == "log"

    shortcut = payload_of(
        message_action_body(
            user_id="U0ALICE", team_id="T0TOUCH", callback_id="save", message_text="notes"
        )
    )
    assert shortcut["type"] == "message_action" and shortcut["callback_id"] == "save"
    assert shortcut["message"]["text"] == "notes" and shortcut["response_url"]


def test_event_callback_matches_the_events_api_schema() -> None:
    event = {"type": "app_home_opened", "user": "U0ALICE", "channel": "D0ALICE", "tab": "home"}
    body = event_callback_body(team_id="T0TOUCH", event=event)
    envelope = json.loads(body)
    jsonschema.validate(envelope, SCHEMA)
    assert envelope["event"]["type"] == "app_home_opened" and envelope["event"]["event_ts"]
    assert envelope["type"] == "event_callback" and envelope["team_id"] == "T0TOUCH"
    other = json.loads(event_callback_body(team_id="T0TOUCH", event=event))
    assert other["event_id"] != envelope["event_id"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**envelope, "authed_users": []}, SCHEMA)


# ---- a real Bolt app over HTTP -------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class BoltApp:
    """A small Bolt app behind wsgiref, talking to the stand-in; records what it saw."""

    def __init__(self, slack: SlackStandIn) -> None:
        self.seen: dict[str, Any] = {}
        client = WebClient(base_url=slack.api_url, token="xoxb-test")
        app = App(signing_secret=SECRET, client=client, process_before_response=True)

        @app.command("/touchbase")
        def command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
            ack()
            self.seen["command"] = command
            respond(text=f"pong: {command['text']}")

        @app.action("snooze")
        def snooze(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            self.seen["action"] = body
            client.chat_postMessage(channel=body["user"]["id"], text="snoozed")

        @app.view("add_client")
        def submit(ack: Ack, view: dict[str, Any]) -> None:
            self.seen["view"] = view
            ack(response_action="errors", errors={"name": "taken"})

        @app.options("client")
        def options(ack: Ack, payload: dict[str, Any]) -> None:
            ack(options=[{"text": {"type": "plain_text", "text": "Acme"}, "value": "1"}])
            self.seen["options"] = payload

        @app.shortcut("save")
        def shortcut(ack: Ack, shortcut: dict[str, Any]) -> None:
            ack()
            self.seen["shortcut"] = shortcut

        @app.event("app_mention")
        def mention(event: dict[str, Any]) -> None:
            self.seen["event"] = event

        handler = SlackRequestHandler(app)
        self.server: WSGIServer = make_server("127.0.0.1", 0, handler, handler_class=_QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/slack/events"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        standin.add_user("U0ALICE", name="alice")
        yield standin


@pytest.fixture(scope="module")
def bolt(slack: SlackStandIn) -> Iterator[BoltApp]:
    app = BoltApp(slack)
    yield app
    app.close()


def test_bolt_accepts_a_slash_command(slack: SlackStandIn, bolt: BoltApp) -> None:
    url = slack.response_url("cmd")
    body = slash_command_body(
        command="/touchbase", text="ping", user_id="U0ALICE", team_id="T0TOUCH", response_url=url
    )
    status, _ = post(bolt.url, body, SECRET)
    assert status == 200
    assert bolt.seen["command"]["user_id"] == "U0ALICE"
    slack.wait_for(lambda: bool(slack.responses_to("cmd")))
    assert slack.responses_to("cmd")[0]["text"] == "pong: ping"


def test_bolt_rejects_bad_signatures(bolt: BoltApp) -> None:
    body = slash_command_body(
        command="/touchbase", text="x", user_id="U0ALICE", team_id="T0TOUCH", response_url="x"
    )
    assert post(bolt.url, body, "wrong-secret")[0] == 401
    assert post(bolt.url, body, SECRET, timestamp=int(time.time()) - 3600)[0] == 401


def test_bolt_handles_block_actions(slack: SlackStandIn, bolt: BoltApp) -> None:
    body = block_actions_body(
        user_id="U0ALICE",
        team_id="T0TOUCH",
        actions=[{"action_id": "snooze", "value": "7"}],
        response_url=slack.response_url("act"),
        channel_id="C0GENERAL",
    )
    status, _ = post(bolt.url, body, SECRET)
    assert status == 200
    assert bolt.seen["action"]["actions"][0]["value"] == "7"
    assert [m["text"] for m in slack.dm_messages("U0ALICE")][-1] == "snoozed"


def test_bolt_handles_view_submission(bolt: BoltApp) -> None:
    values = {"name": {"name_input": {"type": "plain_text_input", "value": "Acme"}}}
    body = view_submission_body(
        user_id="U0ALICE", team_id="T0TOUCH", callback_id="add_client", state_values=values
    )
    status, raw = post(bolt.url, body, SECRET)
    assert status == 200
    assert json.loads(raw) == {"response_action": "errors", "errors": {"name": "taken"}}
    assert bolt.seen["view"]["state"]["values"] == values


def test_bolt_handles_block_suggestion(bolt: BoltApp) -> None:
    body = block_suggestion_body(
        user_id="U0ALICE",
        team_id="T0TOUCH",
        action_id="client",
        block_id="client_block",
        value="ac",
        view_callback_id="log",
    )
    status, raw = post(bolt.url, body, SECRET)
    assert status == 200
    assert json.loads(raw)["options"][0]["value"] == "1"
    assert bolt.seen["options"]["value"] == "ac"


def test_bolt_handles_message_shortcut(bolt: BoltApp) -> None:
    body = message_action_body(
        user_id="U0ALICE", team_id="T0TOUCH", callback_id="save", message_text="met Acme"
    )
    assert post(bolt.url, body, SECRET)[0] == 200
    assert bolt.seen["shortcut"]["message"]["text"] == "met Acme"


def test_bolt_handles_events_and_url_verification(bolt: BoltApp) -> None:
    event = {"type": "app_mention", "user": "U0ALICE", "text": "<@U0TOUCHBOT> hi", "ts": "1.2"}
    event["channel"] = "C0GENERAL"
    assert post(bolt.url, event_callback_body(team_id="T0TOUCH", event=event), SECRET)[0] == 200
    assert bolt.seen["event"]["text"] == "<@U0TOUCHBOT> hi"
    status, raw = post(bolt.url, url_verification_body("abc123"), SECRET)
    assert status == 200 and json.loads(raw)["challenge"] == "abc123"
