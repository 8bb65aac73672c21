"""Log lines: human-readable by default, or one JSON object per line for a log shipper
(TOUCHBASE_LOG_FORMAT=json).

Every line logged while handling a Slack request carries the request's id and its workspace,
on whichever thread: the web app sets them in context variables, and the listeners' executor
runs each task in a copy of the context it was submitted from.

Privacy: no line at INFO or above carries a note or a client's name; log IDs instead. The
engine hides statements' parameters from its errors, so a logged traceback can't quote them.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future
from contextvars import ContextVar
from typing import IO, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Set by the web app for each Slack request (bot.slack.web).
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
TEAM_ID: ContextVar[str | None] = ContextVar("team_id", default=None)


class _RequestContext(logging.Filter):
    """Puts the current request's id and workspace on each record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        record.team_id = TEAM_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, and when there are any,
    request_id, team_id and the exception's traceback."""

    def format(self, record: logging.LogRecord) -> str:
        moment = dt.datetime.fromtimestamp(record.created, dt.UTC)
        line = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "team_id"):
            if value := getattr(record, key, None):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False)


def handler(format: str, stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing `format` ("text" or "json") to `stream` (standard error)."""
    out = logging.StreamHandler(stream)
    out.setFormatter(JsonFormatter() if format == "json" else logging.Formatter(TEXT))
    out.addFilter(_RequestContext())
    return out


def configure(format: str, level: str) -> None:
    """Once, at start-up: the root logger's handler and level."""
    logging.basicConfig(level=level, handlers=[handler(format)])
    # Alembic announces every plugin at INFO; only its warnings matter to an operator.
    logging.getLogger("alembic").setLevel(logging.WARNING)


class ContextExecutor(Executor):
    """`inner`, running each task in a copy of the context it was submitted from, as asyncio
    does for its executors: threads don't inherit context variables by themselves."""

    def __init__(self, inner: Executor) -> None:
        self._inner = inner

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        context = contextvars.copy_context()
        return self._inner.submit(lambda: context.run(fn, *args, **kwargs))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._inner.shutdown(wait=wait, cancel_futures=cancel_futures)
