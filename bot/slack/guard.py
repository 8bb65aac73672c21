"""The one way a listener runs: on a bounded pool, its answer in the HTTP response if it comes
within a deadline (else after an empty ack), and whatever goes wrong turned into one log line
and, where there is someone to tell, a polite reply.

Slack gives a request 3 seconds. If a listener raises after its ack, Bolt throws the ack away
and Slack shows the rep an error, so nothing a listener raises reaches Bolt. A signed request
can still be malformed (a part missing, or of the wrong type) or be for a workspace this
installation doesn't serve: either gets a quiet 200 and one short log line.
"""

from __future__ import annotations

import inspect
import logging
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from typing import Any, ParamSpec, Protocol, TypeVar

from slack_bolt import Args, BoltContext, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk.errors import SlackApiError
from sqlalchemy import exc

from bot.slack.forms import show_on_home, tell
from bot.ui import text
from bot.ui.blocks import plain

log = logging.getLogger(__name__)

# Listeners run on Bolt's listener pool, this many at a time, so a burst of commands queues its
# work instead of starving the database and the request threads. Each request waits for its
# listener's answer at most ACK_DEADLINE, then Slack is acked empty. With the replay check
# before it (web.REPLAY_DEADLINE, 0.5 s at most) that is 2 s, well inside Slack's 3, however
# long the queue or slow the database.
WORK_SLOTS = 6
ACK_DEADLINE = 1.5
# Tasks the pool takes at once, running or waiting for a slot: a command's work and its
# uninstall check (listeners.events) for 64 commands, a few tenths of a second of work at the
# CPU per command measured in docs/benchmarks.md, so what the pool takes it answers well
# within the deadline. Past it a request is answered at once and told to come again (see
# `guarded`), instead of holding a request thread while work queues without end. The server
# has more threads than this takes commands (web.SERVER_THREADS), so the pool fills, and
# sheds, before requests queue in the server unseen.
WORK_LIMIT = 128

P = ParamSpec("P")
T = TypeVar("T")

# What a form's inputs hold as text: text fields, dates, times, a chosen user.
_TEXT_INPUTS = ("value", "selected_date", "selected_time", "selected_user")
# User, team and enterprise IDs: a capital, then capitals and digits (U0SAM, W123ABC, T0TOUCH).
_SLACK_ID = re.compile(r"[A-Z][A-Z0-9]{1,31}")


class Malformed(Exception):
    """A signed request not shaped as Slack sends it. The reason names a part, never its
    content."""


# ---------------------------------------------------------------------------------------------
# Reading a request


@contextmanager
def reading() -> Iterator[None]:
    """Reading a payload's parts: one missing or of the wrong type makes the request Malformed."""
    try:
        yield
    except (LookupError, TypeError, ValueError, AttributeError) as error:
        raise Malformed(f"{type(error).__name__} reading the payload") from None


def field(part: object, key: str) -> str:
    """A text field of a payload part; "" when it is absent or null."""
    if not isinstance(part, Mapping):
        raise Malformed(f"no object to hold {key}")
    value = part.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Malformed(f"{key} is not text")
    return value


def form_values(view: object) -> dict[str, Any]:
    """A form's `state.values` as Slack sends them, {block ID: {action ID: input}}, with each
    input's text (or null) as text and its choice an option with a value; else Malformed. The
    readers of each form can then trust the types, not the content."""
    with reading():
        values = view["state"]["values"]  # type: ignore[index]
    if not isinstance(values, dict) or not all(isinstance(i, dict) for i in values.values()):
        raise Malformed("the form's values are not objects")
    for inputs in values.values():
        for entry in inputs.values():
            if not isinstance(entry, dict):
                raise Malformed("an input of the form is not an object")
            for key in _TEXT_INPUTS:
                field(entry, key)
            if entry.get("selected_option") is not None:
                field(entry["selected_option"], "value")
    return values


def is_slack_id(value: object) -> bool:
    return isinstance(value, str) and _SLACK_ID.fullmatch(value) is not None


def team_of(body: Mapping[str, Any]) -> str | None:
    """The workspace a request acts for: the one Slack authorized the app in (Events API), else
    the acting user's own (interactions), else the command's. The payload's `team`, which in a
    shared channel can be the other side's, only for a user Slack sends without one (message
    shortcuts may come so)."""
    authorizations, user, team = body.get("authorizations"), body.get("user"), body.get("team")
    if isinstance(authorizations, list) and authorizations:
        team = authorizations[0].get("team_id") if isinstance(authorizations[0], Mapping) else None
    elif isinstance(user, Mapping):
        team = user.get("team_id", team.get("id") if isinstance(team, Mapping) else None)
    else:
        team = body.get("team_id")
    return team if is_slack_id(team) else None


def who(body: Mapping[str, Any]) -> tuple[str, str]:
    """(team ID, user ID) a request acts for: an interaction's user, a command's, an event's."""
    team = team_of(body)
    if team is None:
        raise Malformed("no team")
    user, event = body.get("user"), body.get("event")
    if isinstance(user, Mapping):
        user_id = user.get("id")
    elif isinstance(event, Mapping):
        user_id = event.get("user")
    else:
        user_id = body.get("user_id")
    if not is_slack_id(user_id):
        raise Malformed("no user")
    return team, str(user_id)


