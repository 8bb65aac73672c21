"""The Web API client, with slack_sdk's retry handlers, and never a message posted twice.

A failed call is retried only when doing it again can't post a second message:

- a 429 answer: Slack didn't act on the call. Every method waits out Retry-After (3 times),
  except within `patience(seconds)`, where a call waits only for a Retry-After that short
  and otherwise raises the 429 at once: the nudge pass waits for none, and holds the
  workspace instead of the thread (bot.services.nudges), so that one workspace's rate limit
  never holds up another's digests.
- a 5xx answer: taken, like a 429, to mean Slack didn't act on the call. Every method backs
  off and retries a 500 or 503 (twice); after that, or after another 5xx, the outbox releases
  the message's claim and the next pass tries again.
- the request never reached Slack (connection refused, DNS failure, a connect timeout):
  nothing happened. Every method backs off and retries (twice).
- the request went out and no answer came (a timeout waiting for it, a dropped connection):
  Slack may have acted on it. Only the methods in REPEATABLE retry, because doing them again
  changes nothing; a message is never posted again, and the outbox records it as unknown
  (bot.services.outbox).

Every Web API method Touchbase calls, and whether it retries after no answer:

=================== ============================================ ============================
method              called by                                    retried after no answer?
=================== ============================================ ============================
chat.postMessage    morning notes, the weekly recap, a form's    never: a second request
                    outcome in the rep's DM                      posts a second message
views.open          buttons and shortcuts opening forms          never: its trigger_id works
                                                                 once, within 3 seconds
views.update        a form following what is typed, archiving    yes: it replaces the view
                                                                 (with a hash, a repeat is a
                                                                 harmless hash_conflict)
views.publish       the Home tab                                 yes: it replaces the tab
conversations.join  the recap, when the bot isn't in the channel yes: joining twice is a no-op
users.info          rep profiles (name, time zone)               yes: a read
users.lookupByEmail the CSV import, owners given by email        yes: a read
auth.test           which workspace: the recap, import, export,  yes: a read
                    `touchbase settings`; Bolt's first request
=================== ============================================ ============================

A method missing from REPEATABLE is treated like chat.postMessage: add one only when doing it
twice is the same as doing it once.

Every HTTP attempt, retries included, is counted in touchbase_slack_calls_total (bot.metrics).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot import metrics
from bot.config import Settings

REPEATABLE = frozenset(
    {
        "views.update",
        "views.publish",
        "conversations.join",
        "users.info",
        "users.lookupByEmail",
        "auth.test",
    }
)


# The longest Retry-After a call waits out before raising the 429 (see `patience`).
_PATIENCE: ContextVar[float] = ContextVar("rate_limit_patience", default=math.inf)


@contextmanager
def patience(seconds: float) -> Iterator[None]:
    """Calls made in this context (and in tasks that copy it) wait out a 429's Retry-After
    only when it is at most `seconds`; past that, the 429 is raised at once."""
    token = _PATIENCE.set(seconds)
    try:
        yield
    finally:
        _PATIENCE.reset(token)


def never_sent(error: BaseException) -> bool:
    """True when the request never reached Slack whole, so Slack can't have acted on it.

    urllib raises what fails while connecting and sending (refused, DNS, a connect timeout)
    as URLError; what fails after the request went out (a timeout waiting for the answer, a
    dropped connection) comes through as the bare error. An HTTPError is an answer.
    """
    return isinstance(error, URLError) and not isinstance(error, HTTPError)


class _ConnectionErrorRetryHandler(ConnectionErrorRetryHandler):
    """slack_sdk's handler, except that only a REPEATABLE method retries after no answer."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        went_out = error is not None and not never_sent(error)
        if went_out and _method(request) not in REPEATABLE:
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


class _RateLimitErrorRetryHandler(RateLimitErrorRetryHandler):
    """slack_sdk's handler, except that it waits no longer than the caller's `patience`."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        limited = super()._can_retry(state=state, request=request, response=response, error=error)
        return limited and response is not None and _retry_after(response) <= _PATIENCE.get()


class _CountAttempts(RetryHandler):
    """Counts every HTTP attempt and never retries. The client asks its handlers, in order,
    about every answer and every error until one retries, so the first handler sees them all."""

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        method = _method(request)
        if response is None:
            status = "unreachable" if error is not None and never_sent(error) else "no_answer"
        elif response.status_code == 200:
            status = "ok" if (response.body or {}).get("ok") else "error"
        else:
            status = str(response.status_code)
        metrics.SLACK_CALLS.labels(method, status).inc()
        if response is not None and response.status_code == 429:
            metrics.SLACK_RETRY_AFTER.inc(_retry_after(response))
        return False


def _method(request: HttpRequest) -> str:
    return urlsplit(request.url).path.rpartition("/")[2]


def _retry_after(response: HttpResponse) -> float:
    return retry_after(response.headers)


def retry_after(headers: Mapping[str, Any]) -> float:
    """The seconds of a 429's Retry-After header (0 if it has none that reads as a number);
    each header's value as text, or as a list of texts (the retry handlers' view)."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value[0] if isinstance(value, list) else value))
            except (ValueError, IndexError):
                return 0.0
    return 0.0


def make_client(
    settings: Settings,
    *,
    token: str | None = None,
    timeout: int | None = None,
    backoff: float = 0.5,
) -> WebClient:
    """The client for `settings`, with `token` (by default SLACK_BOT_TOKEN, if any); `timeout`
    overrides TOUCHBASE_SLACK_TIMEOUT, and `backoff` is the first wait before retrying a 5xx or
    a refused connection (tests use 0)."""
    interval = BackoffRetryIntervalCalculator(backoff_factor=backoff)
    return WebClient(
        token=token or settings.bot_token or None,
        base_url=settings.slack_api_url,
        timeout=timeout or settings.slack_timeout,
        retry_handlers=[
            _CountAttempts(),  # first, so that it sees every attempt
            _RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2, interval_calculator=interval),
            _ConnectionErrorRetryHandler(
                max_retry_count=2,
                interval_calculator=interval,
                error_types=[URLError, ConnectionResetError, TimeoutError],
            ),
        ],
    )
