"""The App Home tab: a rep's own book, the clients who need them first, and their week. Pure.

`now`, the rep's local `today` and zone are passed in. The order is the nudge engine's
(bot.core.rules): renewals without value-adding contact, then overdue clients and promises, then
what is merely due; the rest follow, longest without a touch first. A snoozed client waits with
the rest until its snooze ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot import text
from bot.core.blocks import section
from bot.core.dates import next_renewal
from bot.core.model import Client, ClientActivity, WorkspaceSettings
from bot.core.nudge_blocks import reason
from bot.core.rules import Item, items_for_rep, one_per_client

# Action IDs of the home's buttons; a client's buttons carry its ID as their value.
HOME_LOG = "home_log_touch"
HOME_SNOOZE = "home_snooze"
HOME_OPEN = "home_open_client"
HOME_LOG_ANY = "home_log_any"
HOME_ADD = "home_add_client"
# The users_select beside a handed-back client; its block_id ends with the client's ID.
REASSIGN = "home_reassign"
REASSIGN_BLOCK = "reassign:"
CLIENT_BLOCK = "home-client:"

# Slack's limit for a Home tab.
MAX_BLOCKS = 100
# Handed-back clients shown to an admin at once; they come before the admin's own book.
HANDED_BACK_LIMIT = 10


@dataclass(frozen=True)
class Week:
    """Touches a rep logged this week (from Monday in their zone), and how many added value."""

    touches: int = 0
    value: int = 0


@dataclass(frozen=True)
class HandedBack:
    """A client someone handed back with "Not my client", waiting for an admin to reassign."""

    client: Client
    by: str | None
    at: dt.datetime | None


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


def home_view(home: Home, *, today: dt.date, tz: dt.tzinfo) -> dict[str, Any]:
    blocks: list[Block] = [
        HeaderBlock(text=text.HOME_TITLE),
        section(text.week_summary(home.week.touches, home.week.value)),
        ActionsBlock(
            elements=[
                ButtonElement(text=text.HOME_LOG_ANY, action_id=HOME_LOG_ANY, style="primary"),
                ButtonElement(text=text.HOME_ADD, action_id=HOME_ADD),
            ]
        ),
        ContextBlock(elements=[MarkdownTextObject(text=text.HOME_HINT)]),
    ]
    blocks += _handed_back(home.handed_back, today, tz)
    blocks += _rows(home.rows, today, room=MAX_BLOCKS - len(blocks))
    return View(type="home", blocks=blocks).to_dict()


def _handed_back(waiting: Sequence[HandedBack], today: dt.date, tz: dt.tzinfo) -> list[Block]:
    if not waiting:
        return []
    blocks: list[Block] = [DividerBlock(), section(text.HOME_HANDED_BACK)]
    for entry in waiting[:HANDED_BACK_LIMIT]:
        day = entry.at.astimezone(tz).date() if entry.at else None
        blocks.append(
            SectionBlock(
                block_id=f"{REASSIGN_BLOCK}{entry.client.id}",
                text=MarkdownTextObject(
                    text=text.handed_back_line(entry.client, entry.by, day, today)
                ),
                accessory=UserSelectElement(action_id=REASSIGN, placeholder=text.HOME_REASSIGN),
            )
        )
    if len(waiting) > HANDED_BACK_LIMIT:
        blocks.append(section(text.handed_back_more(len(waiting) - HANDED_BACK_LIMIT)))
    return blocks


def _rows(rows: Sequence[Row], today: dt.date, *, room: int) -> list[Block]:
    """The book in at most `room` blocks: two a client, a heading for each part, and a last
    line saying how many more there are when they don't all fit."""
    if not rows:
        return [DividerBlock(), section(text.HOME_EMPTY)]
    blocks: list[Block] = []
    if rows[0].item is None:
        blocks += [DividerBlock(), section(text.HOME_ATTENTION), section(text.LIST_EMPTY)]
    heading: bool | None = None
    shown = 0
    for row in rows:
        needs_attention = row.item is not None
        opens_part = needs_attention != heading
        cost = 2 + (2 if opens_part else 0)
        # Keep one block for the "and N more" line unless this is the last row.
        reserve = 0 if shown == len(rows) - 1 else 1
        if len(blocks) + cost + reserve > room:
            break
        if opens_part:
            title = text.HOME_ATTENTION if needs_attention else text.HOME_REST
            blocks += [DividerBlock(), section(title)]
            heading = needs_attention
        blocks += _row(row, today)
        shown += 1
    if shown < len(rows):
        blocks.append(section(text.home_more(len(rows) - shown)))
    return blocks


def _row(row: Row, today: dt.date) -> list[Block]:
    client = row.client
    facts = [text.last_touch(row.days_since_touch), text.renews(row.renewal_on, today)]
    if row.snoozed_until:
        facts.append(text.snoozed_until(row.snoozed_until, today))
    lines = [f"*{client.name}*"]
    if row.item is not None:
        lines.append(reason(row.item, today))
    lines.append(" · ".join(facts))
    value = str(client.id)
    return [
        SectionBlock(
            block_id=f"{CLIENT_BLOCK}{client.id}", text=MarkdownTextObject(text="\n".join(lines))
        ),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=text.LOG_BUTTON, action_id=HOME_LOG, value=value, style="primary"
                ),
                ButtonElement(text=text.SNOOZE_BUTTON, action_id=HOME_SNOOZE, value=value),
                ButtonElement(text=text.HOME_OPEN, action_id=HOME_OPEN, value=value),
            ]
        ),
    ]
