"""The engine and transactions. Callers own their transaction: `with db.transaction(): ...`.

Every wait on the database is bounded (see `bot.config.Timeouts`), so an unreachable or silent
database turns into an error within seconds, which the caller can answer politely, not a hang.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Self, cast

import psycopg
from sqlalchemy import Engine, QueuePool, create_engine, event, exc, make_url, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.orm import Session, sessionmaker

from bot import metrics
from bot.config import Timeouts
from bot.db import sqlite_file

log = logging.getLogger(__name__)

DEFAULT_TIMEOUTS = Timeouts()
# Seconds a pooled connection may lie unused and still be handed out without a ping.
PING_AFTER_IDLE = 1.0

# So the kernel notices a peer gone quiet in an idle pooled connection within tens of seconds,
# not the two hours of the kernel's defaults: probes after 10 s of quiet, then every 5 s.
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}


def normalize_url(url: str) -> str:
    """Accept Heroku-style `postgres://` and plain `postgresql://`; always drive with psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def make_engine(url: str, timeouts: Timeouts = DEFAULT_TIMEOUTS, **kwargs: Any) -> Engine:
    parsed = make_url(normalize_url(url))
    dialect = cast(type[DefaultDialect], parsed.get_dialect())
    sqlite = dialect.name == "sqlite"
    if issubclass(dialect.get_pool_class(parsed), QueuePool):
        kwargs.setdefault("pool_timeout", timeouts.pool)
    else:  # in-memory SQLite: one connection, no queue to wait in or size
        kwargs.pop("pool_size", None)
    # sqlite3's `timeout` is its busy timeout, in force from the very first statement.
    bounds = {"timeout": timeouts.lock} if sqlite else _postgres_args(timeouts)
    kwargs["connect_args"] = bounds | kwargs.get("connect_args", {})
    # A statement's parameters are notes and client names: never in an error's message (and
    # so never in a logged traceback).
    engine = create_engine(parsed, hide_parameters=True, **kwargs)
    event.listen(engine, "handle_error", _count_error)
    _ping_when_idle(engine)
    if sqlite:
        _tune_sqlite(engine)
    else:
        _bound_replies(engine, timeouts.reply)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before use only once it has lain unused PING_AFTER_IDLE, and
    replace it if the ping fails.

    A restarted database, or a connection dropped while idle by a firewall or a proxy, shows
    only after a connection has lain idle. Pinging every checkout (`pool_pre_ping`) cost each
    transaction a round trip on PostgreSQL, five per `/touch`; a connection in steady use
    proves itself with every statement, and one that breaks in use fails its statement, which
    SQLAlchemy turns into a fresh pool.
    """

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE:
            return  # new, or back in the pool only just now
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool discards it and checks out another (a new connection, if need be).
            raise exc.DisconnectionError(type(error).__name__) from error


def _count_error(context: ExceptionContext) -> None:
    """touchbase_db_errors_total, by SQLAlchemy's class for it (OperationalError,
    IntegrityError…), the same on every driver."""
    error = context.sqlalchemy_exception or context.original_exception
    metrics.DB_ERRORS.labels(type(error).__name__).inc()


def _postgres_args(timeouts: Timeouts) -> dict[str, Any]:
    """libpq connection parameters: the server's own limits, and the client's on the socket."""
    limits = {
        "statement_timeout": timeouts.statement,
        "lock_timeout": timeouts.lock,
        "idle_in_transaction_session_timeout": timeouts.idle_in_transaction,
    }
    return {
        "connect_timeout": timeouts.connect,
        "options": " ".join(f"-c {name}={seconds}s" for name, seconds in limits.items()),
        **KEEPALIVES,
        # Linux: data unacknowledged this long (a network partition) fails the connection.
        "tcp_user_timeout": timeouts.reply * 1000,
        "cursor_factory": _BoundedCursor,
    }


def _tune_sqlite(engine: Engine) -> None:
    """WAL for concurrent readers, foreign keys, zeroed deletes, and explicit BEGINs.

    `secure_delete` overwrites deleted content with zeros, so an erased client or a note past
    its retention leaves no copy in the file's free space (some builds have it on already).

    pysqlite's own transaction handling starts transactions lazily, so a read that later
    writes can fail at once with "database is locked". Writers instead start with BEGIN
    IMMEDIATE and wait their turn; readers start a plain deferred BEGIN.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def _bound_replies(engine: Engine, seconds: float) -> None:
    """Connect with `_BoundedConnection`, whose every wait for a reply lasts at most `seconds`."""

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> _BoundedConnection:
        connection = _BoundedConnection.connect(*cargs, **cparams)
        connection.reply_timeout = seconds
        return connection


