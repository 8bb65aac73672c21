"""The weekly recap end to end: the database, the Slack stand-in, the scheduler and the CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from slack_sdk import WebClient

from bot import scheduler
from bot.core.model import Kind, OutboxKind, OutboxStatus, Rep, Tier, WorkspaceSettings
from bot.core.recap import recap_due_at, recap_week
from bot.db import repository as repo
from bot.db.engine import Database, Timeouts
from bot.deps import Deps
from bot.devtools.standin import SlackStandIn, block_kit_problems
from bot.services import importer, recap
from bot.ui.render import blocks_to_text
from bot.webapi import make_client
from tests.conftest import NOW, TEAM, TOKEN, Clock
from tests.helpers import add_client, add_touch

CHANNEL = "C0RECAP"
# NOW is Monday 23 November 2026, 15:00 UTC; the workspace zone is UTC unless a test says so.
WEEK = recap_week(NOW, dt.UTC)
SCRIPT = str(Path(sys.executable).with_name("touchbase"))


def day(d: int, hour: int = 12) -> dt.datetime:
    """A moment in November 2026."""
    return dt.datetime(2026, 11, d, hour, tzinfo=dt.UTC)


@pytest.fixture
def week(db: Database) -> dict[str, Any]:
    """A week of work, 16 to 22 November, around touches that must not count."""
    with db.transaction(write=True) as session:
        for user_id, name in (("U0SAM", "Sam Rivera"), ("U0PRIYA", "Priya Shah")):
            repo.save_rep(session, Rep(TEAM, user_id, name, profile_refreshed_at=NOW))
    acme = add_client(db, "Acme Insurance Group", tier=Tier.A, renewal=dt.date(2025, 12, 1))
    bright = add_client(db, "Brightside Bakery", owner="U0PRIYA", renewal=dt.date(2026, 12, 10))
    add_client(db, "Corner Cafe")  # never touched: quiet
    delta = add_client(db, "Delta Dental")
    add_touch(db, delta, dt.datetime(2026, 8, 10, 12, tzinfo=dt.UTC), "sent the invoice")
    # The week.
    add_touch(db, acme, day(17), "Reviewed their cover\nThey asked about a family matter")
    add_touch(db, acme, day(18), "sent the invoice", kind=Kind.ROUTINE)
    add_touch(db, bright, day(19), "lunch with the owner", rep="U0PRIYA")
    add_touch(db, delta, day(20), "called to catch up")  # 102 days after the last touch
    # Outside it: the Sunday before, and this Monday.
    add_touch(db, acme, day(15, 23), "reviewed the fleet policy")
    add_touch(db, bright, day(23, 10), "visited the bakery", rep="U0PRIYA")
    # Another workspace's week never shows.
    other = add_client(db, "Elsewhere Ltd", owner="U0OTHER", team="T0OTHER")
    for hour in range(5):
        add_touch(db, other, day(18, hour), "reviewed their cover", rep="U0OTHER")
    return {"acme": acme, "bright": bright, "delta": delta}


def recap_deps(deps: Deps, **settings: Any) -> Deps:
    return dataclasses.replace(deps, settings=dataclasses.replace(deps.settings, **settings))


def outbox(db: Database, period: dt.date = WEEK.period) -> OutboxStatus | None:
    with db.transaction() as session:
        return repo.outbox_status(session, TEAM, OutboxKind.RECAP, "", period)


def our_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("bot") and r.levelno >= logging.WARNING
    ]


# The post


def test_the_recap_is_posted_to_the_channel_with_the_weeks_figures(
    deps: Deps, slack: SlackStandIn, db: Database, week: dict[str, Any]
) -> None:
    slack.add_channel(CHANNEL, name="team-wins", is_member=True)
    report = recap.run(deps, NOW, channel=CHANNEL)
    assert report.outcome == "sent"
    [post] = slack.messages(CHANNEL)
    assert post["text"] == (
        "Last week: 4 touches, 75% value-adding, 3 of 4 clients reached. "
        "2 renewals in the next 30 days."
    )
    assert block_kit_problems(post["blocks"], surface="message") == []
    body = blocks_to_text(post["blocks"])
    assert body.splitlines()[0] == "Last week at a glance · 16–22 November"
    assert "We logged 4 touches last week, and 75% of them added real value" in body
    assert "Together we reached 3 of our 4 clients." in body
    assert "Most value-adding touches: Sam Rivera (2) and Priya Shah (1)." in body
    # Notable: the kind of contact, and no note (recap_quotes is off); the lunch is a visit.
    assert "• Sam Rivera did a review with Acme Insurance Group\n" in body
    assert "• Priya Shah visited Brightside Bakery\n" in body
    assert "Reviewed their cover" not in body and "lunch" not in body
    # Back after 102 days; Brightside's first touch ever is no comeback.
    assert "after a quiet spell: Delta Dental (quiet for 102 days)." in body
    assert (
        "• Acme Insurance Group renews Tuesday 1 December — ✅ value-adding contact since the "
        "last renewal" in body
    )
    assert (
        "• Brightside Bakery renews Thursday 10 December — ✅ value-adding contact in the last "
        "year" in body
    )
    assert "1 client hasn't heard from us in a while." in body  # Corner Cafe
    assert "Elsewhere" not in body and "U0OTHER" not in body
    assert outbox(db) is OutboxStatus.SENT


def test_run_twice_posts_once(
    deps: Deps, slack: SlackStandIn, db: Database, week: dict[str, Any]
) -> None:
    slack.add_channel(CHANNEL, name="team-wins", is_member=True)
    assert recap.run(deps, NOW, channel=CHANNEL).outcome == "sent"
    # Later the same week, and after a restart: nothing more.
    assert recap.run(deps, NOW + dt.timedelta(hours=1), channel=CHANNEL).outcome == "already_sent"
    assert recap.run(deps, NOW + dt.timedelta(days=3), channel=CHANNEL).outcome == "already_sent"
    assert len(slack.messages(CHANNEL)) == 1
    assert len(slack.calls_to("chat.postMessage")) == 1
    # Next Monday is a new week.
    assert recap.run(deps, NOW + dt.timedelta(days=7), channel=CHANNEL).outcome == "sent"
    assert len(slack.messages(CHANNEL)) == 2


def test_a_claim_already_taken_is_not_posted_again(
    deps: Deps, slack: SlackStandIn, db: Database, week: dict[str, Any]
) -> None:
    """Two schedulers racing: the one that loses the claim sends nothing."""
    slack.add_channel(CHANNEL, name="team-wins", is_member=True)
    with db.transaction(write=True) as session:
        claimed = repo.claim_outbox(
            session, team_id=TEAM, kind=OutboxKind.RECAP, recipient="", period=WEEK.period, now=NOW
        )
    assert claimed is not None
    message = recap.prepare(db, TEAM, NOW, ZoneInfo("UTC"))
    assert recap.deliver(deps, TEAM, WEEK, CHANNEL, message, NOW) == "already_sent"
    assert slack.calls_to("chat.postMessage") == []


def test_a_claim_another_run_hasnt_finished_is_skipped_within_the_lock_timeout(
    deps: Deps, slack: SlackStandIn, db: Database, database_url: str, week: dict[str, Any]
) -> None:
    """Another run inserted the week's claim and has neither committed nor gone (its host may
    have vanished): this run waits no longer than the lock timeout and posts nothing."""
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL only: on SQLite a writer holds the whole database")
    slack.add_channel(CHANNEL, name="team-wins", is_member=True)
    other = Database.from_url(database_url)
    try:
        with other.transaction(write=True) as session:
            claimed = repo.claim_outbox(
                session,
                team_id=TEAM,
                kind=OutboxKind.RECAP,
                recipient="",
                period=WEEK.period,
                now=NOW,
            )
            assert claimed is not None
            started = time.monotonic()
            assert recap.run(deps, NOW, channel=CHANNEL).outcome == "busy"
            assert time.monotonic() - started < Timeouts().lock + 2
            session.rollback()
    finally:
        other.dispose()
    assert slack.calls_to("chat.postMessage") == []
    assert recap.run(deps, NOW, channel=CHANNEL).outcome == "sent"


def test_the_week_is_the_workspaces_week(
    deps: Deps, slack: SlackStandIn, db: Database, week: dict[str, Any]
) -> None:
    # In Tokyo the Sunday 23:00 UTC touch before the week is already Monday 16 November.
    tokyo = recap_deps(deps, timezone="Asia/Tokyo")
    slack.add_channel(CHANNEL, name="team-wins", is_member=True)
    assert recap.run(tokyo, NOW, channel=CHANNEL).outcome == "sent"
    [post] = slack.messages(CHANNEL)
    assert post["text"].startswith("Last week: 5 touches, 80% value-adding")
    assert outbox(db, dt.date(2026, 11, 23)) is OutboxStatus.SENT


def test_an_empty_week_gets_a_short_friendly_post(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    acme = add_client(db, "Acme Insurance Group", renewal=dt.date(2026, 12, 1))
    add_touch(db, acme, dt.datetime(2026, 10, 1, tzinfo=dt.UTC), "reviewed their cover")
    slack.add_channel(CHANNEL, name="team-wins", is_member=True)
    assert recap.run(deps, NOW, channel=CHANNEL).outcome == "sent"
    [post] = slack.messages(CHANNEL)
    assert post["text"] == "No touches were logged last week. 1 renewal in the next 30 days."
    assert [b["type"] for b in post["blocks"]] == ["header", "section", "context"]
    assert "even a two-minute check-in call counts" in blocks_to_text(post["blocks"])


def test_a_workspace_with_nothing_yet_still_gets_a_friendly_post(
    deps: Deps, slack: SlackStandIn
) -> None:
    slack.add_channel(CHANNEL, name="team-wins", is_member=True)
    assert recap.run(deps, NOW, channel=CHANNEL).outcome == "sent"
    [post] = slack.messages(CHANNEL)
    assert post["text"] == "No touches were logged last week."


# The channel


def test_a_public_channel_the_bot_isnt_in_is_joined_then_posted_to(
    deps: Deps, slack: SlackStandIn, db: Database, week: dict[str, Any]
) -> None:
    slack.add_channel(CHANNEL, name="team-wins", is_member=False)
    assert recap.run(deps, NOW, channel=CHANNEL).outcome == "sent"
    posts = [
        (c.method, c.error)
        for c in slack.calls
        if c.method in {"chat.postMessage", "conversations.join"}
    ]
    assert posts == [
        ("chat.postMessage", "not_in_channel"),
        ("conversations.join", None),
        ("chat.postMessage", None),
    ]
    assert len(slack.messages(CHANNEL)) == 1
    assert outbox(db) is OutboxStatus.SENT


def test_a_private_channel_logs_one_line_asking_for_an_invite(
    deps: Deps,
    slack: SlackStandIn,
    db: Database,
    week: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack.add_channel("G0PRIVATE", name="leadership", is_private=True, is_member=False)
    slack.fail_next("chat.postMessage", error="not_in_channel")
    with caplog.at_level(logging.INFO):
        report = recap.run(deps, NOW, channel="G0PRIVATE")
    assert report.outcome == "not_posted"
    [line] = our_warnings(caplog)
    assert "G0PRIVATE" in line and "/invite @Touchbase" in line
    assert "\n" not in line
    join = slack.calls_to("conversations.join")
    assert [c.error for c in join] == ["method_not_supported_for_channel_type"]
    assert slack.messages("G0PRIVATE") == []
    # Nothing was posted, so nothing is recorded: once invited, a re-run posts.
    assert outbox(db) is None
    slack.add_channel("G0PRIVATE", name="leadership", is_private=True, is_member=True)
    assert recap.run(deps, NOW, channel="G0PRIVATE").outcome == "sent"
    assert len(slack.messages("G0PRIVATE")) == 1


def test_a_wrong_channel_id_logs_one_line(
    deps: Deps,
    slack: SlackStandIn,
    db: Database,
    week: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        report = recap.run(deps, NOW, channel="C0NOPE")
    assert report.outcome == "not_posted"
    [line] = our_warnings(caplog)
    assert "can't find channel C0NOPE" in line and "TOUCHBASE_RECAP_CHANNEL" in line
    assert [c.error for c in slack.calls_to("chat.postMessage")] == ["channel_not_found"]
    assert slack.calls_to("conversations.join") == []
    assert outbox(db) is None


def test_a_join_refused_logs_one_line(
    deps: Deps,
    slack: SlackStandIn,
    db: Database,
    week: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack.add_channel(CHANNEL, name="team-wins", is_member=False)
    slack.fail_next("conversations.join", error="missing_scope")
    with caplog.at_level(logging.INFO):
        assert recap.run(deps, NOW, channel=CHANNEL).outcome == "not_posted"
    [line] = our_warnings(caplog)
    assert "/invite @Touchbase" in line
    assert slack.messages(CHANNEL) == []


def test_an_archived_channel_logs_one_line(
    deps: Deps,
    slack: SlackStandIn,
    db: Database,
    week: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack.add_channel(CHANNEL, name="old-wins", is_member=True, is_archived=True)
    with caplog.at_level(logging.INFO):
        assert recap.run(deps, NOW, channel=CHANNEL).outcome == "not_posted"
    [line] = our_warnings(caplog)
    assert "archived" in line


# Slack failing


def test_slack_down_releases_the_claim_and_a_rerun_posts(
    deps: Deps, slack: SlackStandIn, db: Database, week: dict[str, Any]
) -> None:
    slack.add_channel(CHANNEL, name="team-wins", is_member=True)
    slack.fail_next("chat.postMessage", status=503, times=3)  # the client retries twice
    assert recap.run(deps, NOW, channel=CHANNEL).outcome == "retry_later"
    assert slack.messages(CHANNEL) == []
    assert outbox(db) is None
    assert recap.run(deps, NOW, channel=CHANNEL).outcome == "sent"
    assert len(slack.messages(CHANNEL)) == 1


def test_slack_unreachable_releases_the_claim(
    deps: Deps, slack: SlackStandIn, db: Database, week: dict[str, Any]
) -> None:
    # auth.test gets through; then the post finds nobody listening.
    slack.add_channel(CHANNEL, name="team-wins", is_member=True)
    team = importer.team_id(deps.slack)
    settings = dataclasses.replace(deps.settings, slack_api_url="http://127.0.0.1:9/api/")
    unreachable = dataclasses.replace(deps, slack=make_client(settings, timeout=1))
    message = recap.prepare(db, team, NOW, ZoneInfo("UTC"))
    assert recap.deliver(unreachable, team, WEEK, CHANNEL, message, NOW) == "retry_later"
    assert outbox(db) is None


def test_slack_answering_too_late_posts_once_and_says_so(
    deps: Deps,
    slack: SlackStandIn,
    db: Database,
    week: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack.add_channel(CHANNEL, name="team-wins", is_member=True)
    # Slack posts the recap but answers after the client (timeout: 1 s) stopped waiting.
    impatient = dataclasses.replace(deps, slack=make_client(deps.settings, timeout=1))
    slack.slow_next("chat.postMessage", seconds=1.5, times=3)
    with caplog.at_level(logging.INFO):
        outcome = recap.run(impatient, NOW, channel=CHANNEL).outcome
    assert len(slack.messages(CHANNEL)) == 1
    assert outcome == "unknown"
    [line] = our_warnings(caplog)
    assert "may or may not" in line
    assert outbox(db) is OutboxStatus.UNKNOWN
    # Run again that week: nothing more is posted, and it still says it doesn't know.
    assert recap.run(deps, NOW + dt.timedelta(hours=1), channel=CHANNEL).outcome == "unknown"
    assert len(slack.calls_to("chat.postMessage")) == 1
    # The next week's recap goes out as usual.
    assert recap.run(deps, NOW + dt.timedelta(days=7), channel=CHANNEL).outcome == "sent"
    assert len(slack.messages(CHANNEL)) == 2


def test_a_join_slack_never_answers_posts_nothing_and_releases_the_claim(
    deps: Deps, slack: SlackStandIn, db: Database, week: dict[str, Any]
) -> None:
    slack.add_channel(CHANNEL, name="team-wins", is_member=False)
    # Without retries, the join's one late answer is the last word.
    impatient = dataclasses.replace(
        deps, slack=WebClient(token=TOKEN, base_url=slack.api_url, timeout=1, retry_handlers=[])
    )
    slack.slow_next("conversations.join", seconds=1.5)
    assert recap.run(impatient, NOW, channel=CHANNEL).outcome == "retry_later"
    assert outbox(db) is None
    assert recap.run(deps, NOW, channel=CHANNEL).outcome == "sent"
    assert len(slack.messages(CHANNEL)) == 1


def test_a_permanent_refusal_is_recorded_and_not_retried(
    deps: Deps,
    slack: SlackStandIn,
    db: Database,
    week: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack.add_channel(CHANNEL, name="team-wins", is_member=True)
    slack.fail_next("chat.postMessage", error="restricted_action")
    with caplog.at_level(logging.INFO):
        assert recap.run(deps, NOW, channel=CHANNEL).outcome == "failed"
    assert any("restricted_action" in line for line in our_warnings(caplog))
    assert outbox(db) is OutboxStatus.FAILED
    assert recap.run(deps, NOW, channel=CHANNEL).outcome == "already_sent"
    assert slack.messages(CHANNEL) == []


def test_a_dry_run_builds_the_post_and_records_nothing(
    deps: Deps, slack: SlackStandIn, db: Database, week: dict[str, Any]
) -> None:
    slack.add_channel(CHANNEL, name="team-wins", is_member=True)
    report = recap.run(deps, NOW, channel=CHANNEL, dry_run=True)
    assert report.outcome == "dry_run"
    assert report.message is not None and report.message.text.startswith("Last week: 4 touches")
    assert slack.calls_to("chat.postMessage") == []
    assert outbox(db) is None


# The repository's aggregates, one workspace at a time


def test_the_aggregates_stay_inside_the_week_and_the_workspace(
    db: Database, week: dict[str, Any]
) -> None:
    with db.transaction() as session:
        reps = repo.recap_reps(session, TEAM, WEEK.starts_at, WEEK.ends_at)
        touches = repo.recap_value_touches(session, TEAM, WEEK.starts_at, WEEK.ends_at, 2)
        clients = repo.recap_clients(session, TEAM, WEEK.starts_at, WEEK.ends_at, NOW)
        other = repo.recap_reps(session, "T0OTHER", WEEK.starts_at, WEEK.ends_at)
    assert [(r.rep_id, r.display_name, r.touches, r.value_touches) for r in reps] == [
        ("U0SAM", "Sam Rivera", 3, 2),
        ("U0PRIYA", "Priya Shah", 1, 1),
    ]
    assert [(t.client_name, t.note) for t in touches] == [
        ("Delta Dental", "called to catch up"),
        ("Brightside Bakery", "lunch with the owner"),
    ]
    assert touches[0].occurred_at == day(20)
    by_name = {
        c.activity.client.name: (
            c.activity.last_touch_at,
            c.activity.last_value_at,
            c.first_in_week,
            c.last_before_week,
        )
        for c in clients
    }
    assert by_name == {
        # As of now: this Monday's visit to Brightside counts; the week is the week.
        "Acme Insurance Group": (day(18), day(17), day(17), day(15, 23)),
        "Brightside Bakery": (day(23, 10), day(23, 10), day(19), None),
        "Corner Cafe": (None, None, None, None),
        "Delta Dental": (day(20), day(20), day(20), dt.datetime(2026, 8, 10, 12, tzinfo=dt.UTC)),
    }
    acme = next(c.activity.client for c in clients if c.activity.client.name.startswith("Acme"))
    assert acme == week["acme"]
    assert [(r.rep_id, r.touches, r.value_touches) for r in other] == [("U0OTHER", 5, 5)]


def test_touches_after_now_are_ignored(db: Database, week: dict[str, Any]) -> None:
    early = day(23, 9)  # before Monday's 10:00 visit to Brightside
    with db.transaction() as session:
        clients = repo.recap_clients(session, TEAM, WEEK.starts_at, WEEK.ends_at, early)
    bright = next(c for c in clients if c.activity.client.name == "Brightside Bakery")
    assert bright.activity.last_touch_at == day(19)


# The scheduler


@pytest.fixture
def started() -> Iterator[list[BaseScheduler]]:
    running: list[BaseScheduler] = []
    yield running
    for each in running:
        if each.running:
            each.shutdown(wait=True)


def test_the_recap_job_looks_every_quarter_hour_and_at_start(
    deps: Deps, clock: Clock, started: list[BaseScheduler]
) -> None:
    clock.now = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)  # a Wednesday
    built = scheduler.build(deps, blocking=False)
    built.start(paused=True)
    started.append(built)
    job = built.get_job("weekly-recap")
    assert job is not None and isinstance(job.func, scheduler.RecapJob)
    assert isinstance(job.trigger, CronTrigger)
    assert job.coalesce is True and job.max_instances == 1
    assert job.misfire_grace_time == scheduler.MISFIRE_GRACE_SECONDS
    # Every quarter hour: Monday 09:00 in Kathmandu (UTC+05:45) is 03:15 UTC.
    fire = job.trigger.get_next_fire_time(None, dt.datetime(2026, 11, 30, 3, 1, tzinfo=dt.UTC))
    assert fire == dt.datetime(2026, 11, 30, 3, 15, tzinfo=dt.UTC)
    # Due at once on APScheduler's wall clock: a restart catches up on a missed Monday.
    assert job.next_run_time <= dt.datetime.now(dt.UTC)


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC), dt.datetime(2026, 11, 23, 9, 0)),
        (dt.datetime(2026, 11, 23, 8, 59, tzinfo=dt.UTC), dt.datetime(2026, 11, 16, 9, 0)),
        (dt.datetime(2026, 11, 29, 23, 0, tzinfo=dt.UTC), dt.datetime(2026, 11, 23, 9, 0)),
    ],
)
def test_recap_due_at(now: dt.datetime, due: dt.datetime) -> None:
    assert recap_due_at(now, dt.UTC) == due.replace(tzinfo=dt.UTC)


def test_recap_due_at_is_in_the_workspace_zone() -> None:
    # Monday 09:00 in New York is 14:00 UTC; in Kolkata, 03:30 UTC.
    monday = dt.datetime(2026, 11, 23, 15, tzinfo=dt.UTC)
    assert recap_due_at(monday, ZoneInfo("America/New_York")) == monday.replace(hour=14)
    kolkata = recap_due_at(monday, ZoneInfo("Asia/Kolkata"))
    assert kolkata == dt.datetime(2026, 11, 23, 3, 30, tzinfo=dt.UTC)


def test_the_recap_job_posts_at_monday_nine_in_the_workspace_zone(
    deps: Deps, slack: SlackStandIn, db: Database, clock: Clock, week: dict[str, Any]
) -> None:
    slack.add_channel(CHANNEL, name="team-wins", is_member=True)
    with db.transaction(write=True) as session:
        repo.save_workspace_settings(
            session, WorkspaceSettings(TEAM, recap_channel=CHANNEL, timezone="America/New_York")
        )
    clock.now = dt.datetime(2026, 11, 23, 1, tzinfo=dt.UTC)  # Sunday evening in New York
    job = scheduler.RecapJob(deps)
    for quarter in range(4 * 14):  # 01:00 to 14:45 UTC
        clock.now = dt.datetime(2026, 11, 23, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=15 * quarter)
        job()
        assert len(slack.messages(CHANNEL)) == (1 if clock.now.hour >= 14 else 0), clock.now


def test_the_recap_job_catches_up_at_start(
    deps: Deps, slack: SlackStandIn, clock: Clock, week: dict[str, Any]
) -> None:
    assert clock.now == NOW  # Monday 15:00 UTC: six hours after the recap was due
    slack.add_channel(CHANNEL, name="team-wins", is_member=True)
    job = scheduler.RecapJob(recap_deps(deps, recap_channel=CHANNEL))
    job()
    assert len(slack.messages(CHANNEL)) == 1
    clock.advance(minutes=15)
    job()  # the window moved on: nothing more, not even a look at the outbox
    assert len(slack.messages(CHANNEL)) == 1


def test_a_recap_missed_by_more_than_the_grace_waits_for_next_week(
    deps: Deps, slack: SlackStandIn, clock: Clock, week: dict[str, Any]
) -> None:
    clock.now = dt.datetime(2026, 11, 23, 21, 1, tzinfo=dt.UTC)  # 12 hours and a minute late
    slack.add_channel(CHANNEL, name="team-wins", is_member=True)
    scheduler.RecapJob(recap_deps(deps, recap_channel=CHANNEL))()
    assert slack.messages(CHANNEL) == []


def test_a_workspace_with_no_recap_channel_is_skipped_with_one_line(
    deps: Deps, slack: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    assert deps.settings.recap_channel is None
    with caplog.at_level(logging.INFO, logger="bot"):
        scheduler.RecapJob(deps)()
    assert [r.getMessage() for r in caplog.records if r.name.startswith("bot.")] == [
        f"workspace {TEAM} has no recap channel, so its weekly recap is skipped"
    ]
    assert slack.calls_to("chat.postMessage") == []


def test_the_recap_job_never_raises(
    deps: Deps, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = Database.from_url(f"sqlite:///{tmp_path}/missing/dir/touchbase.db")
    try:
        with caplog.at_level(logging.INFO):
            scheduler.RecapJob(
                dataclasses.replace(recap_deps(deps, recap_channel=CHANNEL), db=broken)
            )()
    finally:
        broken.dispose()
    assert any("the weekly recap failed" in r.getMessage() for r in caplog.records)


# `touchbase recap`, as an operator runs it


def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPT, "recap", *args],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def cli_env(slack: SlackStandIn, database_url: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": "cli-secret",
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
    }


def test_touchbase_recap_posts_once_a_week(
    slack: SlackStandIn,
    db: Database,
    week: dict[str, Any],
    cli_env: dict[str, str],
    tmp_path: Path,
) -> None:
    slack.add_channel(CHANNEL, name="team-wins", is_member=True)
    env = {**cli_env, "TOUCHBASE_RECAP_CHANNEL": CHANNEL}
    first = run_cli(["--now", "2026-11-23T09:00:00Z"], env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    assert first.stdout.strip() == (
        f"Posted the weekly recap for Monday 16 November to Sunday 22 November 2026 to {CHANNEL}."
    )
    [post] = slack.messages(CHANNEL)
    assert post["text"].startswith("Last week: 4 touches, 75% value-adding")

    again = run_cli(["--now", "2026-11-23T09:30:00Z", "--channel", CHANNEL], env, tmp_path)
    assert again.returncode == 0, again.stderr
    assert "already posted; nothing was sent" in again.stdout
    assert len(slack.messages(CHANNEL)) == 1
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_touchbase_recap_dry_run_prints_and_posts_nothing(
    slack: SlackStandIn,
    db: Database,
    week: dict[str, Any],
    cli_env: dict[str, str],
    tmp_path: Path,
) -> None:
    slack.add_channel(CHANNEL, name="team-wins", is_member=True)
    result = run_cli(
        ["--now", "2026-11-25T10:00:00+00:00", "--dry-run", "--channel", CHANNEL],
        cli_env,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"── Weekly recap for {CHANNEL} (Monday 16 November to Sunday 22")
    assert "Last week at a glance · 16–22 November" in out
    assert "Most value-adding touches: Sam Rivera (2) and Priya Shah (1)." in out
    assert "Notification text: Last week: 4 touches" in out
    assert out.rstrip().endswith("Dry run: nothing was posted or recorded.")
    assert slack.calls_to("chat.postMessage") == []
    assert outbox(db) is None


def test_touchbase_recap_without_a_channel_is_one_line_and_exit_2(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    result = run_cli([], cli_env, tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("touchbase: TOUCHBASE_RECAP_CHANNEL is not set")


def test_touchbase_recap_refuses_a_channel_name(cli_env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli(["--channel", "#general"], cli_env, tmp_path)
    assert result.returncode == 2
    assert "isn't a channel ID" in result.stderr
