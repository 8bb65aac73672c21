"""The scheduler: one nudge job with safe defaults, and it really runs the pass."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select, update

from bot import scheduler
from bot.core.model import AuditAction
from bot.db import repository as repo
from bot.db.engine import Database
from bot.db.schema import ClientSummaryRow, PendingTouchRow
from bot.deps import Deps
from bot.devtools.standin import SlackStandIn
from bot.webapi import make_client
from tests.conftest import NOW, TEAM, Clock, make_settings
from tests.helpers import add_client, add_touch


@pytest.fixture
def started() -> Iterator[list[BaseScheduler]]:
    """Schedulers a test starts; each is shut down afterwards, whatever happened."""
    running: list[BaseScheduler] = []
    yield running
    for each in running:
        if each.running:
            each.shutdown(wait=True)


def nudge_jobs(built: BaseScheduler) -> list[object]:
    return [job for job in built.get_jobs() if job.func is scheduler.nudge_job]


def test_one_interval_job_that_never_piles_up(deps: Deps, started: list[BaseScheduler]) -> None:
    built = scheduler.build(deps, blocking=False)
    assert isinstance(built, BackgroundScheduler)
    built.start(paused=True)  # job defaults apply once the scheduler starts
    started.append(built)
    [job] = nudge_jobs(built)
    nightly = built.get_job("summary-check")
    assert nightly is not None and nightly.func is scheduler.summary_job
    assert isinstance(nightly.trigger, CronTrigger)
    assert job.func is scheduler.nudge_job
    assert job.args == (deps,)
    assert isinstance(job.trigger, IntervalTrigger)
    assert job.trigger.interval == dt.timedelta(minutes=deps.settings.nudge_interval_minutes)
    assert job.trigger.interval == dt.timedelta(minutes=15)
    assert job.coalesce is True
    assert job.max_instances == 1
    assert job.misfire_grace_time is not None and job.misfire_grace_time >= 60 * 60
    # It runs at start, on the wall clock (the test clock reads tomorrow).
    assert job.next_run_time <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)


def test_the_interval_comes_from_the_settings(
    slack: SlackStandIn, db: Database, database_url: str, started: list[BaseScheduler]
) -> None:
    settings = make_settings(slack, database_url, nudge_interval_minutes=5)
    deps = Deps(settings=settings, db=db, slack=make_client(settings))
    built = scheduler.build(deps, blocking=False)
    built.start(paused=True)
    started.append(built)
    [job] = nudge_jobs(built)
    assert job.trigger.interval == dt.timedelta(minutes=5)  # type: ignore[attr-defined]


def test_blocking_for_the_clock_process(deps: Deps) -> None:
    built = scheduler.build(deps, blocking=True)
    assert isinstance(built, BlockingScheduler)
    assert len(nudge_jobs(built)) == 1
    assert not built.running


def test_a_started_scheduler_runs_the_pass(
    deps: Deps, slack: SlackStandIn, db: Database, clock: Clock, started: list[BaseScheduler]
) -> None:
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, NOW - dt.timedelta(days=90))
    assert clock() == NOW  # Monday 10:00 in New York: Sam's note is due
    built = scheduler.build(deps, blocking=False)
    built.start()
    started.append(built)
    slack.wait_for(lambda: len(slack.dm_messages("U0SAM")) == 1, timeout=10)
    built.shutdown(wait=True)
    [note] = slack.dm_messages("U0SAM")
    assert "Acme Insurance Group" in note["text"]


def test_a_failing_pass_is_logged_and_the_next_run_tries_again(
    slack: SlackStandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A database without the schema: the pass fails on its first query.
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    settings = make_settings(slack, url)
    broken = Deps(
        settings=settings, db=Database.from_url(url), slack=make_client(settings), clock=Clock()
    )
    caplog.set_level(logging.ERROR, logger="bot.scheduler")
    try:
        scheduler.nudge_job(broken)  # doesn't raise
    finally:
        broken.db.dispose()
    assert "the nudge pass failed" in caplog.text
    assert slack.calls_to("chat.postMessage") == []


def test_note_retention_runs_once_a_day_from_the_start(
    deps: Deps, db: Database, started: list[BaseScheduler]
) -> None:
    built = scheduler.build(deps, blocking=False)
    built.start(paused=True)
    started.append(built)
    job = built.get_job("note-retention")
    assert job is not None and job.func is scheduler.retention_job
    assert job.trigger.interval == dt.timedelta(days=1)
    assert job.next_run_time <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)


def test_the_retention_job_removes_old_notes_text_and_expired_pending_touches(
    deps: Deps, db: Database, clock: Clock
) -> None:
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, NOW - dt.timedelta(days=400), "an old note")
    with db.transaction(write=True) as session:
        repo.save_workspace_settings(
            session,
            dataclasses.replace(repo.workspace_settings(session, TEAM), note_retention_days=365),
        )
        # A /touch whose client was never picked: its note goes after a day, whatever the setting.
        repo.add_pending_touch(session, TEAM, "U0SAM", "acm a pending note", None, NOW)
        repo.add_pending_touch(session, "T0OTHER", "U0X", "an old pending note", None, NOW)
    clock.advance(days=1, seconds=1)
    with db.transaction(write=True) as session:
        repo.add_pending_touch(session, TEAM, "U0SAM", "a fresh pending note", None, clock())
    scheduler.retention_job(deps)
    with db.transaction() as session:
        [touch] = repo.all_touches(session, TEAM)
        [entry] = repo.audit_entries(session, TEAM)
        pending = session.scalars(select(PendingTouchRow.note)).all()
    assert touch.note == "(note removed after 365 days)"
    assert pending == ["a fresh pending note"]
    assert (entry.actor, entry.action, entry.detail) == (
        "scheduler",
        AuditAction.RETENTION,
        "1 note older than 365 days",
    )


def test_the_nightly_summary_check_repairs_drift_and_says_so(
    deps: Deps, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, NOW - dt.timedelta(days=90))
    add_client(db, "Harbor Dental")
    with db.transaction(write=True) as session:
        # Drift: a write that forgot the summary would leave it saying "not before next year".
        session.execute(
            update(ClientSummaryRow)
            .where(ClientSummaryRow.client_id == acme.id)
            .values(next_check_on=dt.date(2027, 12, 1))
        )
    caplog.set_level(logging.INFO, logger="bot.scheduler")
    scheduler.summary_job(deps)
    assert (
        "the client summary had drifted for 1 of 2 clients (0 missing, 0 wrong, 1 late); "
        "rebuilt from the touches"
    ) in caplog.text
    with db.transaction() as session:
        assert not [v for _, v in repo.summary_verdicts(session, acme.team_id, NOW) if v.drift]
    caplog.clear()
    scheduler.summary_job(deps)
    assert "client summary checked: 2 clients, no drift" in caplog.text
