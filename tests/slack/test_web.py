"""The HTTP edge, over HTTP to the real server: garbage gets a 4xx and at most one short log line,
replays do nothing twice, and the probes never wait on a silent database."""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import random
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import event

from bot.db import migrate
from bot.db.engine import Database
from bot.deps import Deps
from bot.devtools import slack_requests
from bot.devtools.standin import SlackStandIn
from bot.slack.app import create_app
from bot.slack.guard import ACK_DEADLINE
from bot.slack.web import REPLAY_DEADLINE, create_wsgi_app
from bot.ui import text
from bot.webapi import make_client
from tests.conftest import SECRET, TEAM, WebApp, make_settings
from tests.helpers import add_client, touches

# ---------------------------------------------------------------------------------------------
# HTTP with any headers and any bytes


@dataclass(frozen=True)
class Answer:
    status: int  # 0: no answer within the timeout
    body: bytes
    seconds: float


def send(
    url: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    *,
    method: str = "POST",
    timeout: float = 10,
) -> Answer:
    parts = urlsplit(url)
    started = time.monotonic()
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    try:
        # The server may answer a huge body, and close, before it has read it all.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, response.read(), time.monotonic() - started)
    except TimeoutError:
        return Answer(0, b"", time.monotonic() - started)
    finally:
        connection.close()


