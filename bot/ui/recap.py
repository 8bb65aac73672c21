"""The weekly recap's Block Kit: the channel post for a planned `Recap`, within Slack's limits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
)

from bot.core.model import RecapInput
from bot.core.recap import RENEWAL_DAYS, Recap, plan_recap
from bot.ui import text
from bot.ui.blocks import Message, render, section, sections

# Up to this many renewals are listed; the rest are counted ("…and 12 more").
RENEWALS_SHOWN = 15
# Clients named as brought back; the rest are counted.
COMEBACKS_SHOWN = 5


def recap_message(recap: Recap) -> Message:
    """The channel post, within Slack's limits, with a fallback that reads well on its own."""
    week = recap.week
    blocks: list[Any] = [
        HeaderBlock(text=PlainTextObject(text=text.recap_title(week.first_day, week.last_day)))
    ]
    if recap.totals.touches == 0:
        blocks.append(section(text.recap_empty_week(len(recap.renewals), RENEWAL_DAYS)))
        blocks += _unowned(recap)
        blocks.append(_footer())
        return Message(text.recap_fallback_empty(len(recap.renewals), RENEWAL_DAYS), render(blocks))

    totals = recap.totals
    blocks.append(
        section(
            text.recap_figures(
                totals.touches, totals.value_touches, totals.clients_reached, recap.active_clients
            )
        )
    )
    if recap.shoutouts:
        blocks.append(
            section(
                text.recap_thanks(
                    [(s.rep_id, s.rep_name, s.value_touches) for s in recap.shoutouts],
                    recap.others,
                )
            )
        )
    if recap.notable:
        lines = [
            text.recap_notable(n.rep_id, n.rep_name, n.client_name, n.what, n.quote)
            for n in recap.notable
        ]
        blocks += sections([text.RECAP_NOTABLE_TITLE, *lines])
    if recap.comebacks:
        named = recap.comebacks[:COMEBACKS_SHOWN]
        blocks.append(
            section(
                text.recap_comebacks(
                    [(c.client_name, c.days_quiet) for c in named],
                    len(recap.comebacks) - len(named),
                )
            )
        )
    blocks.append(DividerBlock())
    shown = recap.renewals[:RENEWALS_SHOWN]
    if shown:
        lines = [
            text.recap_renewal(
                r.client_name,
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
        blocks += sections([text.recap_renewals_title(RENEWAL_DAYS), *lines])
    else:
        blocks.append(section(text.recap_no_renewals(RENEWAL_DAYS)))
    blocks.append(section(text.recap_quiet(recap.quiet)))
    blocks += _unowned(recap)
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


def _unowned(recap: Recap) -> list[Any]:
    return [section(text.recap_unowned(recap.unowned))] if recap.unowned else []


def _footer() -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text.RECAP_FOOTER)])


def build_recap(data: RecapInput, *, now: dt.datetime, tz: dt.tzinfo) -> Message:
    """Plain data in, the post out: the core's `plan_recap`, then `recap_message`."""
    return recap_message(plan_recap(data, now=now, tz=tz))
