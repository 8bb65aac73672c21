"""The Prometheus metrics, on one registry: `GET /metrics` on `touchbase serve`, and the
metrics port (TOUCHBASE_METRICS_PORT) of `touchbase scheduler`.

Counting happens at the edges: the web app, the Web API client, the outbox's callers, the one
place a touch is saved, and the engine. Label values come from short fixed lists (or Slack's
method names and HTTP statuses, or an exception's class name): never a client's name, a note,
or a user ID, so no label grows with the book.
"""

from __future__ import annotations

import logging

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    start_http_server,
)

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry()
# The process's own: CPU, memory, open files, start time (a restart shows), the GC.
for _collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
    REGISTRY.register(_collector)

REQUESTS = Counter(
    "touchbase_requests",
    "Slack's requests to /slack/events, by kind (command, action, view, options, event, "
    "shortcut, other) and outcome (ok, replay, refused, unhandled, busy, error).",
    ["kind", "outcome"],
    registry=REGISTRY,
)
ACK_SECONDS = Histogram(
    "touchbase_ack_seconds",
    "Seconds from a Slack request's arrival to its HTTP 200; Slack gives up after 3.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5),
    registry=REGISTRY,
)
TOUCHES_LOGGED = Counter(
    "touchbase_touches_logged",
    "Touches saved, by where they came from and whether they added value.",
    ["source", "kind"],
    registry=REGISTRY,
)
DIGESTS = Counter(
    "touchbase_digests",
    "Morning notes by outcome: sent, already_sent, unknown, retry_later, failed, busy.",
    ["outcome"],
    registry=REGISTRY,
)
RECAPS = Counter(
    "touchbase_recaps",
    "Weekly recaps by outcome: sent, already_sent, unknown, retry_later, failed, busy.",
    ["outcome"],
    registry=REGISTRY,
)
SLACK_CALLS = Counter(
    "touchbase_slack_calls",
    "HTTP attempts at Slack's Web API, retries included, by method and status: ok, error "
    "(Slack said ok: false), another HTTP status (429, 500…), unreachable (the request never "
    "reached Slack) or no_answer (it went out and no answer came).",
    ["method", "status"],
    registry=REGISTRY,
)
SLACK_RETRY_AFTER = Counter(
    "touchbase_slack_retry_after_seconds",
    "Seconds Slack asked the bot to wait (Retry-After) in its rate-limit answers.",
    registry=REGISTRY,
)
NUDGE_PASS_SECONDS = Histogram(
    "touchbase_nudge_pass_seconds",
    "Seconds one completed nudge pass took.",
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
    registry=REGISTRY,
)
NUDGE_PASS_LAST_COMPLETED = Gauge(
    "touchbase_nudge_pass_last_completed_timestamp_seconds",
    "When the last nudge pass completed (Unix time): alert when it falls behind.",
    registry=REGISTRY,
)
DB_ERRORS = Counter(
    "touchbase_db_errors",
    "Errors from the database driver, by exception class.",
    ["kind"],
    registry=REGISTRY,
)


def serve(port: int) -> None:
    """/metrics on `port`, from a thread of its own, for a process without a web app."""
    start_http_server(port, registry=REGISTRY)
    log.info("Metrics for Prometheus on http://0.0.0.0:%d/metrics", port)
