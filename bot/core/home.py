"""The App Home tab's decisions: a rep's own book, the clients who need them first. Pure.

`now`, the rep's local `today` and zone are passed in. The order is the nudge engine's
(bot.core.rules): renewals without value-adding contact, then overdue clients and promises, then
what is merely due; the rest follow, longest without a touch first. A snoozed client waits with
the rest until its snooze ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.core.dates import next_renewal
from bot.core.model import Client, ClientActivity, HandedBack, Week, WorkspaceSettings
from bot.core.owners import Unowned
from bot.core.rules import Item, items_for_rep, one_per_client
from bot.core.topics import Recall


@dataclass(frozen=True)
class Row:
    """One client on the home: why it needs attention (None: it doesn't), and its facts."""

    client: Client
    item: Item | None
    days_since_touch: int | None
    renewal_on: dt.date | None
    snoozed_until: dt.date | None


@dataclass(frozen=True)
class Home:
    rows: tuple[Row, ...]
    week: Week
    # Only for admins; empty for everyone else.
    handed_back: tuple[HandedBack, ...] = ()
    unowned: tuple[Unowned, ...] = ()
    # What the rep may be reminded of about the clients that need a touch, by client ID.
    recalls: Mapping[int, Recall] = field(default_factory=dict)
    # Whether calendar feed links can be made (TOUCHBASE_PUBLIC_URL is set).
    calendar: bool = False
    # Whether the rep is an admin: the Admin section, with the workspace settings.
    admin: bool = False


def week_start(now: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """Midnight at the start of Monday this week in the rep's zone, in UTC."""
    today = now.astimezone(tz).date()
    monday = today - dt.timedelta(days=today.weekday())
    return dt.datetime.combine(monday, dt.time(0), tz).astimezone(dt.UTC)


def book(
    rep_id: str,
    activities: Sequence[ClientActivity],
    settings: WorkspaceSettings,
    snoozed: Mapping[int, dt.date],
    *,
    now: dt.datetime,
    today: dt.date,
    tz: dt.tzinfo,
) -> tuple[Row, ...]:
    """The rep's clients (`activities` are the ones they own), most in need of them first.

    `snoozed` maps the rep's snoozed clients to the day they come back.
    """
    items = items_for_rep(rep_id, activities, settings, now=now, today=today, tz=tz)
    first = {i.client.id: i for i in one_per_client(items) if i.client.id not in snoozed}
    position = {client_id: n for n, client_id in enumerate(first)}

    def row(activity: ClientActivity) -> Row:
        client, last = activity.client, activity.last_touch_at
        return Row(
            client=client,
            item=first.get(client.id),
            days_since_touch=None if last is None else (today - _local_day(last, today, tz)).days,
            renewal_on=next_renewal(client.renewal_date, today) if client.renewal_date else None,
            snoozed_until=snoozed.get(client.id),
        )

    rows = [row(a) for a in activities]
    needing = sorted((r for r in rows if r.item), key=lambda r: position[r.client.id])
    rest = sorted(
        (r for r in rows if not r.item),
        key=lambda r: (
            r.days_since_touch is not None,
            -(r.days_since_touch or 0),
            r.client.name.casefold(),
            r.client.id,
        ),
    )
    return (*needing, *rest)


def _local_day(moment: dt.datetime, today: dt.date, tz: dt.tzinfo) -> dt.date:
    # A touch dated ahead of the clock (a skew) counts as today, as in the nudge rules.
    return min(moment.astimezone(tz).date(), today)
