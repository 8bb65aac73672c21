"""Block Kit for the morning digest, `/touch list`, and the digest's buttons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from bot.core.dates import previous_renewal
from bot.core.rules import Digest, Item, Rule, one_per_client, suggestion_index
from bot.core.topics import Recall
from bot.ui import text
from bot.ui.blocks import Message
from bot.ui.ids import (
    ACTIONS_BLOCK,
    ITEM_BLOCK,
    LOG_FROM_NUDGE,
    NOT_MINE,
    SNOOZE_UNTIL,
    SNOOZE_WEEK,
)

# /touch list stays well inside Slack's 50 blocks per message: two blocks an item.
LIST_LIMIT = 20


def reason(item: Item, today: dt.date, recall: Recall | None = None) -> str:
    """Why the client needs a touch; a promise in the words that made it, when `recall` (what
    the reader may be reminded of) has them."""
    match item.rule:
        case Rule.QUIET:
            return text.quiet_reason(item.days_quiet or 0)
        case Rule.RENEWAL:
            assert item.renewal_on is not None
            renewal = item.client.renewal_date or item.renewal_on
            had_previous = previous_renewal(renewal, today) is not None
            return text.renewal_reason(
                item.renewal_on, today, item.only_routine_since, had_previous
            )
        case Rule.PROMISE:
            what = recall.promised if recall else None
            return text.promise_reason(item.promise_due or today, today, what)
        case Rule.CHECK_IN:
            # The window's base is the problem's date in the rep's zone (see Item), the day the
            # rule counted from; `problem_at` is in UTC and can fall on the next day.
            problem_day = dt.date.fromisoformat(item.window.rpartition(":")[0])
            return text.check_in_reason((today - problem_day).days)
        case Rule.ANNIVERSARY:
            assert item.anniversary_on is not None and item.years is not None
            return text.anniversary_reason(item.years, item.anniversary_on, today)
    raise AssertionError(item.rule)


def suggestion(item: Item, today: dt.date, recall: Recall | None = None) -> str:
    """A question that follows from the last conversation, when it names something to ask about;
    otherwise the day's suggestion for the rule. A promise's is always to keep it."""
    topic = recall.topic if recall else None
    if topic is not None and item.rule is not Rule.PROMISE:
        return text.TOPIC_QUESTIONS[topic.value]
    choices = text.SUGGESTIONS[item.rule.value]
    return choices[suggestion_index(item.client.id, item.rule, today, len(choices))]


def last_talked(item: Item, today: dt.date, recall: Recall | None) -> str | None:
    """ "Last talked 12 Jul: …", unless there's nothing the reader may read, or the promise
    reminder already quotes that conversation."""
    if recall is None or recall.last_day is None or recall.last_note is None:
        return None
    if item.rule is Rule.PROMISE and recall.promise_is_last and recall.promised:
        return None
    return text.last_talked(recall.last_day, recall.last_note, today)


# The digest is built as plain dicts rather than slack_sdk models: a pass builds one per rep,
# and the models' validation cost about 1.7 ms a digest, two seconds of a 100k-client pass. The
# shapes are the ones the models produce; the tests check every one against Slack's limits.


def _mrkdwn(words: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": words}


def _plain(words: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": words, "emoji": True}


def _section(words: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": _mrkdwn(words)}
    if block_id:
        block["block_id"] = block_id
    return block


def item_blocks(item: Item, today: dt.date, recall: Recall | None = None) -> list[dict[str, Any]]:
    client = item.client
    words = text.nudge_item(
        client,
        reason(item, today, recall),
        suggestion(item, today, recall),
        last_talked(item, today, recall),
    )
    value = str(client.id)
    confirm = {
        "title": _plain(text.NOT_MINE_CONFIRM_TITLE),
        "text": _mrkdwn(text.not_mine_confirm(client)),
        "confirm": _plain(text.NOT_MINE_CONFIRM_YES),
        "deny": _plain(text.NOT_MINE_CONFIRM_NO),
    }
    return [
        _section(words, f"{ITEM_BLOCK}{client.id}"),
        {
            "type": "actions",
            "block_id": f"{ACTIONS_BLOCK}{client.id}",
            "elements": [
                {
                    "type": "button",
                    "text": _plain(text.LOG_BUTTON),
                    "action_id": LOG_FROM_NUDGE,
                    "value": value,
                    "style": "primary",
                },
                {
                    "type": "button",
                    "text": _plain(text.SNOOZE_BUTTON),
                    "action_id": SNOOZE_WEEK,
                    "value": value,
                },
                {
                    "type": "datepicker",
                    "action_id": SNOOZE_UNTIL,
                    "placeholder": _plain(text.SNOOZE_PICK),
                },
                {
                    "type": "button",
                    "text": _plain(text.NOT_MINE_BUTTON),
                    "action_id": NOT_MINE,
                    "value": value,
                    "confirm": confirm,
                },
            ],
        },
    ]


def digest_message(
    digest: Digest, today: dt.date, recalls: Mapping[int, Recall] | None = None
) -> Message:
    """The morning note: for an admin, first how many clients need a new owner; then the
    clients that could use a touch, if any, each with what the rep may be reminded of about
    it (`recalls`, by client ID)."""
    recalls = recalls or {}
    blocks = [_section(text.unowned_line(digest.unowned))] if digest.unowned else []
    fallbacks = [text.unowned_fallback(digest.unowned)] if digest.unowned else []
    if digest.items:
        blocks.append(_section(text.DIGEST_GREETING))
        for item in digest.items:
            blocks += item_blocks(item, today, recalls.get(item.client.id))
        if digest.more:
            blocks.append(_section(text.and_more(digest.more)))
        blocks.append({"type": "context", "elements": [_mrkdwn(text.DIGEST_FOOTER)]})
        fallbacks.append(text.digest_fallback([i.client for i in digest.items], digest.more))
    return Message(" ".join(fallbacks), tuple(blocks))


def list_message(items: Sequence[Item], today: dt.date) -> Message:
    if not items:
        return Message(text.LIST_EMPTY)
    unique = one_per_client(items)
    shown = unique[:LIST_LIMIT]
    blocks = [_section(text.LIST_HEADER)]
    for item in shown:
        blocks += item_blocks(item, today)
    hidden = len(unique) - len(shown)
    if hidden:
        blocks.append(_section(text.list_more(hidden)))
    fallback = text.digest_fallback([i.client for i in shown], hidden)
    return Message(fallback, tuple(blocks))


def mark_item(blocks: Sequence[dict[str, Any]], client_id: int, words: str) -> Message | None:
    """The digest with one item's buttons replaced by what happened, e.g. "Snoozed until …".

    None when the message has no such item (it was already acted on, or isn't a digest).
    """
    target = f"{ACTIONS_BLOCK}{client_id}"
    if not any(b.get("block_id") == target for b in blocks):
        return None
    done = {"type": "context", "elements": [_mrkdwn(f"✓ {words}")]}
    updated = tuple(done if b.get("block_id") == target else b for b in blocks)
    return Message(words, updated)
