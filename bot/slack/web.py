"""The WSGI app: Slack's requests at /slack/events, /healthz (liveness), /readyz (readiness),
/metrics (Prometheus).

Anyone can reach /slack/events, so a request is checked here before Bolt parses it: the
signature first, then a body Bolt can parse, then whether it was taken in already (an exact
replay, or Slack retrying an event). A refused request gets a 4xx and one short log line, never
a traceback. The probes never wait on a silent database for more than about a second.
Every request to /slack/events is counted by kind and outcome (bot.metrics).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
import logging
import random
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from prometheus_client import make_wsgi_app
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.kwargs_injection import build_required_kwargs
from slack_bolt.request import BoltRequest
from slack_bolt.request import payload_utils as payload
from slack_sdk.signature import SignatureVerifier

from bot import logs, metrics
from bot.db import migrate, replays
from bot.db.engine import Database
from bot.deps import utc_now
from bot.slack import deadline
from bot.slack.calendar import FeedApp

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
CALENDAR_PATH = "/calendar/"

# Slack's requests are a few KB; waitress refuses a larger body with 413 before buffering it.
MAX_BODY = 1 << 20
# Request threads: a request holds one while its work waits in the listener pool (up to the
# ack deadline), so there are more of them than the pool takes commands (guard.WORK_LIMIT):
# under overload the pool turns requests away at once rather than their queueing in waitress.
SERVER_THREADS = 96
# How long a request waits on the database. Past it a replay check lets the request through,
# and readiness says the database is not answering.
REPLAY_DEADLINE = 0.5
READY_DEADLINE = 1.0
# One readiness answer serves every probe this long, so a storm of probes costs one ping.
READY_TTL = 2.0
# Slack refuses signatures older than five minutes and retries an event for about as long; a
# key is kept twice that, for clock skew, and each process prunes at most once a minute.
REMEMBER_FOR = dt.timedelta(minutes=10)
PRUNE_EVERY = 60.0


class _Readiness:
    """Whether the database answers and its schema is this release's: one check at a time,
    its answer kept for READY_TTL."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._answer: tuple[float, str | None] | None = None  # (when, what is wrong)
        self._pinging: tuple[float, Future[str | None]] | None = None  # (since, ping)

    def problem(self) -> str | None:
        """None when ready, else a few words saying why not."""
        try:
            with self._lock:
                now = time.monotonic()
                if self._answer is not None and now - self._answer[0] < READY_TTL:
                    return self._answer[1]
                if self._pinging is None:
                    self._pinging = (now, deadline.start(self._ping))
                since, ping = self._pinging
            # Probes arriving while a ping hangs wait only for what is left of its deadline.
            return ping.result(timeout=max(0.0, since + READY_DEADLINE - time.monotonic()))
        except TimeoutError:
            return f"the database has not answered within {READY_DEADLINE:g} s"

    def _ping(self) -> str | None:
        problem = self._check()
        with self._lock:
            self._answer = (time.monotonic(), problem)
            self._pinging = None
        return problem

    def _check(self) -> str | None:
        try:
            with self._db.engine.connect() as connection:
                if migrate.behind(connection):
                    return "the database schema is behind this release: run `touchbase db upgrade`"
        except Exception:
            return "the database is unreachable"
        return None


