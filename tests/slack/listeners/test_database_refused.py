"""A database that refuses every connection, end to end: each listener that reads or writes gets
its 200 at once, and the rep a polite "try again in a moment" where they look: the message the
button was on, the Home tab they opened, or else their DM with the bot.

PostgreSQL behind a fault proxy refusing connections, or SQLite at a path that can't be opened.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.db.engine import Database
from bot.devtools import slack_requests
from bot.ui import text
from bot.ui.ids import HOME_LOG, HOME_OPEN, LOG_FROM_NUDGE, LOG_TOUCH_VIEW
from bot.ui.modals import log_touch_view
from tests.conftest import TEAM, WebApp
from tests.faults import FaultProxy, Mode
from tests.slack.listeners.test_modal import state_from

ACK_LIMIT = 3.0  # Slack's


@pytest.fixture
def db(database_url: str, tmp_path: Path) -> Iterator[Database]:
    """The app's database (conftest's `web` uses this one), refusing every connection."""
    if database_url.startswith("sqlite"):
        database = Database.from_url(f"sqlite:///{tmp_path / 'no such folder' / 'touchbase.db'}")
        yield database
        database.dispose()
        return
    with FaultProxy.before(database_url) as proxy:
        proxy.mode = Mode.REFUSE
        database = Database.from_url(proxy.url(database_url))
        yield database
        database.dispose()


def post_in_time(web: WebApp, body: str) -> bytes:
    started = time.monotonic()
    status, raw = web.post(body)
    assert (status, time.monotonic() - started < ACK_LIMIT) == (200, True)
    return raw


def dm(web: WebApp, count: int) -> str:
    web.slack.wait_for(lambda: len(web.slack.dm_messages("U0SAM")) >= count)
    return str(web.slack.dm_messages("U0SAM")[count - 1]["text"])


def home_click(action: dict[str, Any]) -> str:
    return slack_requests.block_actions_body(
        user_id="U0SAM", team_id=TEAM, actions=[action], view={"id": "VHOME", "type": "home"}
    )


def test_log_a_touch_from_a_nudge(web: WebApp) -> None:
    body = slack_requests.block_actions_body(
        user_id="U0SAM",
        team_id=TEAM,
        actions=[{"action_id": LOG_FROM_NUDGE, "value": "1", "block_id": "nudge-actions:1"}],
        response_url=web.slack.response_url("log"),
    )
    post_in_time(web, body)
    reply = web.reply("log")
    assert reply["text"] == text.DATABASE_AWAY
    assert reply.get("response_type") == "ephemeral"


def test_log_a_touch_and_open_client_from_the_home(web: WebApp) -> None:
    post_in_time(web, home_click({"action_id": HOME_LOG, "value": "1"}))
    assert dm(web, 1) == text.DATABASE_AWAY
    post_in_time(web, home_click({"action_id": HOME_OPEN, "value": "1"}))
    assert dm(web, 2) == text.DATABASE_AWAY


def test_the_log_touch_form(web: WebApp) -> None:
    form = log_touch_view(None, dt.date(2026, 11, 23))
    body = slack_requests.view_submission_body(
        user_id="U0SAM",
        team_id=TEAM,
        callback_id=LOG_TOUCH_VIEW,
        state_values=state_from(form, client=(1, "Acme Insurance Group"), note="called"),
        private_metadata=form["private_metadata"],
    )
    assert post_in_time(web, body) == b""  # the form closes
    assert dm(web, 1) == text.DATABASE_AWAY


def test_the_home_tab(web: WebApp) -> None:
    body = slack_requests.event_callback_body(
        team_id=TEAM,
        event={"type": "app_home_opened", "user": "U0SAM", "channel": "D0HOME", "tab": "home"},
    )
    post_in_time(web, body)
    # Said on the tab the rep is looking at, in place of a book that can't be read now.
    web.slack.wait_for(lambda: web.slack.home_view("U0SAM") is not None)
    home = web.slack.home_view("U0SAM")
    assert home is not None
    assert [b["text"]["text"] for b in home["blocks"]] == [text.DATABASE_AWAY]
    assert web.slack.dm_messages("U0SAM") == []
