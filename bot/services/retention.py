"""Note retention: in each workspace that sets `note_retention_days`, the text of notes older
than that is replaced with "(note removed after N days)". The touch stays, with its day, kind,
promise and client, so cadences, renewals and the recap's counts are unchanged.

Run once a day by the scheduler, and by `touchbase retention`; each run is audited per workspace
with its count, even a run that removed nothing. The same run deletes, in every workspace, the
pending touches whose pick buttons have expired: a note typed with an unclear client name is
kept a day at most.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from bot.core.model import AuditAction
from bot.core.privacy import removed_note, retention_cutoff
from bot.db import repository as repo
from bot.deps import Deps
from bot.services.touches import PICK_WINDOW

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Removed:
    team_id: str
    days: int
    notes: int

    @property
    def detail(self) -> str:
        """For the audit log: figures only."""
        noun = "note" if self.notes == 1 else "notes"
        return f"{self.notes} {noun} older than {self.days} days"


def run(deps: Deps, now: dt.datetime, actor: str) -> list[Removed]:
    """Remove old notes' text in every workspace that keeps notes for a limited time."""
    with deps.db.transaction(write=True) as session:
        repo.prune_pending_touches(session, now - PICK_WINDOW)
        workspaces = repo.retention_settings(session)
    runs = []
    for settings in workspaces:
        days = settings.note_retention_days
        assert days is not None  # retention_settings reads only those
        with deps.db.transaction(write=True) as session:
            notes = repo.remove_old_notes(
                session, settings.team_id, retention_cutoff(now, days), removed_note(days)
            )
            removed = Removed(settings.team_id, days, notes)
            repo.audit(
                session,
                settings.team_id,
                actor,
                AuditAction.RETENTION,
                detail=removed.detail,
                at=now,
            )
        log.info("note retention in %s: %s", settings.team_id, removed.detail)
        runs.append(removed)
    if any(r.notes for r in runs):
        # The old text is gone from the rows; leave no copy of it in SQLite's log either.
        deps.db.forget_erased()
    return runs
