"""The Web API client, with slack_sdk's retry handlers for rate limits and server errors."""

from __future__ import annotations

from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator

from bot.config import Settings


def make_client(settings: Settings, *, timeout: int = 10) -> WebClient:
    backoff = BackoffRetryIntervalCalculator(backoff_factor=0.5)
    return WebClient(
        token=settings.bot_token or None,
        base_url=settings.slack_api_url,
        timeout=timeout,
        retry_handlers=[
            # A 429 waits for Slack's Retry-After; 5xx and dropped connections back off.
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2, interval_calculator=backoff),
            ConnectionErrorRetryHandler(
                max_retry_count=2,
                interval_calculator=backoff,
                error_types=[URLError, ConnectionResetError, TimeoutError],
            ),
        ],
    )
