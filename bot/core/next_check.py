"""When a client next needs looking at: the first day any nudge rule could fire for it.

The nudge pass reads only the clients whose day has come (the summary's `next_check_on`), so
the day must never be late: a day early costs a read, a day late a missed nudge. It is worked
out in local dates, like the rules (bot.core.rules), but without knowing whose zone: the zones
run from UTC−12 to UTC+14, so each moment is taken at its earliest local date (or its latest,
where that is the safe side). A day in the past means "look now": a quiet client and a due
promise stay due until a touch.

tests/core/test_next_check.py checks the day against the rules themselves; a change to a rule
must come with its change here.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TypeVar

from bot.core.dates import anniversary, next_renewal, previous_renewal
from bot.core.model import ClientActivity, Status, WorkspaceSettings
from bot.core.rules import (
    ANNIVERSARY_DAYS,
    NO_PREVIOUS_RENEWAL_DAYS,
    PROBLEM_FOLLOW_DAYS,
    next_anniversary,
    untouched_since,
)

# The zones furthest west and east of UTC.
WESTMOST = dt.timedelta(hours=12)
EASTMOST = dt.timedelta(hours=14)


def next_check_on(
    activity: ClientActivity, settings: WorkspaceSettings, *, now: dt.datetime
) -> dt.date | None:
    """The earliest local date, in any zone, on which a rule could fire for this client; None
    when none ever can (an archived client).

    `now` is a moment the facts were known at (a write's time, or any earlier moment after
    them): passes come after it, so rules are looked at from its local date in the zone
    furthest west. A later `now` never gives an earlier day.
    """
    client = activity.client
    if client.status is Status.ARCHIVED:
        return None
    earliest_today = _first_local_day(max(now, client.created_at))
    days = [
        _quiet(activity, settings),
        _promise(activity),
        _check_in(activity, settings, earliest_today),
        _renewal(activity, settings, earliest_today),
        _anniversary(activity, earliest_today),
    ]
    if activity.last_touch_at is not None and activity.last_touch_at > now:
        # A touch dated ahead of when it was written (a CSV import of today's touches, dated
        # noon, made in the morning) hasn't happened yet for a pass before then, and the pass
        # reads the touches as of its own time: look at the client from now on, until a check
        # at a later `now` finds the touch past.
        days.append(earliest_today)
    return min(day for day in days if day is not None)


def _first_local_day(moment: dt.datetime) -> dt.date:
    """The earliest local date of a moment, in any zone."""
    return (moment.astimezone(dt.UTC) - WESTMOST).date()


def _last_local_day(moment: dt.datetime) -> dt.date:
    """The latest local date of a moment, in any zone."""
    return (moment.astimezone(dt.UTC) + EASTMOST).date()


def _quiet(activity: ClientActivity, settings: WorkspaceSettings) -> dt.date:
    """Gone quiet: `cadence` days after the local date of the last touch (or of the client's
    creation). It stays due until a touch."""
    last = activity.last_touch_at or activity.client.created_at
    cadence = settings.cadence_for(activity.client.tier)
    return _first_local_day(last) + dt.timedelta(days=cadence)


def _promise(activity: ClientActivity) -> dt.date | None:
    """A promised follow-up falls due on its day, unless a touch came after the promise."""
    if activity.promise_due is None or not untouched_since(activity, activity.promise_made_at):
        return None
    return activity.promise_due


def _anniversary(activity: ClientActivity, earliest_today: dt.date) -> dt.date:
    """A whole-year anniversary is a reason to call from ANNIVERSARY_DAYS before it."""
    day, _ = next_anniversary(activity.client, earliest_today)
    return day - dt.timedelta(days=ANNIVERSARY_DAYS)


def _check_in(
    activity: ClientActivity, settings: WorkspaceSettings, earliest_today: dt.date
) -> dt.date | None:
    """A problem is checked on `claim_check_days` after it, for PROBLEM_FOLLOW_DAYS more days,
    unless a touch came after it."""
    if activity.problem_at is None or not untouched_since(activity, activity.problem_at):
        return None
    first = _first_local_day(activity.problem_at) + dt.timedelta(days=settings.claim_check_days)
    last = _last_local_day(activity.problem_at) + dt.timedelta(
        days=settings.claim_check_days + PROBLEM_FOLLOW_DAYS
    )
    return first if last >= earliest_today else None


def _renewal(
    activity: ClientActivity, settings: WorkspaceSettings, earliest_today: dt.date
) -> dt.date | None:
    """A renewal without value fires through the `renewal_window_days` before each renewal
    when no value-adding touch came since the previous renewal (before the first, within the
    last NO_PREVIOUS_RENEWAL_DAYS). The first such window from `earliest_today` on."""
    renewal = activity.client.renewal_date
    if renewal is None:
        return None
    # The earliest local date the last value-adding touch can have, in any zone.
    value_day = None if activity.last_value_at is None else _first_local_day(activity.last_value_at)
    window = dt.timedelta(days=settings.renewal_window_days)
    upcoming = next_renewal(renewal, earliest_today)
    # Ends: each year the previous renewal moves on, and a value day stays put.
    while True:
        opens = upcoming - window
        previous = previous_renewal(renewal, upcoming)
        if previous is not None:
            if value_day is None or value_day < previous:
                return opens
        else:
            # Before the first renewal a value-adding touch stops counting once it is
            # NO_PREVIOUS_RENEWAL_DAYS old, which can happen inside the window.
            fires = (
                opens
                if value_day is None
                else max(opens, value_day + dt.timedelta(days=NO_PREVIOUS_RENEWAL_DAYS + 1))
            )
            if fires <= upcoming:
                return fires
        upcoming = anniversary(renewal, upcoming.year + 1)


# Whatever a summary row says of a client's touches.
Facts = TypeVar("Facts")


class Verdict(enum.StrEnum):
    """How a stored summary row compares with one worked out afresh from the touches."""

    RIGHT = "right"
    # Its next check is earlier than need be: a few needless reads until it is refreshed.
    EARLY = "early"
    # Drift: the pass could miss a nudge.
    MISSING = "missing"
    WRONG = "wrong"  # the touches say otherwise
    LATE = "late"  # its next check is after a day on which a rule could fire

    @property
    def drift(self) -> bool:
        return self in {Verdict.MISSING, Verdict.WRONG, Verdict.LATE}


def verdict(
    stored: tuple[Facts, dt.date | None] | None, fresh: Facts, fresh_day: dt.date | None
) -> Verdict:
    """Compare a stored summary (what it says of the client's touches, and its next check day)
    with the one worked out afresh."""
    if stored is None:
        return Verdict.MISSING
    facts, day = stored
    if facts != fresh:
        return Verdict.WRONG
    if day == fresh_day:
        return Verdict.RIGHT
    if fresh_day is not None and (day is None or day > fresh_day):
        return Verdict.LATE
    return Verdict.EARLY
