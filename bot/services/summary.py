"""The client summary's check: every row against one worked out afresh from the touches.

`touchbase db check-summary [--repair]` runs it, and the scheduler nightly with repair. Drift
(a row missing, wrong, or with its next check later than a rule could fire) means a write
that kept the summary wrong: a bug to report, and the pass could miss a nudge until the
repair. A next check earlier than need be is no drift; the repair moves it on, since days go
by without writes (a renewal window closes, a check-in runs out).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from bot.core.next_check import Verdict
from bot.db import repository as repo
from bot.db.engine import Database

# Clients read per transaction: short transactions, and statements bounded whatever the book.
BATCH = 2_000


@dataclass
class SummaryReport:
    checked: int = 0
    verdicts: Counter[Verdict] = field(default_factory=Counter)
    # Rows written afresh: drifted ones, and next checks moved on.
    repaired: int = 0

    @property
    def drifted(self) -> int:
        return sum(count for found, count in self.verdicts.items() if found.drift)

    @property
    def drift(self) -> str:
        """The drift by kind, in words: "1 missing, 2 wrong, 0 late"."""
        return ", ".join(f"{self.verdicts[v]:,} {v.value}" for v in Verdict if v.drift)


def check(db: Database, now: dt.datetime, *, repair: bool) -> SummaryReport:
    """Compare every client's summary with its touches as of `now`; with `repair`, write afresh
    each row that isn't right, a batch at a time (live writes go on meanwhile)."""
    report = SummaryReport()
    with db.transaction() as session:
        teams = repo.teams_with_clients(session)
    for team_id in teams:
        after = 0
        while True:
            with db.transaction() as session:
                verdicts = repo.summary_verdicts(session, team_id, now, after=after, limit=BATCH)
            if not verdicts:
                break
            report.checked += len(verdicts)
            report.verdicts.update(found for _, found in verdicts)
            stale = [client_id for client_id, found in verdicts if found is not Verdict.RIGHT]
            if repair and stale:
                with db.transaction(write=True) as session:
                    repo.refresh_summaries(session, team_id, stale, now=now)
                report.repaired += len(stale)
            after = verdicts[-1][0]
    return report
