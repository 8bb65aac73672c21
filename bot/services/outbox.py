"""Send a message at most once: claim its outbox row, post, then record what happened.

The claim is committed before Slack is called, under a unique key (workspace, kind,
recipient, period), so a second pass, a second scheduler or a restart loses the claim and
sends nothing. The one window no outbox can close: Slack accepts the message and the process
dies before recording "sent". The claim stays, so nothing is sent twice: at most once, by
choice, because a duplicate is exactly the spam the product promises never to send.

When Slack proves nothing was posted (a 5xx or a rate limit after the client's retries, a
request that never reached Slack, or an error the caller raises from `post`), the claim is
released and a later run tries again. When the request went out and no answer came (a
timeout, a dropped connection), Slack may have posted it: the claim stays, marked unknown, so
it is never sent twice. Any other refusal marks the claim failed, so it isn't retried blindly.
Which failures the client itself retries is in bot.webapi.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.client import HTTPException

from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.core.model import NudgeClaim, OutboxKind, OutboxStatus
from bot.db import repository as repo
from bot.deps import Deps
from bot.installations import NotInstalled
from bot.webapi import never_sent, retry_after

log = logging.getLogger(__name__)


class Outcome(enum.StrEnum):
    SENT = "sent"
    ALREADY_SENT = "already_sent"
    RETRY_LATER = "retry_later"
    FAILED = "failed"
    # Sent, but Slack never answered: it may or may not have been posted. Not sent again.
    UNKNOWN = "unknown"
    # Another run's claim on it is neither committed nor gone (its host may have vanished):
    # skipped, never sent, so the other can't be doubled. A later run tries again.
    BUSY = "busy"


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    # Slack's error code when it refused for good, such as "user_not_found".
    error: str = ""
    # A 429's Retry-After, in seconds: how long Slack asked the workspace's calls to wait.
    retry_after: float | None = None


@dataclass(frozen=True)
class Envelope:
    """What is being sent, as the outbox keys it."""

    team_id: str
    kind: OutboxKind
    recipient: str
    period: dt.date
    nudges: Sequence[NudgeClaim] = ()


class NotPosted(Exception):
    """Raised by a `post` that failed before posting anything: the claim is released."""


def slack_error(error: SlackApiError) -> str:
    return str(error.response.get("error") or "")


def transient(error: SlackApiError) -> bool:
    """Slack was overloaded or failing, even after the client's retries: nothing was posted."""
    status: int = error.response.status_code
    return status == 429 or status >= 500


def send_once(
    deps: Deps, envelope: Envelope, post: Callable[[], SlackResponse], now: dt.datetime
) -> Delivery:
    """Claim, post, record. An exception `post` raises, other than Slack's and the network's,
    releases the claim and propagates to the caller."""
    try:
        with deps.db.transaction(write=True) as session:
            outbox_id = repo.claim_outbox(
                session,
                team_id=envelope.team_id,
                kind=envelope.kind,
                recipient=envelope.recipient,
                period=envelope.period,
                now=now,
                nudges=envelope.nudges,
            )
    except repo.ClaimBusy:
        log.warning(
            "another run holds an unfinished claim on the %s%s; skipped this time",
            envelope.kind.value,
            f" to {envelope.recipient}" if envelope.recipient else "",
        )
        return Delivery(Outcome.BUSY)
    if outbox_id is None:
        return Delivery(Outcome.ALREADY_SENT)
    try:
        response = post()
    except SlackApiError as error:
        if transient(error):
            log.warning(
                "Slack answered %s to a %s; will retry later",
                error.response.status_code,
                envelope.kind.value,
            )
            _release(deps, outbox_id)
            limited = error.response.status_code == 429
            return Delivery(
                Outcome.RETRY_LATER,
                retry_after=retry_after(error.response.headers) if limited else None,
            )
        code = slack_error(error)
        with deps.db.transaction(write=True) as session:
            repo.finish_outbox(
                session, outbox_id, status=OutboxStatus.FAILED, now=now, error=code[:64]
            )
        return Delivery(Outcome.FAILED, code)
    except (OSError, HTTPException, NotPosted, NotInstalled) as error:
        # Refused, or no such host (even after the client's retries), or before the post.
        if isinstance(error, (NotPosted, NotInstalled)) or never_sent(error):
            log.warning(
                "couldn't reach Slack for a %s (%s); will retry later", envelope.kind.value, error
            )
            _release(deps, outbox_id)
            return Delivery(Outcome.RETRY_LATER)
        # The request went out: Slack may have posted it, so the claim stays.
        reason = str(error) or type(error).__name__
        log.warning(
            "Slack didn't answer a %s%s (%s): it may or may not have been posted, and won't be "
            "sent again",
            envelope.kind.value,
            f" to {envelope.recipient}" if envelope.recipient else "",
            reason,
        )
        with deps.db.transaction(write=True) as session:
            repo.finish_outbox(
                session, outbox_id, status=OutboxStatus.UNKNOWN, now=now, error=reason[:64]
            )
        return Delivery(Outcome.UNKNOWN)
    except BaseException:
        _release(deps, outbox_id)
        raise
    with deps.db.transaction(write=True) as session:
        repo.finish_outbox(
            session,
            outbox_id,
            status=OutboxStatus.SENT,
            now=now,
            channel=response.get("channel"),
            ts=response.get("ts"),
        )
    return Delivery(Outcome.SENT)


def _release(deps: Deps, outbox_id: int) -> None:
    with deps.db.transaction(write=True) as session:
        repo.release_outbox(session, outbox_id)
