"""The App Home tab's Block Kit: the rep's book as `bot.core.home.book` ordered it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
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

from bot.core.home import Home, Row
from bot.core.model import Client, HandedBack
from bot.core.topics import Recall
from bot.ui import text
from bot.ui.blocks import section
from bot.ui.digest import last_talked, reason
from bot.ui.ids import (
    CLIENT_BLOCK,
    HOME_ADD,
    HOME_CALENDAR,
    HOME_LOG,
    HOME_LOG_ANY,
    HOME_OPEN,
    HOME_SETTINGS,
    HOME_SNOOZE,
    REASSIGN,
    REASSIGN_BLOCK,
)

# Slack's limit for a Home tab.
MAX_BLOCKS = 100
# The most clients a home can show (two blocks each): the service reads no more recalls.
MAX_ROWS = MAX_BLOCKS // 2
# Clients shown to an admin at once in each of "Needs a new owner" and the handed-back ones;
# they come before the admin's own book.
HANDED_BACK_LIMIT = 10


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
    blocks += _to_reassign(
        text.HOME_UNOWNED,
        [
            (u.client, text.unowned_home_line(u.client, u.was.user_id, u.was.display_name))
            for u in home.unowned
        ],
    )
    blocks += _to_reassign(text.HOME_HANDED_BACK, _handed_back(home.handed_back, today, tz))
    # Last, whatever the size of the book: the calendar feed link, and for admins the
    # workspace settings.
    last: list[Block] = []
    if home.calendar:
        last += _part(text.HOME_CALENDAR, text.HOME_CALENDAR_BUTTON, HOME_CALENDAR)
    if home.admin:
        last += _part(text.HOME_ADMIN, text.HOME_SETTINGS_BUTTON, HOME_SETTINGS)
    blocks += _rows(home.rows, today, home.recalls, room=MAX_BLOCKS - len(blocks) - len(last))
    blocks += last
    return View(type="home", blocks=blocks).to_dict()


def _part(words: str, button: str, action_id: str) -> list[Block]:
    """A part of the home that is a few words and a button."""
    return [
        DividerBlock(),
        SectionBlock(
            text=MarkdownTextObject(text=words),
            accessory=ButtonElement(text=button, action_id=action_id),
        ),
    ]


def _handed_back(
    waiting: Sequence[HandedBack], today: dt.date, tz: dt.tzinfo
) -> list[tuple[Client, str]]:
    return [
        (
            entry.client,
            text.handed_back_line(
                entry.client, entry.by, entry.at.astimezone(tz).date() if entry.at else None, today
            ),
        )
        for entry in waiting
    ]


def _to_reassign(title: str, waiting: Sequence[tuple[Client, str]]) -> list[Block]:
    """A part of the home: each client in its words, with the picker for its new owner."""
    if not waiting:
        return []
    blocks: list[Block] = [DividerBlock(), section(title)]
    for client, words in waiting[:HANDED_BACK_LIMIT]:
        blocks.append(
            SectionBlock(
                block_id=f"{REASSIGN_BLOCK}{client.id}",
                text=MarkdownTextObject(text=words),
                accessory=UserSelectElement(action_id=REASSIGN, placeholder=text.HOME_REASSIGN),
            )
        )
    if len(waiting) > HANDED_BACK_LIMIT:
        blocks.append(section(text.handed_back_more(len(waiting) - HANDED_BACK_LIMIT)))
    return blocks


def _rows(
    rows: Sequence[Row], today: dt.date, recalls: Mapping[int, Recall], *, room: int
) -> list[Block]:
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
        blocks += _row(row, today, recalls.get(row.client.id))
        shown += 1
    if shown < len(rows):
        blocks.append(section(text.home_more(len(rows) - shown)))
    return blocks


def _row(row: Row, today: dt.date, recall: Recall | None) -> list[Block]:
    client = row.client
    facts = [text.last_touch(row.days_since_touch), text.renews(row.renewal_on, today)]
    if row.snoozed_until:
        facts.append(text.snoozed_until(row.snoozed_until, today))
    why = talked = None
    if row.item is not None:
        why = reason(row.item, today, recall)
        talked = last_talked(row.item, today, recall)
    words = text.home_row(client, why, facts, talked)
    value = str(client.id)
    return [
        SectionBlock(block_id=f"{CLIENT_BLOCK}{client.id}", text=MarkdownTextObject(text=words)),
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
