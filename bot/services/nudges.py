"""The nudge pass: at most one gentle DM digest per rep per working day, exactly once.

Shape: read once (set-based SQL), decide in the core (bot.core.rules), then deliver each
digest through the outbox (bot.services.outbox), keyed by (workspace, rep, local date).

When a crash leaves a claim whose DM may or may not have gone out, that day gets no second
DM (at most once), and nothing is lost for long: only digests recorded as sent silence their
clients, so the same clients come back in the next working day's digest.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import zip_longest
from zoneinfo import ZoneInfo

from bot import metrics
from bot.core.model import NudgeClaim, OutboxKind, Rep
from bot.core.nudges import due_reps, plan_digests
from bot.core.reps import needs_refresh
from bot.core.rules import Digest, Item, items_for_rep, nudge_lookback_days
from bot.db import repository as repo
from bot.deps import Deps
from bot.installations import NotInstalled
from bot.logs import ContextExecutor
from bot.services import conversation
from bot.services.outbox import Delivery, Envelope, Outcome, send_once
from bot.services.owners import unowned
from bot.services.reps import ensure_rep
from bot.ui.blocks import Message
from bot.ui.digest import digest_message
from bot.webapi import patience

log = logging.getLogger(__name__)

# Slack says the person is gone: stop writing to them, and carry on with everyone else.
GONE = frozenset({"user_not_found", "account_inactive", "user_disabled", "cannot_dm_bot"})
# Slack says the workspace's token no longer works: nothing more is tried there this pass.
TOKEN_GONE = frozenset({"invalid_auth", "token_revoked", "token_expired", "not_authed"})
# Sending is concurrent, well inside chat.postMessage's per-workspace rate limit.
SEND_WORKERS = 8
# A workspace Slack rate-limits (a 429) is left alone for its Retry-After while the others'
# digests go on; its own go once the wait is over, if that is within this many seconds of the
# start of sending, else in a later pass. Another failure (a 5xx after the client's retries,
# Slack unreachable) leaves it alone for HOLD_AFTER_FAILURE seconds.
MAX_HOLD = 60.0
HOLD_AFTER_FAILURE = 5.0


@dataclass(frozen=True)
class PlannedDigest:
    team_id: str
    rep: Rep
    local_date: dt.date
    digest: Digest
    message: Message


@dataclass
class PassReport:
    planned: list[PlannedDigest] = field(default_factory=list)
    sent: int = 0
    already_claimed: int = 0
    retry_later: int = 0
    failed: int = 0
    # Sent, but Slack didn't answer: maybe delivered, never sent again.
    unknown: int = 0
    # Claimed by another run that hasn't finished (or whose host vanished): skipped this pass.
    busy: int = 0


def run_pass(deps: Deps, now: dt.datetime, *, dry_run: bool = False) -> PassReport:
    """One nudge pass as if the clock read `now`. The scheduler calls exactly this."""
    started = time.monotonic()
    report = PassReport()
    with deps.db.transaction() as session:
        # Nothing goes to a workspace that removed the app.
        teams = set(repo.teams_with_clients(session)) - repo.uninstalled_teams(session)
    if deps.workspaces is not None:
        teams &= deps.workspaces.installed()
    # No call of the pass waits out a rate limit: the workspace waits, not the pass.
    with patience(0):
        for team_id in sorted(teams):
            # Each workspace on its own: one's revoked token or failure never stops another's.
            try:
                report.planned += plan_team(deps, team_id, now)
            except NotInstalled:
                log.warning("no token for workspace %s; its digests wait", team_id)
            except Exception:
                log.exception(
                    "planning workspace %s's digests failed; the next pass tries again", team_id
                )
        if dry_run:
            return report
        outcomes = _deliver_all(deps, report.planned, now)
    for outcome in outcomes:
        setattr(report, outcome, getattr(report, outcome) + 1)
    log.info(
        "nudge pass at %s: %d sent, %d already sent, %d unknown, %d to retry, %d failed, %d busy",
        now.isoformat(),
        report.sent,
        report.already_claimed,
        report.unknown,
        report.retry_later,
        report.failed,
        report.busy,
    )
    metrics.NUDGE_PASS_SECONDS.observe(time.monotonic() - started)
    metrics.NUDGE_PASS_LAST_COMPLETED.set_to_current_time()
    return report


class _Holds:
    """The workspaces the pass leaves alone for now, and until when (time.monotonic)."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def hold(self, team_id: str, seconds: float) -> None:
        with self._lock:
            until = time.monotonic() + seconds
            self._until[team_id] = max(self._until.get(team_id, 0.0), until)

    def until(self, team_id: str) -> float:
        with self._lock:
            return self._until.get(team_id, 0.0)


