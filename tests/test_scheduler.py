"""The scheduler: one nudge job with safe defaults, and it really runs the pass."""

from __future__ import annotations

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
from sqlalchemy import update

from bot import scheduler
from bot.db import repository as repo
from bot.db.engine import Database
from bot.db.schema import ClientSummaryRow
from bot.deps import Deps
from bot.devtools.standin import SlackStandIn
from bot.webapi import make_client
from tests.conftest import NOW, Clock, make_settings
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
    # No recap channel configured: the nudge pass and the nightly summary check.
    job, nightly = built.get_jobs()
    assert nightly.func is scheduler.summary_job
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
