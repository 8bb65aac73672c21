"""Prometheus metrics, read back with prometheus_client's own parser from `GET /metrics` (and
from `touchbase scheduler`'s metrics port), after a run that logs, nudges and recaps."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.devtools.standin import SlackStandIn
from bot.services import nudges, recap
from tests.conftest import NOW, TOKEN, WebApp
from tests.helpers import add_client

CHANNEL = "C0RECAP"
# The label values Touchbase may ever use: bounded, and never user content.
KINDS = {"command", "action", "view", "options", "event", "shortcut", "other"}

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(exposition: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def scrape(url: str) -> Samples:
    with urllib.request.urlopen(url + "/metrics", timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        return parse(response.read().decode())


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


class Delta:
    """What changed between two scrapes: the registry lives as long as the test process."""

    def __init__(self, before: Samples, after: Samples) -> None:
        self.before, self.after = before, after

    def __call__(self, name: str, **labels: str) -> float:
        return value(self.after, name, **labels) - value(self.before, name, **labels)


def test_metrics_count_what_a_run_did(web: WebApp, slack: SlackStandIn) -> None:
    db = web.deps.db
    before = scrape(web.url)

    # Two touches from /touch, one request that isn't Slack's.
    add_client(db, "Acme Insurance Group")
    add_client(db, "Brightside Bakery")
    web.command("acme called about their claim")
    web.command("brightside sent the invoice")
    status, _ = web.post("command=/touch&text=hello", secret="not-the-secret")
    assert status == 401

    # A nudge pass whose one note (Corner Cafe, never touched) meets a rate limit first, then a
    # second pass with nothing due.
    add_client(db, "Corner Cafe")
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.time()
    first = nudges.run_pass(web.deps, NOW)
    assert (first.sent, first.retry_later, first.failed) == (1, 0, 0)
    nudges.run_pass(web.deps, NOW)

    # The weekly recap, posted once, then already posted.
    slack.add_channel(CHANNEL, name="team-wins", is_member=True)
    assert recap.run(web.deps, NOW, channel=CHANNEL).outcome == "sent"
    assert recap.run(web.deps, NOW, channel=CHANNEL).outcome == "already_sent"

    # A statement the database refuses.
    with pytest.raises(DBAPIError) as refused, db.engine.connect() as connection:
        connection.execute(text("SELECT * FROM no_such_table"))

    after = scrape(web.url)
    delta = Delta(before, after)
    assert delta("touchbase_requests_total", kind="command", outcome="ok") == 2
    assert delta("touchbase_requests_total", kind="other", outcome="refused") == 1
    assert delta("touchbase_ack_seconds_count") == 2
    assert delta("touchbase_touches_logged_total", source="slash", kind="value") == 1
    assert delta("touchbase_touches_logged_total", source="slash", kind="routine") == 1
    assert delta("touchbase_digests_total", outcome="sent") == 1
    assert delta("touchbase_recaps_total", outcome="sent") == 1
    assert delta("touchbase_recaps_total", outcome="already_sent") == 1
    # Every attempt counts once: the 429 and the retry that went through.
    assert delta("touchbase_slack_calls_total", method="chat.postMessage", status="429") == 1
    assert delta("touchbase_slack_calls_total", method="chat.postMessage", status="ok") == 2
    assert delta("touchbase_slack_retry_after_seconds_total") == 1
    assert delta("touchbase_nudge_pass_seconds_count") == 2
    last = value(after, "touchbase_nudge_pass_last_completed_timestamp_seconds")
    assert started <= last <= time.time()
    assert delta("touchbase_db_errors_total", kind=type(refused.value).__name__) == 1

    # Label values are bounded: no names, no user IDs, no notes.
    labels = {v for (_, pairs) in after for _, v in pairs}
    assert not any("Acme" in v or "U0SAM" in v or "claim" in v for v in labels)
    kinds = {dict(pairs)["kind"] for (name, pairs) in after if name == "touchbase_requests_total"}
    assert kinds <= KINDS


# ---------------------------------------------------------------------------------------------
# The scheduler process


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def scheduler_process(
    database_url: str, slack: SlackStandIn, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
        "TOUCHBASE_METRICS_PORT": str(port),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "scheduler"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
        assert "Traceback" not in stderr


def test_the_scheduler_serves_its_metrics_on_the_metrics_port(
    scheduler_process: tuple[subprocess.Popen[str], str],
) -> None:
    """The pass runs at start; an alert on its last completion has something to read."""
    process, url = scheduler_process
    deadline = time.monotonic() + 20
    last = 0.0
    while time.monotonic() < deadline and not last:
        assert process.poll() is None, "the scheduler exited"
        with contextlib.suppress(OSError):  # not listening yet
            last = value(scrape(url), "touchbase_nudge_pass_last_completed_timestamp_seconds")
        time.sleep(0.2)
    assert time.time() - 60 < last <= time.time()
