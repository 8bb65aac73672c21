"""The one guard every listener runs through: which workspace a request acts for, what a rep is
told when the work fails, and the client picker's deadline."""

from __future__ import annotations

import ast
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bot.devtools import slack_requests
from bot.slack import listeners
from bot.ui import text
from bot.ui.ids import CLIENT, LOG_AS_TOUCH, LOG_TOUCH_VIEW
from tests.conftest import TEAM, WebApp, buttons
from tests.helpers import add_client, touches, touches_refused
from tests.slack.listeners.test_home import open_home, published
from tests.slack.test_malformed import as_interaction, payload_of
from tests.slack.test_web import send, signed

ELSEWHERE = "T0ELSEWHERE"
LISTENERS = Path(listeners.__file__).parent


def test_every_listener_runs_through_the_guard() -> None:
    """`@app.<kind>(…)` is always followed by `@guarded`: no work runs after an ack unguarded."""
    found: list[str] = []
    unguarded: list[str] = []
    for path in sorted(LISTENERS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            names = [ast.unparse(d) for d in node.decorator_list]
            # A middleware is no listener: it runs before the ack and does no work after it.
            if any(name.startswith("app.") and name != "app.middleware" for name in names):
                found.append(f"{path.stem}.{node.name}")
                if names[-1] != "guarded":
                    unguarded.append(f"{path.stem}.{node.name}")
    assert len(found) >= 21
    assert unguarded == []


# ---------------------------------------------------------------------------------------------
# The workspace a request acts for


def test_requests_for_another_workspace_are_ignored(
    web: WebApp, caplog: pytest.LogCaptureFixture
) -> None:
    """Signed, well-formed, and for a workspace this installation doesn't serve: 200 at once,
    one log line, and nothing done. A payload's `team` doesn't decide; the user's team does."""
    add_client(web.deps.db, "Acme Insurance Group")
    [flip] = buttons(web.command("acme called about claim"))
    calls_before = len(web.slack.calls)
    caplog.clear()
    caplog.set_level(logging.INFO)

    command = slack_requests.slash_command_body(
        command="/touch",
        text="acme called again",
        user_id="U0SAM",
        team_id=ELSEWHERE,
        response_url=web.slack.response_url("elsewhere-command"),
    )
    click = payload_of(
        slack_requests.block_actions_body(
            user_id="U0SAM",
            team_id=ELSEWHERE,
            actions=[flip],
            response_url=web.slack.response_url("elsewhere-click"),
        )
    )
    click["team"]["id"] = TEAM  # the payload's team claims ours; the user's team is not
    home = slack_requests.event_callback_body(
        team_id=ELSEWHERE,
        event={"type": "app_home_opened", "user": "U0SAM", "tab": "home"},
    )
    picker = slack_requests.block_suggestion_body(
        user_id="U0SAM",
        team_id=ELSEWHERE,
        action_id=CLIENT,
        block_id=CLIENT,
        value="ac",
        view_callback_id=LOG_TOUCH_VIEW,
    )
    bodies = [command, as_interaction(click), home, picker]
    for body in bodies:
        answer = send(web.url, "/slack/events", body.encode(), signed(body))
        assert (answer.status, answer.seconds < 1) == (200, True)
        assert b"Acme" not in answer.body
    time.sleep(0.5)  # time enough for any work that shouldn't happen
    assert touches(web.deps.db) == [("Acme Insurance Group", "called about claim", "value")]
    assert web.slack.calls[calls_before:] == []
    ignored = [r for r in caplog.records if ELSEWHERE in r.getMessage()]
    assert len(ignored) == len(bodies)
    assert all(r.exc_info is None and len(r.getMessage()) < 200 for r in caplog.records)


def test_the_users_own_team_decides_not_the_payloads(web: WebApp) -> None:
    add_client(web.deps.db, "Acme Insurance Group")
    [flip] = buttons(web.command("acme called about claim"))
    click = payload_of(
        slack_requests.block_actions_body(
            user_id="U0SAM",
            team_id=TEAM,
            actions=[flip],
            response_url=web.slack.response_url("ours"),
        )
    )
    click["team"] = {"id": ELSEWHERE, "domain": "elsewhere"}  # a shared channel, say
    assert web.post(as_interaction(click))[0] == 200
    assert "routine" in web.reply("ours")["text"]
    assert touches(web.deps.db)[0][2] == "routine"


def test_a_user_sent_without_a_team_is_of_the_payloads_team(web: WebApp) -> None:
    """Slack's own examples of message shortcuts give the user no team_id."""
    add_client(web.deps.db, "Acme Insurance Group")
    shortcut = payload_of(
        slack_requests.message_action_body(
            user_id="U0SAM",
            team_id=TEAM,
            callback_id=LOG_AS_TOUCH,
            message_text="acme called",
            response_url=web.slack.response_url("shortcut"),
        )
    )
    del shortcut["user"]["team_id"]
    assert web.post(as_interaction(shortcut))[0] == 200
    web.slack.wait_for(lambda: bool(web.slack.opened_views))


def test_an_event_acts_for_the_workspace_slack_authorized(
    web: WebApp, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.loads(
        slack_requests.event_callback_body(
            team_id=TEAM, event={"type": "app_home_opened", "user": "U0SAM", "tab": "home"}
        )
    )
    body["authorizations"][0]["team_id"] = ELSEWHERE
    caplog.set_level(logging.INFO)
    assert web.post(json.dumps(body))[0] == 200
    time.sleep(0.5)
    assert web.slack.calls_to("views.publish") == []
    assert any(ELSEWHERE in r.getMessage() for r in caplog.records)
    open_home(web)
    published(web.slack)


# ---------------------------------------------------------------------------------------------
# Requests nothing here handles


def test_an_unknown_action_gets_200_and_one_short_line(
    web: WebApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    body = slack_requests.block_actions_body(
        user_id="U0SAM",
        team_id=TEAM,
        actions=[{"action_id": "from_an_older_version", "value": "1"}],
        response_url=web.slack.response_url("unknown"),
    )
    answer = send(web.url, "/slack/events", body.encode(), signed(body))
    assert (answer.status, answer.body, answer.seconds < 1) == (200, b"", True)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith(("bot", "slack_bolt"))]
    assert len(lines) == 1 and len(lines[0]) < 200, lines
    assert "from_an_older_version" in lines[0]
    assert "Traceback" not in caplog.text


# ---------------------------------------------------------------------------------------------
# The client picker's deadline


@pytest.fixture
def slow_client_reads(web: WebApp) -> Iterator[None]:
    """Every read of the client table takes 2.5 s: a database under heavy load."""

    def slow(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM client" in statement:
            time.sleep(2.5)

    engine = web.deps.db.engine
    event.listen(engine, "before_cursor_execute", slow)
    yield
    # The read the picker stopped waiting for goes on; it ends before the database is reset.
    web.slack.wait_for(lambda: engine.pool.checkedout() == 0)  # type: ignore[attr-defined]
    event.remove(engine, "before_cursor_execute", slow)


def test_the_picker_answers_in_time_when_the_database_is_slow(
    web: WebApp, slow_client_reads: None
) -> None:
    add_client(web.deps.db, "Acme Insurance Group")
    body = slack_requests.block_suggestion_body(
        user_id="U0SAM",
        team_id=TEAM,
        action_id=CLIENT,
        block_id=CLIENT,
        value="ac",
        view_callback_id=LOG_TOUCH_VIEW,
    )
    answer = send(web.url, "/slack/events", body.encode(), signed(body))
    assert answer.status == 200
    assert answer.seconds < 2.5
    assert json.loads(answer.body) == {"options": []}


# ---------------------------------------------------------------------------------------------
# What the rep is told


def test_a_database_refusing_a_value_says_so_without_try_again(web: WebApp) -> None:
    """The database refuses the touch (a constraint): a retry can't fix that, so the reply
    doesn't ask for one, and nothing is saved."""
    add_client(web.deps.db, "Acme Insurance Group")
    web.command("help")
    with touches_refused(web.deps.db):
        reply = web.command("acme called about the claim")
    assert reply["text"] == text.NOT_SAVED_AS_WRITTEN
    assert "try again" not in reply["text"]
    assert touches(web.deps.db) == []


def test_an_unexpected_failure_is_logged_once_and_told_plainly(
    web: WebApp, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug: the traceback is logged once, at ERROR, and the rep isn't asked to retry."""
    add_client(web.deps.db, "Acme Insurance Group")
    web.command("acme called about claim")
    # A touch of a kind the code doesn't know: reading it back can only fail.
    with web.deps.db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE touch SET kind = 'nonsense'")
    caplog.set_level(logging.INFO)
    reply = web.command("undo")
    assert reply["text"] == text.WENT_WRONG
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is not None