def signed(body: str, *, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    return slack_requests.sign(secret, body, int(time.time()) if timestamp is None else timestamp)


# ---------------------------------------------------------------------------------------------
# Garbage


def garbage_bodies(rng: random.Random) -> list[str | bytes]:
    """Bodies no Slack request has: not UTF-8, bad percent-encoding, `payload=` that isn't a
    JSON object, JSON that isn't an object, forms that are no kind of Slack request."""
    bodies: list[str | bytes] = []
    for _ in range(12):
        bodies.append(b"\xff" + rng.randbytes(rng.randint(0, 200)))
    bodies += [
        b"command=%2Ftouch&text=caf\xe9",
        b"payload=\xc3\x28",
        "command=%2&text=%zz%E9%",
        "payload=%7B%ZZ%",
        "%%%%=%%%",
        "payload=",
        "payload=%7B",
        "payload=1",
        "payload=null",
        "payload=%5B%5D",
        "payload=%22type%22",
        "payload=true&payload=%7B%7D",
        "[1, 2]",
        "{",
        '{"type":',
        "{]}",
        "{}" + "}" * 50,
        "",
        "a=b",
        "token=x&team_id=T1",
        "=",
        "&&&",
    ]
    for _ in range(12):
        words = "".join(chr(rng.randint(32, 0x2FFF)) for _ in range(rng.randint(1, 80)))
        bodies.append("payload=" + quote(words))
    for _ in range(8):
        bodies.append(json.dumps([rng.random() for _ in range(rng.randint(0, 5))]))
    return bodies


def test_garbage_gets_a_4xx_and_at_most_one_short_log_line(
    web: WebApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    rng = random.Random(20261123)
    now = int(time.time())
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    cases: list[tuple[str, bytes, dict[str, str], set[int]]] = []
    for body in garbage_bodies(rng):
        raw = body if isinstance(body, bytes) else body.encode()
        as_text = raw.decode("utf-8", "replace")
        refused = {400} if isinstance(body, bytes) else {401}  # not UTF-8 is malformed either way
        cases += [
            ("unsigned", raw, form, refused),
            ("wrong secret", raw, signed(as_text, secret="not-the-secret"), refused),
            ("stale", raw, signed(as_text, timestamp=now - 5 * 60 - 30), refused),
            (
                "bad timestamp",
                raw,
                {**signed(as_text), "X-Slack-Request-Timestamp": "soon"},
                refused,
            ),
            ("no signature", raw, {**form, "X-Slack-Request-Timestamp": str(now)}, refused),
            ("signed", raw, signed(as_text), {400}),
        ]
    huge = "command=%2Ftouch&text=" + "a" * (1 << 20)
    cases += [
        ("huge unsigned", huge.encode(), form, {413}),
        ("huge signed", huge.encode(), signed(huge), {413}),
    ]

    unexpected: list[tuple[str, bytes, int]] = []
    statuses: dict[int, int] = {}
    noisy: list[tuple[str, bytes, list[str]]] = []
    log_bytes = 0
    for name, raw, headers, expected in cases:
        caplog.clear()
        answer = send(web.url, "/slack/events", raw, headers)
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
        if answer.status not in expected:
            unexpected.append((name, raw[:40], answer.status))
        assert len(answer.body) < 200
        log_bytes += len(caplog.text)
        lines = caplog.text.splitlines()
        if len(caplog.records) > 1 or len(lines) > 1 or any(len(line) > 200 for line in lines):
            noisy.append((name, raw[:40], lines[:3]))
    summary = f"{len(cases)} requests: statuses {statuses}, {log_bytes} bytes of log"
    assert statuses.get(500, 0) == 0, summary
    assert unexpected == [], summary
    assert noisy == [], summary
    assert "Traceback" not in caplog.text


def test_a_signed_touch_still_works_after_the_garbage(web: WebApp) -> None:
    add_client(web.deps.db, "Acme Insurance Group")
    assert send(web.url, "/slack/events", b"\xff\xfe", signed("x")).status == 400
    reply = web.command("acme called about claim")
    assert "Acme Insurance Group" in reply["text"]


def test_a_command_that_says_payload_is_still_a_command(web: WebApp) -> None:
    """Bolt reads any form body with the text "payload" in it as an interactive payload; the
    edge parses the body itself, so the word is just a word."""
    add_client(web.deps.db, "Acme Insurance Group")
    reply = web.command("acme payload delivered")
    assert "Acme Insurance Group" in reply["text"]
    [(client, note, _)] = touches(web.deps.db)
    assert (client, note) == ("Acme Insurance Group", "payload delivered")


def test_only_post_to_the_events_path(web: WebApp) -> None:
    assert send(web.url, "/slack/events", method="GET").status == 405
    assert send(web.url, "/elsewhere", b"x", signed("x")).status == 404


# ---------------------------------------------------------------------------------------------
# Replays


@dataclass
class Edge:
    """The web app with a listener pool the test can drain, to count what a request did."""

    web: WebApp
    listeners: ThreadPoolExecutor

    def settle(self) -> None:
        self.listeners.shutdown(wait=True)


@pytest.fixture
def edge(_server: Any, slack: SlackStandIn, deps: Deps) -> Iterator[Edge]:
    dispatcher, url = _server
    listeners = ThreadPoolExecutor(max_workers=8, thread_name_prefix="test-listener")
    dispatcher.app = create_wsgi_app(
        create_app(deps, listener_executor=listeners), deps.db, signing_secret=SECRET
    )
    yield Edge(WebApp(url, slack, deps), listeners)
    dispatcher.app = None
    listeners.shutdown(wait=True)


def test_an_exact_replay_of_a_signed_touch_is_refused(
    edge: Edge, caplog: pytest.LogCaptureFixture
) -> None:
    web = edge.web
    add_client(web.deps.db, "Acme Insurance Group")
    body = slack_requests.slash_command_body(
        command="/touch",
        text="acme called about claim",
        user_id="U0SAM",
        team_id=TEAM,
        response_url=web.slack.response_url("once"),
    )
    headers = signed(body)
    first = send(web.url, "/slack/events", body.encode(), headers)
    assert first.status == 200 and b"Logged a touch" in first.body
    caplog.clear()
    replay = send(web.url, "/slack/events", body.encode(), headers)
    assert (replay.status, replay.body) == (200, b"")
    edge.settle()
    assert touches(web.deps.db) == [("Acme Insurance Group", "called about claim", "value")]
    assert web.slack.responses_to("once") == []
    assert len(caplog.records) <= 1


def test_the_same_command_signed_afresh_is_not_a_replay(edge: Edge) -> None:
    """Two /touch with the same words a second apart are two touches, not one replayed."""
    web = edge.web
    add_client(web.deps.db, "Acme Insurance Group")
    body = slack_requests.slash_command_body(
        command="/touch",
        text="acme called",
        user_id="U0SAM",
        team_id=TEAM,
        response_url=web.slack.response_url("twice"),
    )
    now = int(time.time())
    for timestamp in (now - 1, now):
        assert (
            send(web.url, "/slack/events", body.encode(), signed(body, timestamp=timestamp)).status
            == 200
        )
    edge.settle()
    assert len(touches(web.deps.db)) == 2


def home_opened(event_id: str) -> str:
    return slack_requests.event_callback_body(
        team_id=TEAM,
        event={"type": "app_home_opened", "user": "U0SAM", "channel": "D0HOME", "tab": "home"},
        event_id=event_id,
    )


def retry(body: str, number: int) -> dict[str, str]:
    """Slack's retry: the same body, signed afresh, saying which retry it is."""
    return {
        **signed(body, timestamp=int(time.time()) + number),
        "X-Slack-Retry-Num": str(number),
        "X-Slack-Retry-Reason": "http_timeout",
    }


def test_slacks_retries_of_a_handled_event_do_nothing(edge: Edge) -> None:
    web = edge.web
    body = home_opened("Ev0RETRIED")
    assert send(web.url, "/slack/events", body.encode(), signed(body)).status == 200
    for number in (1, 2, 3):
        answer = send(web.url, "/slack/events", body.encode(), retry(body, number))
        assert answer.status == 200
    edge.settle()
    assert len(web.slack.calls_to("views.publish")) == 1


def test_a_retry_of_an_event_never_handled_is_handled(edge: Edge) -> None:
    web = edge.web
    body = home_opened("Ev0FIRSTLOST")
    assert send(web.url, "/slack/events", body.encode(), retry(body, 1)).status == 200
    edge.settle()
    assert len(web.slack.calls_to("views.publish")) == 1


# ---------------------------------------------------------------------------------------------
# Probes


def get_json(url: str, path: str, *, timeout: float = 10) -> tuple[Answer, dict[str, Any]]:
    answer = send(url, path, method="GET", timeout=timeout)
    return answer, json.loads(answer.body or b"null")


def test_healthz_is_liveness(web: WebApp) -> None:
    answer, body = get_json(web.url, "/healthz")
    assert (answer.status, body) == (200, {"status": "ok"})


def test_readyz_reports_the_database(web: WebApp) -> None:
    answer, body = get_json(web.url, "/readyz")
    assert (answer.status, body) == (200, {"status": "ready"})


def test_readyz_is_unavailable_until_the_migrations_are_at_head(web: WebApp) -> None:
    engine = web.deps.db.engine
    migrate.downgrade(engine, "-1")
    try:
        answer, body = get_json(web.url, "/readyz")
    finally:
        migrate.upgrade(engine)
    assert (answer.status, body) == (
        503,
        {
            "status": "unavailable",
            "reason": "the database schema is behind this release: run `touchbase db upgrade`",
        },
    )


def test_a_storm_of_readiness_probes_costs_one_check(web: WebApp) -> None:
    checks: list[object] = []

    def count(*_args: Any) -> None:
        checks.append(None)

    event.listen(web.deps.db.engine, "checkout", count)
    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(lambda _: send(web.url, "/readyz", method="GET"), range(40)))
    finally:
        event.remove(web.deps.db.engine, "checkout", count)
    assert {a.status for a in answers} == {200}
    assert len(checks) <= 1


@pytest.mark.slow
def test_the_probes_and_slack_do_not_wait_on_a_silent_database(
    _server: Any, slack: SlackStandIn
) -> None:
    """A database that takes connections and never says a word: a network partition."""
    dispatcher, url = _server
    listener = socket.create_server(("127.0.0.1", 0), backlog=128)
    silent = Database.from_url(f"postgresql://touchbase@127.0.0.1:{listener.getsockname()[1]}/tb")
    settings = make_settings(slack, "postgresql://silent")
    deps = Deps(settings=settings, db=silent, slack=make_client(settings, timeout=5))
    listeners = ThreadPoolExecutor(max_workers=4, thread_name_prefix="test-listener")
    dispatcher.app = create_wsgi_app(
        create_app(deps, listener_executor=listeners), silent, signing_secret=SECRET
    )
    body = slack_requests.slash_command_body(
        command="/touch",
        text="acme called",
        user_id="U0SAM",
        team_id=TEAM,
        response_url=slack.response_url("silent"),
    )
    try:
        with ThreadPoolExecutor(max_workers=21) as pool:
            probing = [
                pool.submit(send, url, "/healthz", method="GET", timeout=3) for _ in range(20)
            ]
            touch = send(url, "/slack/events", body.encode(), signed(body), timeout=3)
            probes = [p.result() for p in probing]
            readies = list(
                pool.map(lambda _: send(url, "/readyz", method="GET", timeout=3), range(20))
            )
        slowest = max(p.seconds for p in probes)
        answered = sum(p.status == 200 for p in probes)
        assert (answered, slowest < 1.5) == (20, True), f"{answered}/20, slowest {slowest:.2f} s"
        # The command waits for its reply until the guard's deadline, then is acked empty.
        in_time = touch.seconds < REPLAY_DEADLINE + ACK_DEADLINE + 0.5
        assert (touch.status, touch.body, in_time) == (200, b"", True), touch
        slowest = max(r.seconds for r in readies)
        assert ({r.status for r in readies}, slowest < 1.5) == ({503}, True), slowest
        assert json.loads(readies[0].body) == {
            "status": "unavailable",
            "reason": "the database has not answered within 1 s",
        }
    finally:
        # The partition ends: the connections waiting are reset, and the work after the ack
        # fails politely.
        listener.close()
        dispatcher.app = None
        listeners.shutdown(wait=True)
        silent.dispose()
    assert slack.responses_to("silent")[-1]["text"] == text.DATABASE_AWAY
