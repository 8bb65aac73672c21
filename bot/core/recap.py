"""The weekly recap: which week it reports and what it says. Its Block Kit is bot.ui.recap.

Pure functions over plain values; `now` and the workspace's zone are passed in.

The week. A recap posted on any day of an ISO week (in the workspace's zone) reports the
previous Monday-to-Sunday week, and is recorded in the outbox under the Monday of the week it
is posted in (`RecapWeek.period`): Monday 09:00 is the schedule, and a late or repeated run in
the same week finds the same period and posts nothing.

Reuse, not re-implementation. "Gone quiet", "brought back" and "value-adding contact since the
last renewal" are the nudge rules' own answers (`bot.core.rules.evaluate`), so the recap and the
morning notes never disagree about a client.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.classify import classify, mentions_problem, strip_override
from bot.core.dates import next_renewal, previous_renewal
from bot.core.model import (
    ClientActivity,
    ClientWeek,
    RecapInput,
    RecapWeek,
    Status,
    WeekTouch,
    WorkspaceSettings,
)
from bot.core.owners import needing_owner
from bot.core.rules import Rule, evaluate

# Renewals this many days ahead (the posting day included) are in the look ahead.
RENEWAL_DAYS = 30
# Reps named in the thanks; everyone else who added value is thanked as a number.
TOP_REPS = 5
# Notable touches shown, and what makes a touch notable: the words `classify` gives for it.
NOTABLE_SHOWN = 3
NOTABLE_KINDS = ("a review", "a visit", "help with a claim")
# The service reads at most this many of the week's value touches (most recent first) to pick
# the notable ones from: enough to find a review, a visit and a claim in any real week.
NOTABLE_CANDIDATES = 500
# A note is quoted only when its first line is this short, and then only that line.
SHORT_NOTE = 100


def recap_week(now: dt.datetime, tz: dt.tzinfo) -> RecapWeek:
    """The most recent complete Monday-to-Sunday week before `now`, in the zone `tz`."""
    today = now.astimezone(tz).date()
    period = today - dt.timedelta(days=today.weekday())
    first_day = period - dt.timedelta(days=7)

    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)

    return RecapWeek(
        period=period,
        first_day=first_day,
        last_day=period - dt.timedelta(days=1),
        starts_at=midnight(first_day),
        ends_at=midnight(period),
    )


# The recap goes out on Mondays at 09:00 in the workspace's zone.
RECAP_WEEKDAY = 0
RECAP_HOUR = 9


def recap_due_at(now: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """The latest Monday 09:00 in the zone `tz` at or before `now`: when the recap was last
    due (in UTC)."""
    local = now.astimezone(tz)
    monday = local.date() - dt.timedelta(days=(local.weekday() - RECAP_WEEKDAY) % 7)
    due = dt.datetime.combine(monday, dt.time(RECAP_HOUR), tzinfo=tz).astimezone(dt.UTC)
    return due if due <= now else due - dt.timedelta(days=7)


# What the recap says


@dataclass(frozen=True)
class Shoutout:
    rep_id: str
    rep_name: str | None
    value_touches: int


@dataclass(frozen=True)
class Notable:
    rep_id: str
    rep_name: str | None
    client_name: str
    what: str  # one of NOTABLE_KINDS
    quote: str | None


@dataclass(frozen=True)
class Comeback:
    client_name: str
    days_quiet: int


@dataclass(frozen=True)
class Renewal:
    client_name: str
    renews_on: dt.date
    value_since: bool
    # False: the client has had no renewal yet, so "since" means the last 12 months.
    had_previous: bool


@dataclass(frozen=True)
class WeekTotals:
    touches: int
    value_touches: int
    # Active clients with at least one touch in the week.
    clients_reached: int


@dataclass(frozen=True)
class Recap:
    week: RecapWeek
    today: dt.date
    totals: WeekTotals
    active_clients: int
    shoutouts: tuple[Shoutout, ...]
    # Further reps with value-adding touches, thanked without names.
    others: int
    notable: tuple[Notable, ...]
    comebacks: tuple[Comeback, ...]
    # Soonest first; all of them (the message lists the first few).
    renewals: tuple[Renewal, ...]
    quiet: int
    # Active clients whose owner left Slack: counted, never named.
    unowned: int = 0


def plan_recap(data: RecapInput, *, now: dt.datetime, tz: dt.tzinfo) -> Recap:
    """Decide what the recap says. `now` is when it is posted; `tz` the workspace's zone."""
    today = now.astimezone(tz).date()
    clients = [c for c in data.clients if c.activity.client.status is Status.ACTIVE]
    renewals, quiet = _look_ahead(
        [c.activity for c in clients], data.settings, now=now, today=today, tz=tz
    )
    totals = WeekTotals(
        touches=sum(r.touches for r in data.reps),
        value_touches=sum(r.value_touches for r in data.reps),
        clients_reached=sum(c.first_in_week is not None for c in clients),
    )
    tallies = sorted(
        (r for r in data.reps if r.value_touches > 0),
        key=lambda r: (-r.value_touches, (r.display_name or r.rep_id).casefold(), r.rep_id),
    )
    shown = tallies[:TOP_REPS]
    return Recap(
        week=data.week,
        today=today,
        totals=totals,
        active_clients=len(clients),
        shoutouts=tuple(Shoutout(r.rep_id, r.display_name, r.value_touches) for r in shown),
        others=len(tallies) - len(shown),
        notable=tuple(pick_notable(data.touches, quotes=data.settings.recap_quotes)),
        comebacks=tuple(comebacks(clients, data.settings, tz=tz)),
        renewals=tuple(renewals),
        quiet=quiet,
        unowned=len(
            needing_owner(
                (c.activity.client for c in clients), {r.user_id: r for r in data.departed}
            )
        ),
    )


