"""Overload: when more requests come than the work pool takes, every one is still acked in time,
and each touch is either recorded and confirmed, or the rep is told plainly that nothing was
saved and to send it again. An event the pool can't take gets a 503, and Slack's retry of it is
handled, not refused as a replay."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

from bot.db import repository as repo
from bot.deps import Deps
from bot.devtools import slack_requests
from bot.devtools.standin import SlackStandIn
from bot.slack.app import create_app
from bot.slack.guard import ACK_DEADLINE
from bot.slack.web import REPLAY_DEADLINE, create_wsgi_app
from bot.ui import text
from tests.conftest import SECRET, TEAM, WebApp
from tests.helpers import add_client, touches

FLOOD = 8  # commands at once: the session's server has 8 threads
# Tasks the held pool takes: each command brings two, its uninstall check (listeners.events)
# and then its work, and none finishes while the pool is held. So the 9 taken are at least
# one command's work, and at most four, and at least four commands are turned away.
LIMIT = FLOOD + 1


@dataclass
class Jammed:
    """The web app over a one-thread pool that the test holds busy until `free()`."""

    web: WebApp
    listeners: ThreadPoolExecutor
    gate: threading.Event

    def free(self) -> None:
        """Let the pool's thread go, and wait until it has done what the pool held."""
        self.gate.set()
        self.listeners.submit(lambda: None).result(timeout=10)


@pytest.fixture
def jammed(_server: Any, slack: SlackStandIn, deps: Deps) -> Iterator[Jammed]:
    dispatcher, url = _server
    listeners = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-listener")
    gate = threading.Event()
    listeners.submit(gate.wait, 30)  # the pool's one thread, busy until the test frees it
    dispatcher.app = create_wsgi_app(
        create_app(deps, listener_executor=listeners, work_limit=LIMIT),
        deps.db,
        signing_secret=SECRET,
    )
    yield Jammed(WebApp(url, slack, deps), listeners, gate)
    gate.set()
    dispatcher.app = None
    listeners.shutdown(wait=True)


def flood(web: WebApp, notes: list[str]) -> list[tuple[str, int, bytes, float]]:
    """Send `/touch acme <note>` for every note at once: (key, status, ack body, seconds)."""
    answers: list[tuple[str, int, bytes, float]] = [("", 0, b"", 0.0)] * len(notes)
    start = threading.Barrier(len(notes))

    def send(i: int) -> None:
        start.wait()
        began = time.monotonic()
        key, (status, body) = web.send_command(f"acme {notes[i]}")
        answers[i] = (key, status, body, time.monotonic() - began)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(notes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_a_flood_past_the_pool_loses_no_touch_silently(jammed: Jammed) -> None:
    web = jammed.web
    add_client(web.deps.db, "Acme Insurance Group")
    notes = [f"called about claim {i}" for i in range(FLOOD)]

    answers = flood(web, notes)
    jammed.free()

    logged, refused = [], []
    for note, (key, status, body, seconds) in zip(notes, answers, strict=True):
        # Every request is acked, in time for Slack, however full the pool.
        assert status == 200
        assert seconds < ACK_DEADLINE + REPLAY_DEADLINE + 0.5 < 3
        if body and json.loads(body)["text"] == text.BUSY:
            # Turned away at once, told so plainly, and nothing more will come.
            assert seconds < ACK_DEADLINE
            refused.append((note, key))
            continue
        # Taken: acked empty at the deadline (the pool was held), the reply follows.
        assert body == b""
        reply = web.reply(key)
        assert "Logged a touch with *Acme Insurance Group*" in reply["text"]
        logged.append(note)

    assert refused, "the flood should overflow the pool"
    assert logged, "the pool should take some of the flood"
    # Exactly the touches confirmed were recorded, each once; the refused ones got no reply.
    assert sorted(touches(web.deps.db)) == sorted(
        ("Acme Insurance Group", note, "value") for note in logged
    )
    for _, key in refused:
        assert web.slack.responses_to(key) == []


def test_an_event_the_full_pool_cant_take_is_retried_by_slack_and_handled(
    jammed: Jammed,
) -> None:
    web = jammed.web
    add_client(web.deps.db, "Acme Insurance Group")
    flood(web, [f"called {i}" for i in range(FLOOD)])  # fills the pool
    web.slack.add_user("U0SAM", name="sam", real_name="Sam Renamed", tz="Europe/Paris")
    user = web.deps.slack.users_info(user="U0SAM")["user"]
    body = slack_requests.event_callback_body(
        team_id=TEAM, event={"type": "user_change", "user": user, "cache_ts": 1_700_000_000}
    )

    status, _ = web.post(body)
    assert status == 503  # Slack will retry it

    jammed.free()
    # Slack's retry: the same event, signed afresh.
    status, _ = web.post(body, timestamp=int(time.time()) + 1)
    assert status == 200
    web.slack.wait_for(lambda: rep_tz(web, "U0SAM") == "Europe/Paris")


def rep_tz(web: WebApp, user_id: str) -> str | None:
    with web.deps.db.transaction() as session:
        rep = repo.get_rep(session, TEAM, user_id)
    return rep.tz if rep else None
