"""The nudge pass's decisions: which reps are due a digest now, and what each digest holds.

Pure: the service gathers the plain values (reps, claims, the book's activity, recent nudges,
snoozes), calls these two functions, then delivers what they return.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.core.clients import is_admin
from bot.core.model import ClientActivity, Rep, WorkspaceSettings
from bot.core.owners import orphaned_promises_to_owners
from bot.core.rules import Digest, Rule, choose_for_digest, digest_due, items_for_rep


@dataclass(frozen=True)
class DueRep:
    """A rep whose digest is due now, for `local_date` in their zone."""

    rep: Rep
    tz: ZoneInfo
    local_date: dt.date


@dataclass(frozen=True)
class RepDigest:
    rep: Rep
    local_date: dt.date
    digest: Digest


def due_reps(
    reps: Iterable[Rep],
    settings: WorkspaceSettings,
    claimed: Collection[tuple[str, dt.date]],
    *,
    now: dt.datetime,
) -> dict[str, DueRep]:
    """The reps whose digest is due now, by user ID. `claimed` holds (user ID, local date) of
    digests already claimed in the outbox."""
    due: dict[str, DueRep] = {}
    for rep in reps:
        # A rep whose profile Slack has never given us has no known zone: their "9:00" could
        # be the middle of their night. Wait until users.info answers.
        if not rep.active or rep.profile_refreshed_at is None:
            continue
        tz = ZoneInfo(rep.tz)
        local_date = digest_due(
            now=now,
            tz=tz,
            nudge_hour=settings.nudge_hour,
            holiday_country=settings.holiday_country,
            already_sent_today=(rep.user_id, now.astimezone(tz).date()) in claimed,
            paused_until=rep.paused_until,
        )
        if local_date is not None:
            due[rep.user_id] = DueRep(rep, tz, local_date)
    return due


def plan_digests(
    due: Mapping[str, DueRep],
    activities: Iterable[ClientActivity],
    settings: WorkspaceSettings,
    recent: Mapping[tuple[int, str], tuple[str, dt.date]],
    snoozed: Mapping[tuple[str, int], dt.date],
    *,
    now: dt.datetime,
    admins: Collection[str] = (),
    unowned: int = 0,
    departed: Collection[str] = (),
) -> list[RepDigest]:
    """Each due rep's digest, when it has anything in it.

    `activities` covers the clients the due reps own or promised a follow-up on; `recent` maps
    (client ID, rule) to the last nudge's (window, day); `snoozed` maps (rep, client ID) to
    the day the client comes back. While `unowned` clients wait for a new owner, every due
    admin's digest says so (`admins`: TOUCHBASE_ADMINS), and an admin with nothing else due
    gets a digest for that alone: once a working day, like every digest. A promise made by one of
    the `departed` (reps Slack says have left) is the client owner's to keep.
    """
    activities = orphaned_promises_to_owners(activities, departed)
    # Each rep's share of the book: the clients they own and those they promised a follow-up.
    concerning: dict[str, list[ClientActivity]] = {}
    for activity in activities:
        for person in {activity.client.owner_id, activity.promise_by} - {None}:
            concerning.setdefault(str(person), []).append(activity)
    nudged = {(client_id, Rule(rule)): seen for (client_id, rule), seen in recent.items()}
    # Grouped once: scanning every snooze for every due rep grew with reps × snoozes.
    snoozed_by: dict[str, dict[int, dt.date]] = {}
    for (who, client_id), until in snoozed.items():
        snoozed_by.setdefault(who, {})[client_id] = until
    planned = []
    for user_id, due_rep in due.items():
        items = items_for_rep(
            user_id,
            concerning.get(user_id, []),
            settings,
            now=now,
            today=due_rep.local_date,
            tz=due_rep.tz,
        )
        digest = choose_for_digest(
            items,
            nudged,
            snoozed_by.get(user_id, {}),
            today=due_rep.local_date,
            renudge_days=settings.renudge_days,
        )
        if unowned and is_admin(due_rep.rep, admins):
            digest = dataclasses.replace(digest, unowned=unowned)
        if digest.items or digest.unowned:
            planned.append(RepDigest(due_rep.rep, due_rep.local_date, digest))
    return planned