def _response_url(body: Mapping[str, Any]) -> bool:
    url = body.get("response_url")
    return isinstance(url, str) and url.startswith(("https://", "http://"))


def _kind(body: Mapping[str, Any]) -> str:
    """What a request is, for a log line: its type and what it is for, kept short."""
    kind, detail = body.get("type"), None
    actions, view, event = body.get("actions"), body.get("view"), body.get("event")
    if isinstance(body.get("command"), str):
        kind, detail = "command", body["command"]
    elif isinstance(actions, list) and actions and isinstance(actions[0], Mapping):
        detail = actions[0].get("action_id")
    elif isinstance(view, Mapping) and kind == "view_submission":
        detail = view.get("callback_id")
    elif isinstance(event, Mapping):
        detail = event.get("type")
    else:
        detail = body.get("action_id") or body.get("callback_id")
    return f"{kind!r:.40} {detail!r:.40}" if detail else f"{kind!r:.40}"


# ---------------------------------------------------------------------------------------------
# Running a listener


class Busy(Exception):
    """The work pool has taken all the tasks it may hold."""


class WorkPool(Executor):
    """`inner`, holding at most `limit` tasks at once (running or waiting for a thread); past
    that, `submit` raises Busy at once rather than queue without end."""

    def __init__(self, inner: Executor, limit: int = WORK_LIMIT) -> None:
        self._inner = inner
        self._room = threading.BoundedSemaphore(limit)

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        if not self._room.acquire(blocking=False):
            raise Busy
        try:
            future = self._inner.submit(fn, *args, **kwargs)
        except BaseException:
            self._room.release()
            raise
        future.add_done_callback(lambda _: self._room.release())
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._inner.shutdown(wait=wait, cancel_futures=cancel_futures)


class Ack(Protocol):
    """What a guarded listener calls to answer: the HTTP response's body while the request
    still waits for it, else (past the deadline) a reply by the request's response_url."""

    def __call__(self, **answer: Any) -> None: ...


class _Turn:
    """A request's one answer, given once: by its listener, or empty at the deadline."""

    def __init__(self, args: Args) -> None:
        self._args = args
        self._lock = threading.Lock()
        self._answered = threading.Event()

    @property
    def answered(self) -> bool:
        return self._answered.is_set()

    def __call__(self, **answer: Any) -> None:
        with self._lock:
            late = self.answered
            if not late:
                self._args.ack(**answer)
                self._answered.set()
        if late and answer:
            self._too_late(answer)

    def wait(self, seconds: float) -> None:
        """Until the listener answers, or else acknowledge quietly once `seconds` have passed,
        well inside Slack's 3."""
        if not self._answered.wait(seconds):
            self(**_quiet_answer(self._args.body))

    def _too_late(self, answer: dict[str, Any]) -> None:
        if _response_url(self._args.body):
            self._args.respond(**answer)
        else:
            log.warning("An answer to a %s came after the ack", _kind(self._args.body))


def guarded(listener: Callable[..., None]) -> Callable[[Args], BoltResponse | None]:
    """Every listener is registered through this, under Bolt's decorator.

    The listener runs on Bolt's listener pool (a few threads), while the request waits for its
    answer at most ACK_DEADLINE: a listener that answers quickly answers in the HTTP response
    itself, one that is slow or queued is acked empty in time and its answer, if any, goes by
    the response_url. A listener that names no `ack` (an event's) is acknowledged at once. A
    listener that answers with respond() runs only for a request that has a response_url. If it
    raises, the rep hears of it where they look (unless the request made no sense), and if it
    hadn't answered, the ack is sent, empty.

    When the pool is full (WorkPool), nothing runs and nothing is lost: a command is answered at
    once, in its ack, that nothing was saved and to send it again; anything else gets a 503,
    which Slack retries (an event, whose replay key the edge then forgets) or shows the user as
    a failure (a click, a form that stays open with what was typed in it).
    """
    names = list(inspect.signature(listener).parameters)
    unknown = set(names) - set(Args.__annotations__)
    if unknown:
        raise TypeError(f"{listener.__name__} asks for {sorted(unknown)}, which Bolt doesn't give")

    def work(args: Args, turn: _Turn) -> None:
        try:
            if "respond" in names and not _response_url(args.body):
                raise Malformed("no response_url")
            listener(**{name: turn if name == "ack" else getattr(args, name) for name in names})
        except Exception as error:
            words = _logged(error, _kind(args.body))
            if words is not None and isinstance(args.body.get("command"), str):
                turn(response_type="ephemeral", text=words)  # in the ack, or after it
            elif words is not None and turn.answered:
                _tell(args, words)
        finally:
            if not turn.answered:
                turn(**_quiet_answer(args.body))

    def run(args: Args) -> BoltResponse | None:
        turn = _Turn(args)
        if "ack" not in names:
            turn()
        try:
            args.context.listener_runner.listener_executor.submit(work, args, turn)
        except Busy:
            return _busy(args, turn)
        turn.wait(ACK_DEADLINE)
        return None

    # Bolt names a listener by its function in its own log lines.
    run.__name__ = run.__qualname__ = listener.__name__
    return run


