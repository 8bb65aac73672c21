"""The digest's Block Kit, built as plain dicts for speed, is what slack_sdk's models build."""

from __future__ import annotations

import datetime as dt

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    DatePickerElement,
    MarkdownTextObject,
    SectionBlock,
)

from bot.core.model import Client
from bot.core.rules import Digest, Item, Level, Rule
from bot.devtools.standin import block_kit_problems
from bot.ui import text
from bot.ui.digest import (
    LOG_FROM_NUDGE,
    NOT_MINE,
    SNOOZE_UNTIL,
    SNOOZE_WEEK,
    digest_message,
    item_blocks,
    reason,
    suggestion,
)

TODAY = dt.date(2026, 11, 23)


def quiet(client_id: int, name: str) -> Item:
    return Item(
        client=Client(client_id, "T1", name),
        rule=Rule.QUIET,
        level=Level.DUE,
        window="2026-09-01:due",
        urgency=(4, -80, name.casefold(), client_id, 0),
        days_quiet=83,
    )


def test_item_blocks_match_the_slack_sdk_models() -> None:
    item = quiet(7, "Acme & Sons")
    value = "7"
    expected = [
        SectionBlock(
            block_id="nudge:7",
            text=MarkdownTextObject(
                text=f"*Acme &amp; Sons*\n{reason(item, TODAY)}\n_{suggestion(item, TODAY)}_"
            ),
        ).to_dict(),
        ActionsBlock(
            block_id="nudge-actions:7",
            elements=[
                ButtonElement(
                    text=text.LOG_BUTTON, action_id=LOG_FROM_NUDGE, value=value, style="primary"
                ),
                ButtonElement(text=text.SNOOZE_BUTTON, action_id=SNOOZE_WEEK, value=value),
                DatePickerElement(action_id=SNOOZE_UNTIL, placeholder=text.SNOOZE_PICK),
                ButtonElement(
                    text=text.NOT_MINE_BUTTON,
                    action_id=NOT_MINE,
                    value=value,
                    confirm=ConfirmObject(
                        title=text.NOT_MINE_CONFIRM_TITLE,
                        text=MarkdownTextObject(text=text.not_mine_confirm(item.client)),
                        confirm=text.NOT_MINE_CONFIRM_YES,
                        deny=text.NOT_MINE_CONFIRM_NO,
                    ),
                ),
            ],
        ).to_dict(),
    ]
    assert item_blocks(item, TODAY) == expected


def test_a_full_digest_is_within_slacks_limits() -> None:
    items = tuple(quiet(i, "A client with a long name " * 7) for i in range(1, 4))
    message = digest_message(Digest(items, more=12), TODAY)
    assert block_kit_problems(list(message.blocks), surface="message") == []
    assert "…and 12 more clients — `/touch list`" in str(message.blocks)
    assert message.text.startswith("A few clients could use a touch today:")


def test_an_admins_line_comes_first_in_plain_words_alone_or_atop_the_clients() -> None:
    alone = digest_message(Digest((), more=0, unowned=4), TODAY)
    assert block_kit_problems(list(alone.blocks), surface="message") == []
    assert alone.text == "4 clients need a new owner."
    [line] = alone.blocks
    assert line["text"]["text"] == (
        "*4 clients need a new owner*: whoever looked after them is no longer in Slack. "
        "Choose new owners under *Needs a new owner* on my Home tab."
    )
    one = digest_message(Digest((quiet(1, "Acme"),), more=0, unowned=1), TODAY)
    assert block_kit_problems(list(one.blocks), surface="message") == []
    assert one.blocks[0]["text"]["text"].startswith("*1 client needs a new owner*")
    assert one.blocks[1]["text"]["text"] == text.DIGEST_GREETING
    assert one.text == "1 client needs a new owner. A few clients could use a touch today: Acme."