def _deliver_all(deps: Deps, planned: list[PlannedDigest], now: dt.datetime) -> list[str]:
    """Deliver every digest, the workspaces' turns interleaved; each digest's PassReport
    counter. A workspace held (rate limited, failing, its token gone) is skipped until its hold
    ends, while the others' digests go on; what is still held past MAX_HOLD waits for a later
    pass, its claims untaken."""
    holds = _Holds()
    deadline = time.monotonic() + MAX_HOLD
    outcomes: list[str] = []
    waiting = _interleaved(planned)
    with ContextExecutor(ThreadPoolExecutor(max_workers=SEND_WORKERS)) as pool:
        while waiting:
            tried = list(pool.map(lambda p: _attempt(deps, p, now, holds), waiting))
            outcomes += [outcome for outcome in tried if outcome is not None]
            held = [p for p, outcome in zip(waiting, tried, strict=True) if outcome is None]
            waiting = [p for p in held if holds.until(p.team_id) <= deadline]
            outcomes += ["retry_later"] * (len(held) - len(waiting))
            if waiting:
                soonest = min(holds.until(p.team_id) for p in waiting)
                time.sleep(max(0.0, soonest - time.monotonic()))
    return outcomes


def _interleaved(planned: list[PlannedDigest]) -> list[PlannedDigest]:
    """The digests, one workspace's after another's in turn, so that no workspace's digests
    queue behind all of another's."""
    by_team: dict[str, list[PlannedDigest]] = {}
    for p in planned:
        by_team.setdefault(p.team_id, []).append(p)
    turns = zip_longest(*by_team.values())
    return [p for turn in turns for p in turn if p is not None]


def _attempt(deps: Deps, planned: PlannedDigest, now: dt.datetime, holds: _Holds) -> str | None:
    """Deliver one digest unless its workspace is held: its PassReport counter, or None to try
    again once the hold ends (also when this very try was rate limited)."""
    team_id = planned.team_id
    if holds.until(team_id) > time.monotonic():
        return None
    try:
        delivery = deliver(deps, planned, now)
    except Exception:
        # The workspace's own trouble, such as a token that can't be read: its claim was
        # released, and nothing more is tried there this pass.
        log.exception(
            "delivering a digest in workspace %s failed; a later pass tries again", team_id
        )
        holds.hold(team_id, math.inf)
        return _COUNTERS[Outcome.RETRY_LATER]
    if delivery.outcome is Outcome.RETRY_LATER:
        if delivery.retry_after is not None:
            holds.hold(team_id, max(1.0, delivery.retry_after))
            return None
        holds.hold(team_id, HOLD_AFTER_FAILURE)
    elif delivery.outcome is Outcome.FAILED and delivery.error in TOKEN_GONE:
        log.warning(
            "workspace %s's token doesn't work (%s); its digests wait", team_id, delivery.error
        )
        holds.hold(team_id, math.inf)
    return _COUNTERS[delivery.outcome]


