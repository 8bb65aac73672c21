"""Logs an operator can ship: TOUCHBASE_LOG_FORMAT=json writes one JSON object per line, with the
request and the workspace it belongs to; no line at INFO or above names a client or quotes a
note."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from bot import cli, logs
from bot.core.model import WorkspaceSettings
from bot.db import repository as repo
from bot.devtools import demo
from bot.devtools.demo_book import CLIENT_NAMES, ROUTINE_NOTES, VALUE_NOTES
from bot.devtools.standin import SlackStandIn
from bot.ui import text
from tests.conftest import NOW, TEAM, TOKEN, WebApp
from tests.helpers import add_client, add_touch, touches_refused
from tests.slack.listeners.test_home import click
from tests.slack.listeners.test_modal import opened


def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_json_logs_are_one_object_per_line(
    database_url: str, slack: SlackStandIn, tmp_path: Path, db: Any
) -> None:
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, NOW.replace(year=2026, month=8))
    env = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
        "TOUCHBASE_LOG_FORMAT": "json",
    }
    result = run_cli(["nudge", "--now", NOW.isoformat()], env, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines, "the pass logs its outcome"
    records = [json.loads(line) for line in lines]
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    [summary] = [r for r in records if r["message"].startswith("nudge pass at")]
    assert (summary["level"], summary["logger"]) == ("INFO", "bot.services.nudges")
    assert summary["time"].endswith("Z")


def test_the_default_stays_human_readable(
    database_url: str, slack: SlackStandIn, tmp_path: Path
) -> None:
    env = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
    }
    result = run_cli(["nudge", "--now", NOW.isoformat()], env, tmp_path)
    assert result.returncode == 0, result.stderr
    [line] = [x for x in result.stderr.splitlines() if "nudge pass at" in x]
    assert " INFO bot.services.nudges: nudge pass at " in line


# ---------------------------------------------------------------------------------------------
# A request's lines


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the root logger writes, formatted as TOUCHBASE_LOG_FORMAT=json formats it."""
    stream = io.StringIO()
    handler = logs.handler("json", stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def records(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_requests_lines_carry_its_id_and_workspace_even_from_the_listener_threads(
    web: WebApp, slack: SlackStandIn, json_lines: io.StringIO
) -> None:
    # users.info fails for both commands: the work after the ack logs a warning for each.
    slack.fail_next("users.info", error="fatal_error", times=2)
    web.command("help")
    web.command("help")
    status, _ = web.post("command=/touch&text=help", secret="not-the-secret")
    assert status == 401
    logging.getLogger("bot.test").warning("outside any request")

    lines = records(json_lines)
    work = [r for r in lines if r["message"].startswith("users.info failed")]
    assert len(work) == 2
    assert {r["team_id"] for r in work} == {TEAM}
    assert len({r["request_id"] for r in work}) == 2
    [refused] = [r for r in lines if r["message"].startswith("401 for")]
    assert refused["request_id"] not in {r["request_id"] for r in work}
    assert "team_id" not in refused  # unsigned: whose it is, is unknown
    [outside] = [r for r in lines if r["message"] == "outside any request"]
    assert "request_id" not in outside and "team_id" not in outside


def test_an_exception_is_one_field_of_the_line(json_lines: io.StringIO) -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("bot.test").exception("it failed")
    [line] = json_lines.getvalue().splitlines()
    record = json.loads(line)
    assert (record["level"], record["message"]) == ("ERROR", "it failed")
    assert record["exception"].startswith("Traceback")
    assert "RuntimeError: boom" in record["exception"]


# ---------------------------------------------------------------------------------------------
# Privacy: no names, no notes


def test_no_line_at_info_or_above_names_a_client_or_quotes_a_note(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The demo runs the real bot for a week: commands, forms, morning notes and the recap."""
    caplog.set_level(logging.INFO)
    demo.run(weeks=1, seed=3, keep=tmp_path, console=Console(file=io.StringIO()))
    # Every client's name, every note of the book's history and of the demo's commands.
    typed = ("called about their claim", "lunch with the owner", "reviewed their cover")
    secrets = {*CLIENT_NAMES, *VALUE_NOTES, *ROUTINE_NOTES, *typed}
    lines = [r.getMessage() + (r.exc_text or "") for r in caplog.records]
    assert lines, "the run logs"
    leaks = sorted({s for s in secrets for line in lines if s in line})
    assert leaks == []


def test_a_failed_save_logs_its_traceback_without_the_note_or_the_name(
    web: WebApp, caplog: pytest.LogCaptureFixture
) -> None:
    # A value the database refuses is logged in one line; its traceback goes to DEBUG.
    caplog.set_level(logging.DEBUG, logger="bot")
    db = web.deps.db
    add_client(db, "Acme Insurance Group")
    with touches_refused(db):
        reply = web.command("acme called about their claim")
    assert reply["text"] == text.NOT_SAVED_AS_WRITTEN
    [failure] = [r for r in caplog.records if r.exc_info]
    logged = failure.getMessage() + logging.Formatter().formatException(failure.exc_info)
    assert "INSERT INTO touch" in logged  # what failed is still there to read
    assert "Acme Insurance Group" not in logged
    assert "called about their claim" not in logged


def test_the_privacy_tools_log_ids_never_a_name_or_a_note(
    web: WebApp,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Private notes shown and audited, retention, an access request and both erasures."""
    caplog.set_level(logging.INFO)
    name, other, note = "Wobbleton Quarry Ltd", "Fizzwick Orchards", "bankruptcy rumour 4417"
    db = web.deps.db
    wobbleton = add_client(db, name)
    fizzwick = add_client(db, other, owner="U0PRIYA")
    add_touch(db, wobbleton, NOW - dt.timedelta(days=800), note, private=True)
    add_touch(db, fizzwick, NOW - dt.timedelta(days=2), note, private=True, rep="U0PRIYA")
    web.command(f"show {other}")  # Sam isn't its owner: the note is hidden
    # A Slack admin reads it (an audited read) and erases the client from its view.
    web.slack.add_user("U0BOSS", name="boss", real_name="Bo Boss", is_admin=True)
    web.command(f"edit {other}", user="U0BOSS", wait=False)
    view = opened(web.slack)
    click(
        web,
        {"action_id": "client_erase", "value": str(fizzwick.id)},
        user="U0BOSS",
        view_id=view["id"],
    )
    web.slack.wait_for(lambda: bool(web.slack.calls_to("views.update")))
    with db.transaction(write=True) as session:
        repo.save_workspace_settings(session, WorkspaceSettings(TEAM, note_retention_days=730))
    for key, value in {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": web.slack.api_url,
        "DATABASE_URL": web.deps.settings.database_url,
    }.items():
        monkeypatch.setenv(key, value)
    for args in (
        ["retention", "--now", NOW.isoformat()],
        ["export", "client", name],
        ["erase", "client", name, "--yes"],
        ["audit"],
    ):
        assert cli.main(args) == 0
    assert name in capsys.readouterr().out  # the operator's own output names it; logs don't
    lines = [
        r.getMessage() + (r.exc_text or "") for r in caplog.records if r.levelno >= logging.INFO
    ]
    assert sum("erased" in line for line in lines) == 2
    assert any("retention" in line for line in lines)
    leaks = sorted({s for s in (name, other, note) for line in lines if s in line})
    assert leaks == []
