"""Never twice: the client's retry policy and the outbox, against the stand-in over real HTTP.

A request that never reached Slack (nothing listening) may be sent again; one that went out and
got no answer (the stand-in's `slow_next`) may have been acted on, so a message is never posted
again after it, while a read or a replace is. The client's timeout is one second here, so each
late answer costs a second, not ten.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.core.model import OutboxKind, OutboxStatus
from bot.db import repository as repo
from bot.db.engine import Database
from bot.deps import Deps
from bot.devtools.standin import SlackStandIn
from bot.services.outbox import Envelope, Outcome, send_once
from bot.webapi import make_client
from tests.conftest import NOW, TEAM

# Longer than the client's one-second timeout.
LATE = 1.5
NOBODY_LISTENING = "http://127.0.0.1:9/api/"
HOME = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]}


def impatient(deps: Deps, **settings: Any) -> Deps:
    """The same bot with a one-second Slack timeout (and any settings changed)."""
    changed = dataclasses.replace(deps.settings, **settings)
    return dataclasses.replace(deps, settings=changed, slack=make_client(changed, timeout=1))


def attempts(caplog: pytest.LogCaptureFixture) -> int:
    """How many requests slack_sdk saw fail (it logs one error line for each)."""
    return sum("Failed to send a request" in r.getMessage() for r in caplog.records)


# The client: what it retries


def test_a_post_answered_too_late_is_made_once_and_not_retried(
    deps: Deps, slack: SlackStandIn
) -> None:
    client = impatient(deps).slack
    slack.slow_next("chat.postMessage", seconds=LATE, times=3)
    with pytest.raises(TimeoutError):
        client.chat_postMessage(channel="U0SAM", text="Good morning")
    assert len(slack.dm_messages("U0SAM")) == 1
    assert len(slack.calls_to("chat.postMessage")) == 1


SAFE_CALLS: dict[str, Callable[[WebClient], Any]] = {
    "users.info": lambda client: client.users_info(user="U0SAM"),
    "views.publish": lambda client: client.views_publish(user_id="U0SAM", view=HOME),
}


@pytest.mark.parametrize("method", list(SAFE_CALLS))
def test_a_safe_call_answered_too_late_is_retried(
    deps: Deps, slack: SlackStandIn, method: str
) -> None:
    slack.slow_next(method, seconds=LATE)
    assert SAFE_CALLS[method](impatient(deps).slack)["ok"]
    assert len(slack.calls_to(method)) == 2


# The outbox: what it records


def envelope(recipient: str = "U0SAM") -> Envelope:
    return Envelope(TEAM, OutboxKind.DIGEST, recipient, NOW.date())


def status(db: Database, recipient: str = "U0SAM") -> OutboxStatus | None:
    with db.transaction() as session:
        return repo.outbox_status(session, TEAM, OutboxKind.DIGEST, recipient, NOW.date())


def test_no_answer_keeps_the_claim_as_unknown(
    deps: Deps, slack: SlackStandIn, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    slow = impatient(deps)
    slack.slow_next("chat.postMessage", seconds=LATE)
    with caplog.at_level(logging.WARNING, logger="bot"):
        delivery = send_once(
            slow, envelope(), lambda: slow.slack.chat_postMessage(channel="U0SAM", text="hi"), NOW
        )
    assert delivery.outcome is Outcome.UNKNOWN
    assert status(db) is OutboxStatus.UNKNOWN
    [line] = [r.getMessage() for r in caplog.records if r.name.startswith("bot")]
    assert "U0SAM" in line and "may or may not" in line
    # Never twice: the claim holds.
    again = send_once(
        deps, envelope(), lambda: deps.slack.chat_postMessage(channel="U0SAM", text="hi"), NOW
    )
    assert again.outcome is Outcome.ALREADY_SENT
    assert len(slack.dm_messages("U0SAM")) == 1


def test_a_post_that_never_reached_slack_is_retried_then_released(
    deps: Deps, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    offline = impatient(deps, slack_api_url=NOBODY_LISTENING)
    with caplog.at_level(logging.ERROR, logger="slack_sdk"):
        delivery = send_once(
            offline,
            envelope(),
            lambda: offline.slack.chat_postMessage(channel="U0SAM", text="hi"),
            NOW,
        )
    assert attempts(caplog) == 3  # the first try and both retries
    assert delivery.outcome is Outcome.RETRY_LATER
    assert status(db) is None
