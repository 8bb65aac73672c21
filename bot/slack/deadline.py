"""Database calls an answer to Slack waits on, with a deadline on the wait.

They run on a few threads of their own so that the wait can be cut short: on a silent database
(a network partition) a call can hang for minutes. One pool per process; its threads start when
first needed.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

THREADS = 8
_THREADS = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="db-wait")


def start(call: Callable[[], T]) -> Future[T]:
    """`call()` on the pool, for a caller that waits on it in its own way."""
    return _THREADS.submit(call)


def within(deadline: float, call: Callable[[], T]) -> T:
    """`call()`'s result; TimeoutError if it takes longer than `deadline` seconds, queueing
    included."""
    future = start(call)
    try:
        return future.result(timeout=deadline)
    finally:
        future.cancel()  # if it is still queued behind stuck calls, it never runs
