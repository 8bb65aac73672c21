"""APScheduler 3 jobs: the nudge pass every few minutes (and, later, the weekly recap).

Run one scheduler per deployment: inside `touchbase serve`, or alone as `touchbase scheduler`
(the Procfile's `clock:`). Even two by mistake can't double-send: the outbox refuses.
"""

from __future__ import annotations

import datetime as dt
import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.deps import Deps
from bot.services import nudges

log = logging.getLogger(__name__)


def nudge_job(deps: Deps) -> None:
    """The scheduled nudge pass. A failure is logged and the next run tries again."""
    try:
        nudges.run_pass(deps, deps.clock())
    except Exception:
        log.exception("the nudge pass failed; the next run will try again")


def build(deps: Deps, *, blocking: bool) -> BaseScheduler:
    interval = deps.settings.nudge_interval_minutes
    scheduler: BaseScheduler = (BlockingScheduler if blocking else BackgroundScheduler)(
        timezone=dt.UTC,
        job_defaults={
            # After downtime, run once (not once per missed slot), as long as it's the same day:
            # the pass itself works out which digests are still due.
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": 12 * 60 * 60,
        },
    )
    scheduler.add_job(
        nudge_job,
        IntervalTrigger(minutes=interval, timezone=dt.UTC),
        args=[deps],
        id="nudge-pass",
        name="nudge pass",
        next_run_time=deps.clock(),
        replace_existing=True,
    )
    return scheduler
