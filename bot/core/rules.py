"""The nudge engine: which clients need a touch today, and what goes in the morning digest.

Pure functions over plain values. `now` (an aware datetime) and the rep's local `today` are
passed in; nothing here reads the clock. The words live in `bot.text`: this module returns
structured items and lets the text say them.

Counting days. Every "days since" is a difference of whole *local* dates: `today` minus the
local date (in the rep's zone `tz`) of the touch. A touch at 23:30 on Saturday is "2 days ago"
on Monday whatever the hour, daylight-saving changes don't shift the count, and the count
matches the dates the rep sees in Slack. A touch dated after `now` (the repository drops
them, but a clock skew can still produce one) counts as made today.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays

from bot.core.dates import anniversary, next_renewal, previous_renewal
from bot.core.model import Client, ClientActivity, Status, WorkspaceSettings


class Rule(enum.StrEnum):
    RENEWAL = "renewal"
    PROMISE = "promise"
    CHECK_IN = "check_in"
    QUIET = "quiet"
    ANNIVERSARY = "anniversary"


class Level(enum.StrEnum):
    DUE = "due"
    OVERDUE = "overdue"
    URGENT = "urgent"


# How levels compare when deciding whether a repeat nudge is an escalation.
_LEVEL_RANK = {Level.DUE: 0, Level.OVERDUE: 1, Level.URGENT: 2}
_RULE_RANK = {rule: rank for rank, rule in enumerate(Rule)}

# A renewal this many days away or closer is URGENT (renewal day itself included).
URGENT_RENEWAL_DAYS = 14
# Without a previous renewal, value touches in this many days count for the renewal rule.
NO_PREVIOUS_RENEWAL_DAYS = 365
# A problem is checked on from `claim_check_days` after it until this many days later; an
# older one is ignored, or a claim nobody followed up would nag forever.
PROBLEM_FOLLOW_DAYS = 30
# "Snooze a week": how long a client rests when the rep snoozes it without picking a day.
SNOOZE_DAYS = 7
# A whole-year anniversary this many days away or closer is a reason to say thank you.
ANNIVERSARY_DAYS = 7

# The urgency sort key: (group, date-or-count, client name, client id, rule).
Urgency = tuple[int, int, str, int, int]

_GROUP_URGENT_RENEWAL = 0
_GROUP_RENEWAL = 1
_GROUP_OVERDUE = 2  # OVERDUE quiet and PROMISE
_GROUP_CHECK_IN = 3
# A thank-you: below renewals, overdue clients and check-ins; its day comes and goes, so above
# a client that has merely gone quiet.
_GROUP_ANNIVERSARY = 4
_GROUP_DUE_QUIET = 5


@dataclass(frozen=True)
class Item:
    """One reason to get in touch with one client.

    `window` is the de-duplication key for (client, rule, window): `<base>:<level>`, where the
    base is the renewal date (RENEWAL), the promised date (PROMISE), the local date of the
    problem (CHECK_IN), the local date of the last touch or of the client's creation (QUIET), or
    the anniversary's date (ANNIVERSARY). A new base is a new window; the same base at a higher
    level is an escalation.
    """

    client: Client
    rule: Rule
    level: Level
    window: str
    urgency: Urgency
    # QUIET: whole local days since the last touch (or since the client was added).
    days_quiet: int | None = None
    # RENEWAL: the coming renewal date, and whether routine touches (only) were logged since
    # the previous renewal, or in the last 12 months when there was none.
    renewal_on: dt.date | None = None
    only_routine_since: bool = False
    # PROMISE: the day the rep promised to follow up.
    promise_due: dt.date | None = None
    # CHECK_IN: when the touch that mentioned a claim or problem happened.
    problem_at: dt.datetime | None = None
    # ANNIVERSARY: the day, and how many whole years the client will have been with us.
    anniversary_on: dt.date | None = None
    years: int | None = None


@dataclass(frozen=True)
class Digest:
    """What one morning note shows, and how many further items are due beyond it."""

    items: tuple[Item, ...]
    more: int
    # For an admin: how many clients wait for a new owner (bot.core.owners).
    unowned: int = 0


def _local_day(moment: dt.datetime, *, now: dt.datetime, today: dt.date, tz: dt.tzinfo) -> dt.date:
    """The local date of a moment; a moment after `now`, or after `today`, counts as today."""
    if moment > now:
        return today
    return min(moment.astimezone(tz).date(), today)


def evaluate(
    activity: ClientActivity,
    settings: WorkspaceSettings,
    *,
    now: dt.datetime,
    today: dt.date,
    tz: dt.tzinfo = dt.UTC,
) -> list[Item]:
    """Every rule that fires for one client, in no particular order.

    `tz` is the rep's zone, used to turn touch times into local dates; `today` is the local
    date of `now` in it.
    """
    client = activity.client
    if client.status is Status.ARCHIVED:
        return []

    def local(moment: dt.datetime) -> dt.date:
        return _local_day(moment, now=now, today=today, tz=tz)

    items: list[Item] = []
    name_key = client.name.casefold()

    # Renewal without value.
    if client.renewal_date is not None:
        renewal_on = next_renewal(client.renewal_date, today)
        days_left = (renewal_on - today).days
        if days_left <= settings.renewal_window_days:
            previous = previous_renewal(client.renewal_date, today)
            since = (
                previous
                if previous is not None
                else today - dt.timedelta(days=NO_PREVIOUS_RENEWAL_DAYS)
            )
            value_since = (
                activity.last_value_at is not None and local(activity.last_value_at) >= since
            )
            if not value_since:
                urgent = days_left <= URGENT_RENEWAL_DAYS
                level = Level.URGENT if urgent else Level.DUE
                group = _GROUP_URGENT_RENEWAL if urgent else _GROUP_RENEWAL
                items.append(
                    Item(
                        client=client,
                        rule=Rule.RENEWAL,
                        level=level,
                        window=_window(renewal_on, level),
                        urgency=(group, renewal_on.toordinal(), name_key, client.id, 0),
                        renewal_on=renewal_on,
                        only_routine_since=(
                            activity.last_touch_at is not None
                            and local(activity.last_touch_at) >= since
                        ),
                    )
                )

    # Promise due: nothing logged since the touch that made the promise.
    due = activity.promise_due
    if due is not None and due <= today and untouched_since(activity, activity.promise_made_at):
        items.append(
            Item(
                client=client,
                rule=Rule.PROMISE,
                level=Level.DUE,
                window=_window(due, Level.DUE),
                urgency=(_GROUP_OVERDUE, due.toordinal(), name_key, client.id, 0),
                promise_due=due,
            )
        )

    # Check in after a claim or problem.
    if activity.problem_at is not None:
        problem_day = local(activity.problem_at)
        days_since = (today - problem_day).days
        if (
            settings.claim_check_days
            <= days_since
            <= settings.claim_check_days + PROBLEM_FOLLOW_DAYS
        ) and untouched_since(activity, activity.problem_at):
            items.append(
                Item(
                    client=client,
                    rule=Rule.CHECK_IN,
                    level=Level.DUE,
                    window=_window(problem_day, Level.DUE),
                    urgency=(_GROUP_CHECK_IN, problem_day.toordinal(), name_key, client.id, 0),
                    problem_at=activity.problem_at,
                )
            )

    # A whole-year anniversary in the coming week: a reason to say thank you.
    day, years = next_anniversary(client, today)
    if (day - today).days <= ANNIVERSARY_DAYS:
        items.append(
            Item(
                client=client,
                rule=Rule.ANNIVERSARY,
                level=Level.DUE,
                window=_window(day, Level.DUE),
                urgency=(_GROUP_ANNIVERSARY, day.toordinal(), name_key, client.id, 0),
                anniversary_on=day,
                years=years,
            )
        )

    # Gone quiet: counted from the last touch of any kind, or from when the client was added.
    last_day = local(activity.last_touch_at or client.created_at)
    days_quiet = (today - last_day).days
    cadence = settings.cadence_for(client.tier)
    if days_quiet >= cadence:
        # 1.5 × cadence without floating point: OVERDUE from ceil(1.5 × cadence) days.
        overdue = 2 * days_quiet >= 3 * cadence
        level = Level.OVERDUE if overdue else Level.DUE
        if overdue:
            # Oldest due first: the day the client reached its cadence.
            due_since = last_day + dt.timedelta(days=cadence)
            urgency = (_GROUP_OVERDUE, due_since.toordinal(), name_key, client.id, 1)
        else:
            urgency = (_GROUP_DUE_QUIET, -days_quiet, name_key, client.id, 0)
        items.append(
            Item(
                client=client,
                rule=Rule.QUIET,
                level=level,
                window=_window(last_day, level),
                urgency=urgency,
                days_quiet=days_quiet,
            )
        )
    return items


def next_anniversary(client: Client, today: dt.date) -> tuple[dt.date, int]:
    """The client's next whole-year anniversary with us, today or later, and its years."""
    base = client.since
    day = anniversary(base, max(today.year, base.year + 1))
    if day < today:
        day = anniversary(base, day.year + 1)
    return day, day.year - base.year


