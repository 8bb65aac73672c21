"""Pending touches on the current database: kept for the pick buttons, scoped to the rep and
workspace, marked when logged, pruned by age."""

from __future__ import annotations

import datetime as dt

from bot.core.model import PendingTouch
from bot.db import repository as repo
from bot.db.engine import Database
from tests.helpers import TEAM

NOW = dt.datetime(2026, 11, 23, 15, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
NOTE = "お客様に電話しました & <!channel>" * 100


def test_a_pending_touch_is_the_reps_own_and_kept_whole(db: Database) -> None:
    with db.transaction(write=True) as session:
        pending_id = repo.add_pending_touch(
            session, TEAM, "U0SAM", NOTE, dt.date(2026, 11, 20), NOW
        )
    with db.transaction(write=True) as session:
        found = repo.lock_pending_touch(session, TEAM, "U0SAM", pending_id, since=NOW - DAY)
        assert found == PendingTouch(pending_id, NOTE, dt.date(2026, 11, 20), logged=False)
        assert repo.lock_pending_touch(session, TEAM, "U0PRIYA", pending_id, NOW - DAY) is None
        assert repo.lock_pending_touch(session, "T0OTHER", "U0SAM", pending_id, NOW - DAY) is None
        assert repo.lock_pending_touch(session, TEAM, "U0SAM", pending_id, NOW + DAY) is None
        repo.mark_pending_logged(session, pending_id, NOW)
    with db.transaction(write=True) as session:
        found = repo.lock_pending_touch(session, TEAM, "U0SAM", pending_id, since=NOW - DAY)
        assert found is not None and found.logged


def test_pruning_drops_only_the_old(db: Database) -> None:
    with db.transaction(write=True) as session:
        old = repo.add_pending_touch(session, TEAM, "U0SAM", "old", None, NOW - DAY)
        new = repo.add_pending_touch(session, TEAM, "U0SAM", "new", None, NOW)
        repo.prune_pending_touches(session, before=NOW - DAY + dt.timedelta(seconds=1))
    with db.transaction(write=True) as session:
        assert repo.lock_pending_touch(session, TEAM, "U0SAM", old, since=NOW - 2 * DAY) is None
        assert repo.lock_pending_touch(session, TEAM, "U0SAM", new, since=NOW - 2 * DAY)
