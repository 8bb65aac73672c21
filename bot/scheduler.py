"""APScheduler 3 jobs: the nudge pass every few minutes, the weekly recap of each workspace on
its Monday morning, and the daily jobs: note retention, and the purge of workspaces that
uninstalled the app; and the client summary's check every night.

Run one scheduler per deployment: inside `touchbase serve`, or alone as `touchbase scheduler`
(the Procfile's `clock:`). Even two by mistake can't double-send: the outbox refuses.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.core.model import SCHEDULER_ACTOR
from bot.deps import Deps, utc_now
from bot.services import nudges, recap, retention, summary, uninstall

log = logging.getLogger(__name__)

# A job that missed its time (the process was down) still runs within this grace.
MISFIRE_GRACE_SECONDS = 12 * 60 * 60
GRACE = dt.timedelta(seconds=MISFIRE_GRACE_SECONDS)
# The weekly recap is looked for every quarter hour (UTC): every zone's offset is a whole number
# of quarter hours, so each workspace's Monday 09:00 falls on a run.
RECAP_MINUTES = "0,15,30,45"
# The client summary's check: every night at 03:00 UTC.
SUMMARY_CHECK_HOUR = 3


def nudge_job(deps: Deps) -> None:
    """The scheduled nudge pass. A failure is logged and the next run tries again."""
    try:
        nudges.run_pass(deps, deps.clock())
    except Exception:
        log.exception("the nudge pass failed; the next run will try again")


class RecapJob:
    """The scheduled weekly recap: each run posts the recap of every workspace whose Monday
    09:00, in the workspace's own zone, came since the last run. A failure is logged and never
    stops the scheduler.

    The scheduler keeps no state across restarts, so the first run looks back the misfire
    grace: a deploy over Monday 09:00 doesn't skip the week. The outbox makes that catch-up
    safe: a recap already posted is not posted again. A run that fails as a whole (the
    database is down) leaves its span to the next run, within the same grace.
    """

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.since = deps.clock() - GRACE

    def __call__(self) -> None:
        now = self.deps.clock()
        try:
            recap.run_due(self.deps, max(self.since, now - GRACE), now)
        except Exception:
            log.exception(
                "the weekly recap failed; the next run, or `touchbase recap`, tries again"
            )
            return
        self.since = now


def summary_job(deps: Deps) -> None:
    """The nightly summary check: repair any drift, and say so; move next checks on."""
    try:
        report = summary.check(deps.db, deps.clock(), repair=True)
    except Exception:
        log.exception("the client summary check failed; it runs again tomorrow night")
        return
    if report.drifted:
        log.warning(
            "the client summary had drifted for %d of %d clients (%s); rebuilt from the touches",
            report.drifted,
            report.checked,
            report.drift,
        )
    else:
        log.info(
            "client summary checked: %d clients, no drift; %d next checks moved on",
            report.checked,
            report.repaired,
        )


def retention_job(deps: Deps) -> None:
    """Daily: remove the text of notes older than each workspace keeps them."""
    try:
        retention.run(deps, deps.clock(), SCHEDULER_ACTOR)
    except Exception:
        log.exception("note retention failed; it runs again tomorrow, or `touchbase retention`")


def purge_job(deps: Deps) -> None:
    """The daily purge of workspaces uninstalled TOUCHBASE_PURGE_AFTER_DAYS ago. A failure is
    logged, and the next day's run tries again."""
    try:
        uninstall.purge_expired(deps, deps.clock())
    except Exception:
        log.exception("the purge of uninstalled workspaces failed; it runs again tomorrow")


# Jobs run once a day: (function, id, name).
DAILY_JOBS: tuple[tuple[Callable[[Deps], None], str, str], ...] = (
    (retention_job, "note-retention", "note retention"),
    (purge_job, "purge-uninstalled", "purge of uninstalled workspaces"),
)


def build(deps: Deps, *, blocking: bool) -> BaseScheduler:
    interval = deps.settings.nudge_interval_minutes
    scheduler: BaseScheduler = (BlockingScheduler if blocking else BackgroundScheduler)(
        timezone=dt.UTC,
        job_defaults={
            # After downtime, run once (not once per missed slot), as long as it's the same day:
            # the pass itself works out which digests are still due.
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        },
    )
    scheduler.add_job(
        nudge_job,
        IntervalTrigger(minutes=interval, timezone=dt.UTC),
        args=[deps],
        id="nudge-pass",
        name="nudge pass",
        # Once at start, then every interval. APScheduler runs on the wall clock, whatever
        # `deps.clock` (which the pass reads) says: an injected clock mustn't postpone it.
        next_run_time=utc_now(),
        replace_existing=True,
    )
    for job, job_id, name in DAILY_JOBS:
        scheduler.add_job(
            job,
            IntervalTrigger(days=1, timezone=dt.UTC),
            args=[deps],
            id=job_id,
            name=name,
            # Once at start too: a restart never puts a daily job off by more than a day.
            next_run_time=utc_now(),
            replace_existing=True,
        )
    scheduler.add_job(
        summary_job,
        CronTrigger(hour=SUMMARY_CHECK_HOUR, minute=0, timezone=dt.UTC),
        args=[deps],
        id="summary-check",
        name="client summary check",
        replace_existing=True,
    )
    scheduler.add_job(
        RecapJob(deps),
        CronTrigger(minute=RECAP_MINUTES, timezone=dt.UTC),
        id="weekly-recap",
        name="weekly recap",
        # Once at start too, to catch up on a Monday 09:00 missed while down.
        next_run_time=utc_now(),
        replace_existing=True,
    )
    log.info(
        "The weekly recap goes to each workspace's recap channel on Mondays at 09:00 in its "
        "time zone"
    )
    return scheduler