def untouched_since(activity: ClientActivity, moment: dt.datetime | None) -> bool:
    """Nothing logged on the client after `moment` (the touch at `moment` itself aside)."""
    if activity.last_touch_at is None:
        return True
    if moment is None:
        # Only a broken row has a promise without the time it was made: take it as still open.
        return True
    return activity.last_touch_at <= moment


def _window(base: dt.date, level: Level) -> str:
    return f"{base.isoformat()}:{level.value}"


def _split_window(window: str) -> tuple[str, Level | None]:
    base, _, level = window.rpartition(":")
    try:
        return base, Level(level)
    except ValueError:
        return window, None


def due_items(
    activities: Iterable[ClientActivity],
    settings: WorkspaceSettings,
    *,
    now: dt.datetime,
    today: dt.date,
    tz: dt.tzinfo = dt.UTC,
) -> list[Item]:
    """Every item for every client, most urgent first.

    The order: URGENT renewals (nearest first), other renewals (nearest first), then OVERDUE
    quiet clients and due promises together (the one due longest first), then check-ins after
    a problem (oldest problem first), then anniversaries (nearest first), then DUE quiet clients
    (most days quiet first). Ties go by client name, then client id.
    """
    items = [
        item
        for activity in activities
        for item in evaluate(activity, settings, now=now, today=today, tz=tz)
    ]
    return sorted(items, key=lambda item: item.urgency)


