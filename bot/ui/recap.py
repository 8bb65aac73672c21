"""The weekly recap's Block Kit: the channel post for a planned `Recap`, within Slack's limits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.core.model import RecapInput
from bot.core.recap import RENEWAL_DAYS, Recap, plan_recap
from bot.ui import text
from bot.ui.blocks import Message, render
from bot.ui.mrkdwn import escape

# Up to this many renewals are listed; the rest are counted ("…and 12 more").
RENEWALS_SHOWN = 15
# Clients named as brought back; the rest are counted.
COMEBACKS_SHOWN = 5
# Slack's limit for a section's text.
SECTION_LIMIT = 3000
# Client and rep names are cut to this length, so any list fits its section.
NAME_LIMIT = 80


def rep_label(rep_id: str, display_name: str | None) -> str:
    """The rep's display name in bold, or a mention when we don't know their name."""
    if display_name and display_name.strip():
        return f"*{escape(text.one_line(display_name, NAME_LIMIT))}*"
    return f"<@{rep_id}>"


def recap_message(recap: Recap) -> Message:
    """The channel post, within Slack's limits, with a fallback that reads well on its own."""
    week = recap.week
    blocks: list[Any] = [
        HeaderBlock(text=PlainTextObject(text=text.recap_title(week.first_day, week.last_day)))
    ]
    if recap.totals.touches == 0:
        blocks.append(_section(text.recap_empty_week(len(recap.renewals), RENEWAL_DAYS)))
        blocks.append(_footer())
        return Message(text.recap_fallback_empty(len(recap.renewals), RENEWAL_DAYS), render(blocks))

    totals = recap.totals
    blocks.append(
        _section(
            text.recap_figures(
                totals.touches, totals.value_touches, totals.clients_reached, recap.active_clients
            )
        )
    )
    if recap.shoutouts:
        blocks.append(
            _section(
                text.recap_thanks(
                    [(rep_label(s.rep_id, s.rep_name), s.value_touches) for s in recap.shoutouts],
                    recap.others,
                )
            )
        )
    if recap.notable:
        lines = [
            text.recap_notable(
                rep_label(n.rep_id, n.rep_name),
                escape(text.one_line(n.client_name, NAME_LIMIT)),
                n.what,
                escape(n.quote) if n.quote else None,
            )
            for n in recap.notable
        ]
        blocks += _sections([text.RECAP_NOTABLE_TITLE, *lines])
    if recap.comebacks:
        named = recap.comebacks[:COMEBACKS_SHOWN]
        blocks.append(
            _section(
                text.recap_comebacks(
                    [
                        (escape(text.one_line(c.client_name, NAME_LIMIT)), c.days_quiet)
                        for c in named
                    ],
                    len(recap.comebacks) - len(named),
                )
            )
        )
    blocks.append(DividerBlock())
    shown = recap.renewals[:RENEWALS_SHOWN]
    if shown:
        lines = [
            text.recap_renewal(
                escape(text.one_line(r.client_name, NAME_LIMIT)),
                r.renews_on,
                recap.today,
                value_since=r.value_since,
                had_previous=r.had_previous,
            )
            for r in shown
        ]
        hidden = len(recap.renewals) - len(shown)
        if hidden:
            lines.append(text.recap_renewals_more(hidden))
        blocks += _sections([text.recap_renewals_title(RENEWAL_DAYS), *lines])
    else:
        blocks.append(_section(text.recap_no_renewals(RENEWAL_DAYS)))
    blocks.append(_section(text.recap_quiet(recap.quiet)))
    blocks.append(_footer())
    fallback = text.recap_fallback(
        totals.touches,
        totals.value_touches,
        totals.clients_reached,
        recap.active_clients,
        len(recap.renewals),
        RENEWAL_DAYS,
    )
    return Message(fallback, render(blocks))


def _section(words: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=words))


def _sections(lines: Sequence[str]) -> list[SectionBlock]:
    """Lines packed into as few sections as Slack's 3000 characters per section allow."""
    sections: list[SectionBlock] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = line[:SECTION_LIMIT]
        if current and size + 1 + len(line) > SECTION_LIMIT:
            sections.append(_section("\n".join(current)))
            current, size = [], 0
        size += len(line) + (1 if current else 0)
        current.append(line)
    if current:
        sections.append(_section("\n".join(current)))
    return sections


def _footer() -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text.RECAP_FOOTER)])


def build_recap(data: RecapInput, *, now: dt.datetime, tz: dt.tzinfo) -> Message:
    """Plain data in, the post out: the core's `plan_recap`, then `recap_message`."""
    return recap_message(plan_recap(data, now=now, tz=tz))