def plan_team(deps: Deps, team_id: str, now: dt.datetime) -> list[PlannedDigest]:
    """Gather the workspace's reps and book, let the core decide, and build each message."""
    with deps.db.transaction() as session:
        settings = repo.workspace_settings(session, team_id)
        owners = repo.client_owners(session, team_id)
        # Any zone's local date is at most a day past UTC's.
        makers = repo.promise_makers(session, team_id, (now + dt.timedelta(days=1)).date())
        # Admins hear how many clients wait for a new owner, whether or not they own any.
        admins = settings.effective_admins(deps.settings.defaults)
        people = owners | makers | repo.admin_ids(session, team_id) | admins
        reps = repo.get_reps(session, team_id, people)
        claimed = repo.claimed_digests(session, team_id, since=(now - dt.timedelta(days=2)).date())
    reps = _fresh(deps, team_id, people, reps, now)
    due = due_reps(reps.values(), settings, claimed, now=now)
    if not due:
        return []
    earliest = min(d.local_date for d in due.values())
    with deps.db.transaction() as session:
        # The clients whose next check has come for one due rep or another.
        latest = max(d.local_date for d in due.values())
        activities = repo.due_activities(session, team_id, latest, now)
        recent = repo.recent_nudges(
            session, team_id, since=earliest - dt.timedelta(days=nudge_lookback_days(settings))
        )
        snoozed = repo.snoozes(session, team_id, earliest)
        waiting = len(unowned(session, team_id))
        planned = plan_digests(
            due,
            activities,
            settings,
            recent,
            snoozed,
            now=now,
            admins=admins,
            unowned=waiting,
            departed={user_id for user_id, rep in reps.items() if not rep.active},
        )
        # What each rep last talked about with the clients on their note, read for those
        # alone, in the same transaction: one less for each workspace of the pass.
        talks = conversation.read(
            session, team_id, (i for p in planned for i in p.digest.items), now
        )
    return [
        PlannedDigest(
            team_id,
            p.rep,
            p.local_date,
            p.digest,
            digest_message(
                p.digest,
                p.local_date,
                conversation.recalls(
                    talks, p.digest.items, p.rep.user_id, settings, ZoneInfo(p.rep.tz)
                ),
            ),
        )
        for p in planned
    ]


def _fresh(
    deps: Deps, team_id: str, owners: Iterable[str], known: dict[str, Rep], now: dt.datetime
) -> dict[str, Rep]:
    """Every owner's and admin's profile, refreshed from users.info when a day old or missing."""
    stale = [user_id for user_id in owners if needs_refresh(known.get(user_id), now)]
    if stale:
        with ContextExecutor(ThreadPoolExecutor(max_workers=SEND_WORKERS)) as pool:
            for rep in pool.map(lambda user_id: ensure_rep(deps, team_id, user_id, now), stale):
                known[rep.user_id] = rep
    return known


def current_items(deps: Deps, rep: Rep, now: dt.datetime) -> list[Item]:
    """Everything due now for one rep's clients, most urgent first (for /touch list)."""
    tz = ZoneInfo(rep.tz)
    today = now.astimezone(tz).date()
    with deps.db.transaction() as session:
        settings = repo.workspace_settings(session, rep.team_id)
        activities = repo.client_activity(session, rep.team_id, now, owners=[rep.user_id])
        snoozed = repo.rep_snoozes(session, rep.team_id, rep.user_id, today)
    items = items_for_rep(rep.user_id, activities, settings, now=now, today=today, tz=tz)
    return [i for i in items if i.client.id not in snoozed]


def deliver(deps: Deps, planned: PlannedDigest, now: dt.datetime) -> Delivery:
    """Send one digest through the outbox."""
    rep = planned.rep
    envelope = Envelope(
        team_id=planned.team_id,
        kind=OutboxKind.DIGEST,
        recipient=rep.user_id,
        period=planned.local_date,
        nudges=[NudgeClaim(i.client.id, i.rule.value, i.window) for i in planned.digest.items],
    )
    # Posting to the user ID opens the DM: one Web API call per digest.
    delivery = send_once(
        deps,
        envelope,
        lambda: deps.slack_for(planned.team_id).chat_postMessage(
            channel=rep.user_id, **planned.message.as_kwargs()
        ),
        now,
    )
    metrics.DIGESTS.labels(delivery.outcome.value).inc()
    if delivery.outcome is Outcome.FAILED:
        if delivery.error in GONE:
            with deps.db.transaction(write=True) as session:
                repo.deactivate_rep(session, planned.team_id, rep.user_id)
            log.info(
                "rep %s is no longer in Slack (%s); stopped their digests",
                rep.user_id,
                delivery.error,
            )
        else:
            log.error("Slack refused a digest for %s: %s", rep.user_id, delivery.error)
    return delivery


# Which PassReport counter each outcome adds to.
_COUNTERS = {
    Outcome.SENT: "sent",
    Outcome.ALREADY_SENT: "already_claimed",
    Outcome.RETRY_LATER: "retry_later",
    Outcome.FAILED: "failed",
    Outcome.UNKNOWN: "unknown",
    Outcome.BUSY: "busy",
}