def items_for_rep(
    rep_id: str,
    activities: Iterable[ClientActivity],
    settings: WorkspaceSettings,
    *,
    now: dt.datetime,
    today: dt.date,
    tz: dt.tzinfo = dt.UTC,
) -> list[Item]:
    """What one rep should hear about, most urgent first.

    A rep hears about the clients they own, and about the follow-ups they promised themselves,
    whoever owns the client: the promise is theirs to keep, not the owner's.
    """

    def theirs(item: Item, activity: ClientActivity) -> bool:
        if item.rule is Rule.PROMISE:
            return promise_keeper(activity) == rep_id
        return activity.client.owner_id == rep_id

    relevant = list(activities)
    by_client = {activity.client.id: activity for activity in relevant}
    return [
        item
        for item in due_items(relevant, settings, now=now, today=today, tz=tz)
        if theirs(item, by_client[item.client.id])
    ]


def promise_keeper(activity: ClientActivity) -> str | None:
    """Who is to keep the client's promise: whoever made it (or took it over), else its owner."""
    return activity.promise_by or activity.client.owner_id


def may_nudge(
    item: Item, last: tuple[str, dt.date] | None, *, today: dt.date, renudge_days: int
) -> bool:
    """Whether an item may be nudged, given the window and local date of its last nudge.

    The same (client, rule) is not nudged again within `renudge_days` of its last nudge, unless
    the window is a new one (a new renewal date, promise or silence) or the same window at a
    higher level (a renewal entering its last 14 days, a quiet client becoming overdue). An
    anniversary is raised once, ever: a second thank-you note for the same year would be odd.
    """
    if last is None:
        return True
    last_window, last_day = last
    if item.rule is Rule.ANNIVERSARY:
        return item.window != last_window
    if (today - last_day).days >= renudge_days:
        return True
    if item.window == last_window:
        return False
    base, level = _split_window(item.window)
    last_base, last_level = _split_window(last_window)
    if base != last_base or level is None or last_level is None:
        return True
    return _LEVEL_RANK[level] > _LEVEL_RANK[last_level]