@contextmanager
def quietly(doing: str) -> Iterator[None]:
    """A step after the work that the rep needn't hear about, such as refreshing their Home tab
    after a change they have been told of: a failure is logged, never raised."""
    try:
        yield
    except Exception as error:
        _logged(error, doing)


def _logged(error: Exception, doing: str) -> str | None:
    """Log a failure in one line, the traceback only for the unexpected; and what the rep should
    be told, if anything. Only a database not answering is worth a retry."""
    if isinstance(error, Malformed):
        log.info("Ignored a malformed %s: %s", doing, error)
        return None
    if isinstance(error, (exc.OperationalError, exc.TimeoutError, exc.DisconnectionError)):
        words, problem = text.DATABASE_AWAY, "The database didn't answer"
    elif isinstance(error, (exc.DataError, exc.IntegrityError)):
        words, problem = text.NOT_SAVED_AS_WRITTEN, "The database refused a value"
    elif isinstance(error, (SlackApiError, OSError)):
        # Slack refused a call or couldn't be reached: another call would fare no better.
        words, problem = None, "Slack didn't take a call"
    else:
        log.error("Unexpected failure in a %s", doing, exc_info=error)
        return text.WENT_WRONG
    log.warning("%s in a %s: %s", problem, doing, _name(error))
    log.debug("The failure in full", exc_info=error)
    return words


def _name(error: Exception) -> str:
    """The error's kind, without its message: a database error's message quotes the statement
    and its values."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    cause = getattr(error, "orig", None)
    return f"{type(error).__name__} ({type(cause).__name__})" if cause else type(error).__name__


def _tell(args: Args, words: str) -> None:
    """Say it where the rep is looking: the message or command they used, the Home tab they
    opened, or else their DM with the bot."""
    body = args.body
    try:
        if _response_url(body):
            args.respond(text=words, response_type="ephemeral", replace_original=False)
        elif isinstance(args.event, Mapping) and args.event.get("type") == "app_home_opened":
            show_on_home(args.client, who(body)[1], words)
        else:
            tell(args.client, who(body)[1], plain(words))
    except Exception as error:  # Slack unreachable too: the log has both
        log.warning("Couldn't tell the rep either: %s", _name(error))


def _busy(args: Args, turn: _Turn) -> BoltResponse | None:
    """The answer to a request the full pool didn't take (see `guarded`)."""
    log.warning("Too busy to take a %s: asked to come again", _kind(args.body))
    if isinstance(args.body.get("command"), str):
        turn(response_type="ephemeral", text=text.BUSY)
        return None
    # Returned, it stands in for the ack (an event's is given already).
    return BoltResponse(status=503, body="")


def _quiet_answer(body: Mapping[str, Any]) -> dict[str, Any]:
    """An ack that does nothing: a select menu asking for options gets none."""
    return {"options": []} if body.get("type") == "block_suggestion" else {}


# ---------------------------------------------------------------------------------------------
# Bolt's middleware and error handler


def for_this_workspace(
    body: dict[str, Any], context: BoltContext, next_: Callable[[], None]
) -> BoltResponse | None:
    """Global middleware: only a request for the workspace Bolt authorized it for goes on to a
    listener. With one workspace, that is the bot token's, from the auth.test Bolt makes on the
    first request and keeps; in OAuth mode, the workspace whose stored token Bolt found (a
    workspace with none never gets here). (Some events name no user, such as app_uninstalled:
    a listener that needs one asks `who`.)"""
    authorized = context.authorize_result
    ours = authorized.team_id if authorized is not None else None
    team = team_of(body)
    if team is None:
        log.info("Ignored a malformed %s: no team", _kind(body))
        return _quiet(body)
    if team != ours:
        log.warning("Ignored a %s for workspace %s: this one serves %s", _kind(body), team, ours)
        return _quiet(body)
    next_()
    return None


def last_resort(
    error: Exception, body: dict[str, Any], response: BoltResponse | None
) -> BoltResponse | None:
    """Bolt's error handler: for a request no listener handles, and for Bolt itself tripping
    over a payload's shape before any listener runs (its matchers index payloads freely).

    One line each, the traceback only at DEBUG: our own code's failures never get here (the
    guard has logged them, with a traceback where one helps), and a payload's shape is better
    told by the request kind than by Bolt's stack. Slack gets a quiet 200 where Bolt still has
    an answer to give; after an ack it has none.
    """
    if isinstance(error, BoltUnhandledRequestError):
        log.info("Ignored a %s: nothing here handles it", _kind(body))
    else:
        log.warning("Couldn't dispatch a %s: %s", _kind(body), _name(error))
        log.debug("The failure in full", exc_info=error)
    return None if response is None else _quiet(body)


def _quiet(body: Mapping[str, Any]) -> BoltResponse:
    return BoltResponse(status=200, body=_quiet_answer(body) or "")
