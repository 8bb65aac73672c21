"""The digest's Block Kit, built as plain dicts for speed, is what slack_sdk's models build."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re

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
from bot.core.topics import Recall, Topic
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


# Picking up where the rep left off


def section_text(item: Item, recall: Recall | None = None) -> str:
    text_ = item_blocks(item, TODAY, recall)[0]["text"]["text"]
    assert isinstance(text_, str)
    return text_


LUNCH = Recall(dt.date(2026, 7, 12), "lunch with the owner, expansion plans")


def test_an_item_says_when_they_last_talked_and_asks_what_follows_from_it() -> None:
    item = quiet(7, "Acme Insurance Group")
    assert section_text(item, LUNCH) == (
        "*Acme Insurance Group*\n"
        "No contact in 83 days\n"
        "Last talked 12 Jul: lunch with the owner, expansion plans\n"
        "_Ask how the expansion went._"
    )
    # Last year's conversation names its year.
    old = Recall(dt.date(2025, 12, 30), "went over their cover")
    assert "Last talked 30 Dec 2025: went over their cover\n" in section_text(item, old)
    # Nothing to ask about: today's rotation.
    assert section_text(item, old).endswith(f"_{suggestion(item, TODAY)}_")
    # Nothing the rep may read: no line, and the rotation.
    assert section_text(item, Recall()) == section_text(item)
    assert "Last talked" not in section_text(item)


def test_the_last_conversation_is_escaped_and_kept_to_one_short_line() -> None:
    item = quiet(7, "Acme")
    noisy = Recall(dt.date(2026, 7, 12), "ping <!channel> & <@U0BOSS>\nsecond line " + "x" * 300)
    line = section_text(item, noisy).split("\n")[2]
    assert line.startswith("Last talked 12 Jul: ping &lt;!channel&gt; &amp; &lt;@U0BOSS&gt; second")
    assert line.endswith("…") and len(line) <= 140
    assert "<" not in line


def test_a_promise_is_reminded_in_the_words_that_made_it() -> None:
    promise = Item(
        client=Client(3, "T1", "Northwind Traders"),
        rule=Rule.PROMISE,
        level=Level.DUE,
        window="2026-11-23:due",
        urgency=(2, 0, "northwind traders", 3, 0),
        promise_due=TODAY,
    )
    made_it = Recall(
        dt.date(2026, 11, 16),
        "sent the quote for the new truck, follow up monday",
        promised="sent the quote for the new truck",
        promise_is_last=True,
    )
    words = section_text(promise, made_it)
    assert words.split("\n")[1] == (
        "You said you'd follow up today: “sent the quote for the new truck”"
    )
    # Said once, and a promise's suggestion stays "do what you promised".
    assert "Last talked" not in words
    assert words.endswith(f"_{suggestion(promise, TODAY)}_")
    earlier = dataclasses.replace(made_it, promise_is_last=False, last_note="lunch, expansion")
    assert "\nLast talked 16 Nov: lunch, expansion\n" in section_text(promise, earlier)
    # Nothing left of the note but the promise: the plain reminder.
    assert section_text(promise, Recall()).split("\n")[1] == "You planned to follow up today"


def test_an_anniversary_is_a_reason_to_say_thank_you() -> None:
    item = Item(
        client=Client(4, "T1", "Acme Insurance Group"),
        rule=Rule.ANNIVERSARY,
        level=Level.DUE,
        window="2026-12-12:due",
        urgency=(4, 0, "acme insurance group", 4, 0),
        anniversary_on=dt.date(2026, 11, 28),
        years=5,
    )
    assert reason(item, TODAY) == (
        "Has been with you 5 years on Saturday 28 November — a thank-you note or call?"
    )
    tomorrow = dataclasses.replace(item, anniversary_on=dt.date(2026, 11, 24), years=1)
    assert reason(tomorrow, TODAY) == (
        "Has been with you 1 year tomorrow — a thank-you note or call?"
    )
    assert suggestion(item, TODAY) in text.SUGGESTIONS["anniversary"]


def test_the_digest_carries_each_clients_last_conversation() -> None:
    items = (quiet(1, "Acme"), quiet(2, "Brightside"))
    message = digest_message(Digest(items, more=0), TODAY, {1: LUNCH})
    assert block_kit_problems(list(message.blocks), surface="message") == []
    sections = [b["text"]["text"] for b in message.blocks if b.get("block_id", "")[:6] == "nudge:"]
    assert "Last talked 12 Jul" in sections[0]
    assert "Last talked" not in sections[1]


def test_every_topic_has_a_question_and_no_suggestion_is_a_sales_pitch() -> None:
    assert set(text.TOPIC_QUESTIONS) == {topic.value for topic in Topic}
    assert set(text.SUGGESTIONS) == {rule.value for rule in Rule}
    pitch = re.compile(r"\b(?:sell|upsell|cross-sell|buy|purchase|quote|premium|discount|deal)")
    words = [*text.TOPIC_QUESTIONS.values(), *itertools.chain(*text.SUGGESTIONS.values())]
    assert [w for w in words if pitch.search(w.lower())] == []