def quotable(note: str) -> str | None:
    """The note's first line, when it is short enough to quote; None otherwise.

    A `#value` tag is dropped, and so is a line with Slack markup in it (a mention or a link).
    """
    cleaned, _ = strip_override(note)
    lines = [line for line in cleaned.splitlines() if line.strip()]
    if not lines:
        return None
    first = " ".join(lines[0].split())
    if len(first) > SHORT_NOTE or "<" in first or ">" in first:
        return None
    return first + ("…" if len(lines) > 1 else "")


def pick_notable(
    touches: Iterable[WeekTouch], limit: int = NOTABLE_SHOWN, *, quotes: bool = False
) -> list[Notable]:
    """A few value touches worth naming: reviews, visits and help with a claim.

    `touches` come most recent first. The note decides the kind (a `#value` tag aside). Variety
    first: a different kind, rep and client each; then any touch by a rep and with a client not
    named yet. A private touch is never named: its kind comes from a note kept from the team.

    A note is quoted only when the workspace allows quotes (`recap_quotes`), and never one about
    a claim or a problem: the recap goes to a team channel.
    """
    found = [
        (touch, because)
        for touch in touches
        if not touch.private
        and (because := classify(strip_override(touch.note)[0]).because) in NOTABLE_KINDS
    ]
    chosen: list[tuple[WeekTouch, str]] = []
    for varied in (True, False):
        for touch, because in found:
            if len(chosen) >= limit:
                break
            if any(
                t.rep_id == touch.rep_id
                or t.client_id == touch.client_id
                or (varied and what == because)
                for t, what in chosen
            ):
                continue
            chosen.append((touch, because))
    chosen.sort(key=lambda pair: NOTABLE_KINDS.index(pair[1]))
    return [
        Notable(
            rep_id=touch.rep_id,
            rep_name=touch.rep_name,
            client_name=touch.client_name,
            what=because,
            quote=quotable(touch.note) if quotes and _quotable_topic(touch, because) else None,
        )
        for touch, because in chosen
    ]


def _quotable_topic(touch: WeekTouch, because: str) -> bool:
    return because != "help with a claim" and not mentions_problem(touch.note)


def comebacks(
    clients: Iterable[ClientWeek], settings: WorkspaceSettings, *, tz: dt.tzinfo
) -> list[Comeback]:
    """Clients touched this week after going quiet: most days quiet first.

    Quiet means what the nudge rule says: at the moment of the week's first touch, the
    client's previous touch was at least its tier's cadence earlier. A first touch ever isn't
    a comeback: a client imported with no history may well have heard from us all along.
    """
    back = []
    for week in clients:
        at, before = week.first_in_week, week.last_before_week
        if at is None or before is None:
            continue
        activity = ClientActivity(client=week.activity.client, last_touch_at=before)
        items = evaluate(activity, settings, now=at, today=at.astimezone(tz).date(), tz=tz)
        quiet = next((item for item in items if item.rule is Rule.QUIET), None)
        if quiet is not None:
            back.append(Comeback(activity.client.name, quiet.days_quiet or 0))
    return sorted(back, key=lambda c: (-c.days_quiet, c.client_name.casefold()))


def _look_ahead(
    book: Iterable[ClientActivity],
    settings: WorkspaceSettings,
    *,
    now: dt.datetime,
    today: dt.date,
    tz: dt.tzinfo,
) -> tuple[list[Renewal], int]:
    """Renewals in the next RENEWAL_DAYS days, soonest first, and how many clients are quiet.

    The nudge rules decide both: the renewal rule, with its window set to RENEWAL_DAYS, fires
    exactly for the renewals without value-adding contact since the previous renewal (or in
    the last 12 months, before the first one).
    """
    window = dataclasses.replace(settings, renewal_window_days=RENEWAL_DAYS)
    renewals = []
    quiet = 0
    for activity in book:
        rules = {item.rule for item in evaluate(activity, window, now=now, today=today, tz=tz)}
        quiet += Rule.QUIET in rules
        client = activity.client
        if client.renewal_date is None:
            continue
        renews_on = next_renewal(client.renewal_date, today)
        if (renews_on - today).days <= RENEWAL_DAYS:
            renewals.append(
                Renewal(
                    client_name=client.name,
                    renews_on=renews_on,
                    value_since=Rule.RENEWAL not in rules,
                    had_previous=previous_renewal(client.renewal_date, today) is not None,
                )
            )
    renewals.sort(key=lambda r: (r.renews_on, r.client_name.casefold()))
    return renewals, quiet