def nudge_lookback_days(settings: WorkspaceSettings) -> int:
    """How many days of past nudges `may_nudge` needs to see: `renudge_days`, and at least an
    anniversary's whole notice, so it is never raised twice."""
    return max(settings.renudge_days, ANNIVERSARY_DAYS + 1)


def one_per_client(items: Iterable[Item]) -> list[Item]:
    """The first item of each client, in order: one line per client, its most urgent reason."""
    seen: set[int] = set()
    unique = []
    for item in items:
        if item.client.id not in seen:
            seen.add(item.client.id)
            unique.append(item)
    return unique


def choose_for_digest(
    items: Sequence[Item],
    recently_nudged: Mapping[tuple[int, Rule], tuple[str, dt.date]],
    snoozed_until: Mapping[int, dt.date],
    *,
    today: dt.date,
    renudge_days: int,
    limit: int = 3,
) -> Digest:
    """The most urgent items that may be nudged today, one per client, at most `limit` of them.

    Snoozed clients (snoozed until a date after today) are left out, and so are items nudged
    too recently (see `may_nudge`). `more` counts the further items that could have been
    nudged today beyond the limit; snoozed and recently nudged items are not counted.
    """
    eligible = [
        item
        for item in sorted(items, key=lambda item: item.urgency)
        if snoozed_until.get(item.client.id, dt.date.min) <= today
        and may_nudge(
            item,
            recently_nudged.get((item.client.id, item.rule)),
            today=today,
            renudge_days=renudge_days,
        )
    ]
    # One line per client: its most urgent reason. `more` counts further clients, not reasons.
    per_client = one_per_client(eligible)
    chosen = tuple(per_client[: max(limit, 0)])
    return Digest(items=chosen, more=len(per_client) - len(chosen))


# Delivery


@functools.lru_cache(maxsize=256)
def _holidays(country: str, year: int) -> frozenset[dt.date]:
    try:
        found = holidays.country_holidays(country, years=year)
    except NotImplementedError:
        return frozenset()
    return frozenset(day for day in found if isinstance(day, dt.date))


def valid_country(code: str) -> bool:
    """Whether the `holidays` package knows this country code (ISO 3166-1 alpha-2, e.g. "US")."""
    return code.strip().upper() in holidays.list_supported_countries()


def is_working_day(day: dt.date, holiday_country: str | None) -> bool:
    """Monday to Friday, minus that country's public holidays (an unknown code: none)."""
    if day.weekday() >= 5:
        return False
    if not holiday_country:
        return True
    return day not in _holidays(holiday_country.strip().upper(), day.year)


def digest_due(
    *,
    now: dt.datetime,
    tz: ZoneInfo,
    nudge_hour: int,
    holiday_country: str | None,
    already_sent_today: bool,
    paused_until: dt.date | None,
) -> dt.date | None:
    """The local date the rep's digest is for, or None when none is due now.

    None when already sent today, on a weekend or public holiday, before `nudge_hour` local
    time, or while paused: `paused_until` after the local date (date.max: until resumed).
    """
    local_now = now.astimezone(tz)
    today = local_now.date()
    if already_sent_today:
        return None
    if paused_until is not None and paused_until > today:
        return None
    if not is_working_day(today, holiday_country):
        return None
    if local_now.hour < nudge_hour:
        return None
    return today


def suggestion_index(client_id: int, rule: Rule, today: dt.date, count: int) -> int:
    """Which of `count` suggestions to show for this client and rule today.

    Rotates with a working-day number (Monday to Friday count 1, 2, 3...; a weekend keeps
    Friday's number) offset by the client and the rule. For any count of 2 or more the index
    changes from one working day to the next (Friday to Monday included) and from one week to
    the same day of the next, so neither consecutive digests nor a repeat nudge after 7 days
    show the same suggestion twice running.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    ordinal = today.toordinal() - 1  # date(1, 1, 1) was a Monday
    working_day = (ordinal // 7) * 5 + min(ordinal % 7, 4)
    step = working_day
    if count % 5 == 0:
        # A week is 5 working days: with 5, 10... suggestions add a step per week so the same
        # weekday a week later lands elsewhere.
        step += working_day // 5
    return (step + client_id + _RULE_RANK[rule]) % count