class _Watchdog:
    """Shuts down the socket of a connection whose reply is overdue, so the thread waiting on
    it gets an error at once, and SQLAlchemy discards the broken connection.

    psycopg has no client-side limit on waiting for a reply; one thread watches them all.
    """

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._due: dict[object, tuple[float, int]] = {}  # waiter -> (deadline, socket)
        self._thread: threading.Thread | None = None
        # When the watchdog looks next (None: when told). Deadlines only grow, so a waiter
        # seldom needs to wake it: a wake-up per statement cost a thread switch each.
        self._looks_at: float | None = None

    @contextmanager
    def bound(self, fileno: int, seconds: float) -> Iterator[None]:
        waiter, deadline = object(), time.monotonic() + seconds
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="db-watchdog", daemon=True)
                self._thread.start()
            if self._looks_at is None or deadline < self._looks_at:
                self._looks_at = deadline
                self._lock.notify()  # the watchdog sleeps until the earliest deadline
            self._due[waiter] = (deadline, fileno)
        try:
            yield
        finally:
            with self._lock:
                # Under the lock: once this returns, the socket is never touched again.
                self._due.pop(waiter, None)

    def _watch(self) -> None:
        with self._lock:
            while True:
                now = time.monotonic()
                for waiter, (deadline, fileno) in list(self._due.items()):
                    if deadline <= now:
                        del self._due[waiter]
                        _shut_down(fileno)
                earliest = min((due for due, _ in self._due.values()), default=None)
                self._looks_at = earliest
                self._lock.wait(None if earliest is None else earliest - now)


def _shut_down(fileno: int) -> None:
    log.warning("No reply from the database in time; dropping the connection")
    try:
        with socket.socket(fileno=os.dup(fileno)) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: the waiter has its error


_watchdog = _Watchdog()


class _BoundedConnection(psycopg.Connection[Any]):
    """A psycopg connection whose commits and rollbacks wait at most `reply_timeout`."""

    reply_timeout: float  # set right after connecting, in _bound_replies

    @contextmanager
    def bounded(self) -> Iterator[None]:
        with _watchdog.bound(self.fileno(), self.reply_timeout):
            yield

    def commit(self) -> None:
        with self.bounded():
            super().commit()

    def rollback(self) -> None:
        with self.bounded():
            super().rollback()


class _BoundedCursor(psycopg.Cursor[Any]):
    """A cursor whose statements (and the pool's pre-ping) wait at most `reply_timeout`."""

    def execute(self, *args: Any, **kwargs: Any) -> Self:
        with cast(_BoundedConnection, self.connection).bounded():
            return super().execute(*args, **kwargs)

    def executemany(self, *args: Any, **kwargs: Any) -> None:
        with cast(_BoundedConnection, self.connection).bounded():
            super().executemany(*args, **kwargs)


@dataclass
class Database:
    engine: Engine

    def __post_init__(self) -> None:
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        writer_engine = (
            self.engine.execution_options(sqlite_begin="IMMEDIATE")
            if self.engine.dialect.name == "sqlite"
            else self.engine
        )
        self._writer = sessionmaker(writer_engine, expire_on_commit=False)
        # PostgreSQL runs each statement on its own, in its own snapshot: no BEGIN and COMMIT.
        self._single = (
            sessionmaker(
                self.engine.execution_options(isolation_level="AUTOCOMMIT"),
                expire_on_commit=False,
            )
            if self.engine.dialect.name == "postgresql"
            else None
        )
        # While this lives, a restore of the embedded file refuses (bot.db.sqlite_file).
        path = sqlite_file.path_of(self.engine.url)
        self._unshare = sqlite_file.share(self, path) if path else lambda: None

    @classmethod
    def from_url(cls, url: str, timeouts: Timeouts = DEFAULT_TIMEOUTS, **kwargs: Any) -> Database:
        return cls(make_engine(url, timeouts, **kwargs))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any error."""
        with (self._writer if write else self._reader).begin() as session:
            yield session

    @contextmanager
    def statements(self, *, write: bool = False) -> Iterator[Session]:
        """For statements that each stand alone: reads that need no one snapshot across them,
        writes that needn't be undone together. On PostgreSQL each is a transaction of its own
        (where READ COMMITTED gives each statement its own snapshot anyway), which saves the
        BEGIN and COMMIT round trips; nothing read is left locked. On SQLite, whose BEGIN and
        COMMIT cost no round trip, one transaction as `transaction` gives."""
        if self._single is None:
            with self.transaction(write=write) as session:
                yield session
            return
        with self._single.begin() as session:
            yield session

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def forget_erased(self) -> None:
        """After an erasure, leave no old copy of what was deleted in SQLite's files.

        `secure_delete` (on for every connection) has zeroed the freed space in the pages the
        deletes wrote, but the write-ahead log still holds those pages as they were before.
        A TRUNCATE checkpoint copies the log into the database and empties it, waiting (up to
        the busy timeout) for readers of older snapshots to finish. PostgreSQL keeps deleted
        rows until VACUUM reclaims them; see docs/privacy.md.
        """
        if self.dialect != "sqlite":
            return
        with self.engine.connect() as connection:
            # Outside any transaction: SQLite can't checkpoint from inside one.
            raw = connection.connection.dbapi_connection
            assert raw is not None
            busy, _, _ = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            log.warning("A reader kept the database's log from being emptied after an erasure")

    def dispose(self) -> None:
        self._unshare()
        self.engine.dispose()
