"""The engine: URL normalisation, SQLite tuning, transactions that commit or roll back, and
every database wait bounded: PostgreSQL behind a fault proxy that goes silent, refuses or resets
(PostgreSQL only: set TOUCHBASE_TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from bot.config import Timeouts
from bot.db.engine import Database, make_engine, normalize_url
from tests.faults import FaultProxy, Mode
from tests.helpers import TEAM, add_client

needs_postgres = pytest.mark.skipif(
    not os.environ.get("TOUCHBASE_TEST_DATABASE_URL"),
    reason="TOUCHBASE_TEST_DATABASE_URL is not set",
)
# Short limits keep the outage tests quick; each bound below is stated in terms of them.
FAST = Timeouts(connect=2, statement=1, lock=1, idle_in_transaction=5, pool=1)
# Scheduling noise on a shared machine, on top of a bound.
SLACK = 1.5
INSERT_REP = text(
    "INSERT INTO rep (team_id, user_id, display_name, tz, is_admin, active) "
    "VALUES (:team, :user, 'x', 'UTC', false, true)"
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@db.example.com:5432/touchbase", "postgresql+psycopg://u:p@db.example.com:5432/touchbase"),
        ("postgresql://postgres@127.0.0.1:5432/test", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        ("postgresql://h/db?sslmode=require", "postgresql+psycopg://h/db?sslmode=require"),
        ("postgresql+psycopg://h/db", "postgresql+psycopg://h/db"),
        ("sqlite:///touchbase.db", "sqlite:///touchbase.db"),
        ("sqlite:////abs/path/touchbase.db", "sqlite:////abs/path/touchbase.db"),
        ("sqlite://", "sqlite://"),
    ],
)  # fmt: skip
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


@pytest.mark.parametrize("url", ["postgres://u@h/db", "postgresql://u@h/db"])
def test_postgres_urls_are_driven_with_psycopg_3(url: str) -> None:
    parsed = make_url(normalize_url(url))
    assert (parsed.get_backend_name(), parsed.get_driver_name()) == ("postgresql", "psycopg")
    engine = make_engine(url)  # no connection is made until one is needed
    try:
        assert (engine.dialect.name, engine.dialect.driver) == ("postgresql", "psycopg")
    finally:
        engine.dispose()


def test_sqlite_is_tuned_on_connect(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{tmp_path / 'tuned.db'}")
    try:
        assert db.dialect == "sqlite"
        with db.engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar() == 3000
        assert db.ping()
    finally:
        db.dispose()


def test_sqlite_waits_for_a_lock_as_long_as_the_lock_timeout(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{tmp_path / 'x.db'}", timeouts=Timeouts(lock=7, pool=4))
    try:
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 7000
        assert db.engine.pool.timeout() == 4  # type: ignore[attr-defined]
    finally:
        db.dispose()


def test_an_in_memory_sqlite_database_has_no_pool_to_wait_for() -> None:
    db = Database.from_url("sqlite://")
    try:
        assert db.ping()
    finally:
        db.dispose()


def test_a_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction(write=True) as session:
        session.execute(
            text(
                "INSERT INTO rep (team_id, user_id, display_name, tz, is_admin, active) "
                "VALUES (:team, 'U0X', 'x', 'UTC', false, true)"
            ),
            {"team": TEAM},
        )
        raise RuntimeError("boom")
    with db.transaction() as session:
        assert session.execute(text("SELECT count(*) FROM rep")).scalar() == 0


def test_a_transaction_commits_on_success(db: Database) -> None:
    add_client(db, "Acme")
    with db.transaction() as session:
        assert session.execute(text("SELECT name FROM client")).scalars().all() == ["Acme"]


def test_ping_is_false_when_the_database_is_unreachable(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    try:
        assert db.ping() is False
    finally:
        db.dispose()


def fails_within(seconds: float, work: Callable[[], object]) -> tuple[BaseException, float]:
    """Run `work`, which should raise within `seconds`; a hang fails the test, not the suite."""
    outcome: list[tuple[BaseException | None, float]] = []

    def run() -> None:
        started = time.monotonic()
        try:
            work()
        except BaseException as error:
            outcome.append((error, time.monotonic() - started))
        else:
            outcome.append((None, time.monotonic() - started))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds + SLACK)
    assert outcome, f"still waiting after {seconds + SLACK:.1f} s"
    error, elapsed = outcome[0]
    assert error is not None, f"succeeded after {elapsed:.1f} s; expected an error"
    assert elapsed <= seconds + SLACK, f"failed only after {elapsed:.1f} s"
    return error, elapsed


def read(db: Database) -> object:
    with db.transaction() as session:
        return session.execute(text("SELECT 1")).scalar()


@pytest.fixture
def proxy(database_url: str) -> Iterator[FaultProxy]:
    with FaultProxy.before(database_url) as proxy:
        yield proxy


@pytest.fixture
def proxied(proxy: FaultProxy, database_url: str) -> Iterator[Database]:
    """The test database reached through the proxy, with the FAST limits."""
    db = Database.from_url(proxy.url(database_url), timeouts=FAST)
    yield db
    db.dispose()


@needs_postgres
def test_postgres_sessions_carry_the_timeouts(database_url: str) -> None:
    timeouts = Timeouts(statement=7, lock=2, idle_in_transaction=40)
    db = Database.from_url(database_url, timeouts=timeouts)
    try:
        with db.transaction() as session:
            show = session.execute
            assert show(text("SHOW statement_timeout")).scalar() == "7s"
            assert show(text("SHOW lock_timeout")).scalar() == "2s"
            assert show(text("SHOW idle_in_transaction_session_timeout")).scalar() == "40s"
    finally:
        db.dispose()


@needs_postgres
def test_a_slow_statement_is_cancelled_by_the_server(proxied: Database) -> None:
    def sleep() -> None:
        with proxied.transaction() as session:
            session.execute(text("SELECT pg_sleep(30)"))

    error, _ = fails_within(FAST.statement, sleep)
    assert isinstance(error, OperationalError)
    assert "statement timeout" in str(error)
    assert read(proxied) == 1


@needs_postgres
def test_a_silent_database_fails_a_new_connection_within_the_connect_timeout(
    proxy: FaultProxy, proxied: Database
) -> None:
    proxy.mode = Mode.SILENT
    error, _ = fails_within(FAST.connect, lambda: read(proxied))
    assert isinstance(error, OperationalError)
    proxy.mode = Mode.PASS
    assert read(proxied) == 1


@needs_postgres
def test_a_database_that_falls_silent_mid_transaction_fails_within_the_reply_bound(
    proxy: FaultProxy, proxied: Database
) -> None:
    def two_reads() -> None:
        with proxied.transaction() as session:
            session.execute(text("SELECT 1"))
            proxy.mode = Mode.SILENT
            session.execute(text("SELECT 2"))

    error, _ = fails_within(FAST.reply, two_reads)
    assert isinstance(error, OperationalError)
    proxy.mode = Mode.PASS
    assert read(proxied) == 1


@needs_postgres
def test_a_pooled_connection_that_fell_silent_fails_the_next_checkout_in_bounded_time(
    proxy: FaultProxy, proxied: Database
) -> None:
    assert read(proxied) == 1  # one connection, back in the pool
    proxy.mode = Mode.SILENT
    # The pre-ping waits for its reply, then the pool tries a new connection.
    error, _ = fails_within(FAST.reply + FAST.connect, lambda: read(proxied))
    assert isinstance(error, OperationalError)
    proxy.mode = Mode.PASS
    assert read(proxied) == 1


@needs_postgres
def test_a_refusing_database_fails_at_once_and_works_again_when_back(
    proxy: FaultProxy, proxied: Database
) -> None:
    assert read(proxied) == 1
    proxy.mode = Mode.REFUSE
    for _ in range(2):  # the pooled connection, then a new one
        error, elapsed = fails_within(0.5, lambda: read(proxied))
        assert isinstance(error, OperationalError)
        assert elapsed < 0.5
    proxy.mode = Mode.PASS
    assert read(proxied) == 1


@needs_postgres
@pytest.mark.parametrize("lost", ["between two statements", "before the commit"])
def test_a_transaction_lost_midway_leaves_nothing_half_written(
    proxy: FaultProxy, proxied: Database, db: Database, lost: str
) -> None:
    def write() -> None:
        with proxied.transaction(write=True) as session:
            session.execute(INSERT_REP, {"team": TEAM, "user": "U0A"})
            proxy.mode = Mode.RESET
            if lost == "between two statements":
                session.execute(INSERT_REP, {"team": TEAM, "user": "U0B"})

    error, _ = fails_within(FAST.reply, write)
    assert isinstance(error, SQLAlchemyError)
    proxy.mode = Mode.PASS
    with db.transaction() as session:
        assert session.execute(text("SELECT count(*) FROM rep")).scalar() == 0
    assert read(proxied) == 1