class _Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class _SlackEdge:
    """Checks a request to /slack/events, then hands it to Bolt."""

    def __init__(self, app: App, db: Database, signing_secret: str) -> None:
        self._app = app
        self._db = db
        self._verifier = SignatureVerifier(signing_secret)
        self._lock = threading.Lock()
        self._next_prune = 0.0

    def handle(self, environ: WSGIEnvironment) -> WsgiHttpResponse:
        """The answer to one request, counted by kind and outcome, its time to a 200 observed.
        Runs in a context of its own (see create_wsgi_app), which holds its ids for the logs."""
        arrived = time.monotonic()
        # A log line's correlation id, not a secret: no system call for it.
        logs.REQUEST_ID.set(f"{random.getrandbits(64):016x}")
        kind, outcome, response = self._answer(environ)
        metrics.REQUESTS.labels(kind, outcome).inc()
        if response.status.startswith("200 "):  # WsgiHttpResponse's status: "200 OK"
            metrics.ACK_SECONDS.observe(time.monotonic() - arrived)
        return response

    def _answer(self, environ: WSGIEnvironment) -> tuple[str, str, WsgiHttpResponse]:
        """(kind, outcome, response)"""
        try:
            request = self._checked(environ)
        except _Refused as refused:
            log.warning(
                "%d for %s: %s", refused.status, environ.get("REMOTE_ADDR", "?"), refused.reason
            )
            return "other", "refused", _json(refused.status, {"error": refused.reason})
        logs.TEAM_ID.set(request.context.team_id)
        kind = _kind(request.body)
        key = _replay_key(request)
        if not self._first_sighting(key):
            retry = environ.get("HTTP_X_SLACK_RETRY_NUM")
            if retry is not None:
                log.info("Slack's retry %s of an event already handled: ignored", retry)
            else:
                log.warning("An exact replay of a signed request: ignored")
            # 200 and nothing more, as Slack expects of a request that need not come again.
            return kind, "replay", WsgiHttpResponse(status=200)
        response = self._app.dispatch(request)
        if response.status >= 500:
            self._forget(key)
        return (
            kind,
            _outcome(response.status),
            WsgiHttpResponse(status=response.status, headers=response.headers, body=response.body),
        )

    def _checked(self, environ: WSGIEnvironment) -> BoltRequest:
        """The request as Bolt will see it, once its signature and body have been checked."""
        # The server has refused bodies over MAX_BODY; reading no more keeps that bound here too
        # (a truncated body fails the signature).
        raw: bytes = environ["wsgi.input"].read(MAX_BODY)
        try:
            body = raw.decode()
        except UnicodeDecodeError:
            # Slack signs UTF-8 text; these bytes are nobody's Slack request, signed or not.
            raise _Refused(400, "the body is not UTF-8") from None
        try:
            signed = self._verifier.is_valid(
                body,
                environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
                environ.get("HTTP_X_SLACK_SIGNATURE"),
            )
        except ValueError:  # a timestamp that is not a number
            signed = False
        if not signed:
            raise _Refused(401, "bad or missing signature")
        try:
            request = BoltRequest(
                body=_fields(body, environ.get("CONTENT_TYPE", "")),
                query=environ.get("QUERY_STRING", ""),
                headers=WsgiHttpRequest(environ).get_headers(),
                # Bolt takes a body already parsed only in its Socket Mode, whose one difference
                # is to skip the signature check, made above.
                mode="socket_mode",
            )
            # What Bolt reads from every request for its middleware, listeners and error
            # handler alike, read once here: a payload it can't (an empty `actions`, say) would
            # fail even its error handler, with a 500.
            build_required_kwargs(logger=log, required_arg_names=[], request=request, response=None)
        except Exception:  # whatever the reading trips on: bad JSON, JSON that isn't an object
            raise _Refused(400, "the body does not parse") from None
        if not _is_slack_request(request.body):
            raise _Refused(400, "the body is no kind of Slack request")
        return request

    def _first_sighting(self, key: str) -> bool:
        """Whether this is the first time any web process sees `key`.

        Fails open: if the database can't say within REPLAY_DEADLINE, the request goes through,
        so the ack never waits on a silent database; the work after it fails politely then.
        """
        try:
            return deadline.within(REPLAY_DEADLINE, lambda: self._remember(key))
        except Exception as error:  # a timeout, or the database's own error
            log.warning("Replay check skipped (%s): letting the request through", _name(error))
            return True

    def _remember(self, key: str) -> bool:
        now = utc_now()
        # The insert tells on its own; a prune needn't go with it.
        with self._db.statements(write=True) as session:
            if self._prune_due():
                replays.prune(session, now - REMEMBER_FOR)
            return replays.remember(session, key, now)

    def _prune_due(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if now < self._next_prune:
                return False
            self._next_prune = now + PRUNE_EVERY
            return True

    def _forget(self, key: str) -> None:
        """The request failed, so Slack's retry of it must not be taken for a duplicate."""

        def forget() -> None:
            with self._db.transaction(write=True) as session:
                replays.forget(session, key)

        try:
            deadline.within(REPLAY_DEADLINE, forget)
        except Exception as error:  # a timeout, or the database's own error
            log.warning("Couldn't forget a failed request (%s)", _name(error))


def _fields(body: str, content_type: str) -> dict[str, Any]:
    """The request's fields, read as Bolt reads them, but for one thing: Bolt takes any form
    containing the text "payload" (`/touch acme payload delivered`, say) for an interaction,
    finds no payload field in it, and reads it as {}. Here only a `payload` field makes one."""
    if content_type.partition(";")[0].strip() == "application/json" or body.startswith("{"):
        fields = json.loads(body)
    else:
        form = dict(parse_qsl(body, keep_blank_values=True))
        fields = json.loads(form["payload"]) if "payload" in form else form
    if not isinstance(fields, dict):
        raise ValueError("the body is not an object")
    return fields


def _replay_key(request: BoltRequest) -> str:
    """An event is the same event by its id, whoever signs it; anything else is the same
    request by its signature and timestamp."""
    body = request.body
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if isinstance(event_id, str):
        seen = f"event:{event_id}"
    else:
        headers = request.headers
        seen = f"signed:{headers['x-slack-request-timestamp'][0]}:{headers['x-slack-signature'][0]}"
    return hashlib.sha256(seen.encode()).hexdigest()


def _kind(body: dict[str, Any]) -> str:
    """The kind of Slack request, for the metrics: one of a few words."""
    kinds = {
        "command": payload.is_slash_command,
        "action": payload.is_action,
        "view": payload.is_view,
        "options": payload.is_options,
        "event": payload.is_event,
        "shortcut": payload.is_shortcut,
    }
    return next((kind for kind, matches in kinds.items() if matches(body)), "other")


def _outcome(status: int) -> str:
    """What Bolt's answer says about the request, for the metrics."""
    if status < 300:
        return "ok"
    if status == 404:  # no listener for it
        return "unhandled"
    if status == 503:  # the work pool was full (guard.WorkPool)
        return "busy"
    return "error" if status >= 500 else "refused"


def _is_slack_request(body: dict[str, Any]) -> bool:
    """The shapes Slack sends: a JSON envelope or interactive payload with a `type`, a slash
    command, or the SSL check."""
    command = body.get("command")
    return (
        isinstance(body.get("type"), str)
        or (isinstance(command, str) and command.startswith("/"))
        or "ssl_check" in body
    )


def _name(error: Exception) -> str:
    return "no answer in time" if isinstance(error, TimeoutError) else type(error).__name__


def _json(status: int, body: dict[str, Any]) -> WsgiHttpResponse:
    return WsgiHttpResponse(
        status=status, headers={"content-type": ["application/json"]}, body=json.dumps(body)
    )


def create_wsgi_app(
    app: App, db: Database, *, signing_secret: str, calendar: FeedApp | None = None
) -> WSGIApplication:
    """The app behind the server; `signing_secret` is the one Bolt's `app` checks too.
    `calendar` serves the reps' calendar feeds (bot.slack.calendar)."""
    edge = _SlackEdge(app, db, signing_secret)
    readiness = _Readiness(db)
    prometheus: WSGIApplication = make_wsgi_app(metrics.REGISTRY)
    # OAuth mode: the Add to Slack page and Slack's redirect back, served by Bolt's flow.
    flow = app.oauth_flow
    installs = {flow.install_path, flow.redirect_uri_path} if flow is not None else set()
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD")
        if path == METRICS_PATH and method == "GET":
            return prometheus(environ, start_response)
        # A feed, or nothing: then the 404 below, as for any unknown path.
        if calendar is not None and path.startswith(CALENDAR_PATH) and method in {"GET", "HEAD"}:
            served = calendar(environ, start_response)
            if served is not None:
                return served
        if path in installs and method == "GET":
            return bolt(environ, start_response)
        if path in {HEALTH_PATH, READY_PATH} and method in {"GET", "HEAD"}:
            response = _json(200, {"status": "ok"}) if path == HEALTH_PATH else _ready(readiness)
        elif path != EVENTS_PATH:
            response = _json(404, {"error": "not found"})
        elif method != "POST":
            response = _json(405, {"error": "POST only"})
        else:
            # The ids it sets for its log lines end with it; Bolt's work copies them.
            response = contextvars.copy_context().run(edge.handle, environ)
        start_response(response.status, response.get_headers())
        return response.get_body()

    return wsgi


def _ready(readiness: _Readiness) -> WsgiHttpResponse:
    problem = readiness.problem()
    if problem is None:
        return _json(200, {"status": "ready"})
    return _json(503, {"status": "unavailable", "reason": problem})


def make_server(
    wsgi: WSGIApplication, *, port: int, host: str = "0.0.0.0", threads: int = SERVER_THREADS
) -> Any:
    """A waitress server: a production WSGI server with a thread pool, not Bolt's dev server.

    Bolt's built-in `app.start()` resets connections when a burst of requests arrives.
    """
    from waitress.server import create_server

    return create_server(
        wsgi,
        host=host,
        port=port,
        threads=threads,
        connection_limit=1000,
        backlog=1024,
        max_request_body_size=MAX_BODY,
        ident="touchbase",
        clear_untrusted_proxy_headers=True,
    )


def serve_http(wsgi: WSGIApplication, *, port: int, host: str = "0.0.0.0") -> None:
    server = make_server(wsgi, port=port, host=host)
    log.info("Touchbase is listening on http://%s:%s%s", host, server.effective_port, EVENTS_PATH)
    try:
        server.run()
    finally:
        server.close()
