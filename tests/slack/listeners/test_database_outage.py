"""A silent database, end to end: the real web app with its PostgreSQL behind a fault proxy.

Slack still gets every ack within its 3 seconds, the rep gets a polite reply within about ten,
and when the database is back the next `/touch` works, with nothing half-written meanwhile.
PostgreSQL only (set TOUCHBASE_TEST_DATABASE_URL), with the default limits.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from bot.db.engine import Database
from bot.devtools import slack_requests
from bot.ui import text
from tests.conftest import TEAM, WebApp, buttons
from tests.faults import FaultProxy, Mode
from tests.helpers import add_client, touches

pytestmark = pytest.mark.skipif(
    not os.environ.get("TOUCHBASE_TEST_DATABASE_URL"),
    reason="TOUCHBASE_TEST_DATABASE_URL is not set",
)

ACK_LIMIT = 3.0  # Slack's
REPLY_LIMIT = 10.0


@pytest.fixture
def proxy(database_url: str) -> Iterator[FaultProxy]:
    with FaultProxy.before(database_url) as proxy:
        yield proxy


@pytest.fixture
def db(proxy: FaultProxy, database_url: str) -> Iterator[Database]:
    """The app's database (conftest's `web` uses this one), reached through the proxy."""
    database = Database.from_url(proxy.url(database_url))
    yield database
    database.dispose()


@pytest.fixture
def partition(web: WebApp, proxy: FaultProxy) -> Iterator[FaultProxy]:
    yield proxy
    # Healed before `web` waits for its listeners, so none is left on a held connection.
    proxy.mode = Mode.PASS


def test_a_silent_database_gets_polite_replies_in_time_and_recovers(
    web: WebApp, partition: FaultProxy, db: Database
) -> None:
    add_client(db, "Acme Insurance Group")
    logged = web.command("acme called about claim")
    [flip] = buttons(logged)  # the connection that logged it is now in the pool

    partition.mode = Mode.SILENT
    started = time.monotonic()
    command = slack_requests.slash_command_body(
        command="/touch",
        text="acme sent the renewal pack",
        user_id="U0SAM",
        team_id=TEAM,
        response_url=web.slack.response_url("silent-touch"),
    )
    click = slack_requests.block_actions_body(
        user_id="U0SAM",
        team_id=TEAM,
        actions=[flip],
        response_url=web.slack.response_url("silent-click"),
    )
    for body in (command, click):
        status, _ = web.post(body)
        assert status == 200
        assert time.monotonic() - started < ACK_LIMIT
    for key in ("silent-touch", "silent-click"):
        web.slack.wait_for(
            lambda key=key: bool(web.slack.responses_to(key)),  # type: ignore[misc]
            timeout=REPLY_LIMIT - (time.monotonic() - started),
        )
        assert web.slack.responses_to(key)[-1]["text"] == text.DATABASE_AWAY

    partition.mode = Mode.PASS
    started = time.monotonic()
    again = web.command("acme called back")
    assert time.monotonic() - started < ACK_LIMIT
    assert "Acme Insurance Group" in again["text"]
    assert touches(db) == [
        ("Acme Insurance Group", "called about claim", "value"),
        ("Acme Insurance Group", "called back", "value"),
    ]
