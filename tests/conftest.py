"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when TOUCHBASE_TEST_DATABASE_URL
is set), the local Slack stand-in, and the real web app served by the production server."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.db import migrate
from bot.db.engine import Database, normalize_url
from bot.deps import Deps
from bot.devtools import slack_requests
from bot.devtools.standin import SlackStandIn
from bot.slack.app import create_app
from bot.slack.calendar import feeds
from bot.slack.web import create_wsgi_app, make_server
from bot.webapi import make_client

# The OAuth-mode web app's `hosted` fixture, shared by the tests of every area.
pytest_plugins = ["tests.slack.hosting"]

TEAM = "T0TOUCH"
SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"
# A Monday morning in November; tests that need another instant build their own clock.
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)


def pytest_report_header() -> str:
    url = os.environ.get("TOUCHBASE_TEST_DATABASE_URL")
    return f"database: {url or 'SQLite (temporary file)'}"


def _worker_database(url: str, worker_id: str) -> str:
    """Each pytest-xdist worker gets a database of its own beside the one named (test_gw0, …),
    created on first use, so parallel workers never truncate each other's tables."""
    if worker_id == "master":
        return url
    base = make_url(normalize_url(url))
    name = f"{base.database}_{worker_id}"
    admin = Database.from_url(url, isolation_level="AUTOCOMMIT")
    with admin.engine.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _database_template(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> str:
    """Run the real migrations once: a template SQLite file, or the PostgreSQL schema."""
    url = os.environ.get("TOUCHBASE_TEST_DATABASE_URL")
    if url:
        url = _worker_database(url, worker_id)
        db = Database.from_url(url)
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        migrate.upgrade(db.engine)
        db.dispose()
        return url
    template = tmp_path_factory.mktemp("template") / "touchbase.db"
    db = Database.from_url(f"sqlite:///{template}")
    migrate.upgrade(db.engine)
    db.dispose()
    return str(template)


@pytest.fixture
def database_url(_database_template: str, tmp_path: Path) -> str:
    if "://" in _database_template:
        db = Database.from_url(_database_template)
        with db.engine.begin() as connection:
            tables = (
                connection.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                        "AND tablename <> 'alembic_version'"
                    )
                )
                .scalars()
                .all()
            )
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        db.dispose()
        return _database_template
    path = tmp_path / "touchbase.db"
    shutil.copy(_database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.from_url(database_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def _standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(team_id=TEAM) as standin:
        yield standin


@pytest.fixture
def slack(_standin: SlackStandIn) -> SlackStandIn:
    """The Slack stand-in, emptied for each test, with two reps in different zones."""
    _standin.reset()
    _standin.add_user(
        "U0SAM", name="sam", real_name="Sam Rivera", tz="America/New_York", email="sam@example.com"
    )
    _standin.add_user(
        "U0PRIYA",
        name="priya",
        real_name="Priya Shah",
        tz="Europe/London",
        email="priya@example.com",
    )
    return _standin


@dataclass
class Clock:
    """A clock the test moves by hand; the app reads it through Deps.clock."""

    now: dt.datetime = NOW

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_settings(slack: SlackStandIn, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": TOKEN,
        "signing_secret": SECRET,
        "database_url": database_url,
        "slack_api_url": slack.api_url,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def deps(slack: SlackStandIn, db: Database, database_url: str, clock: Clock) -> Deps:
    settings = make_settings(slack, database_url)
    return Deps(
        settings=settings, db=db, slack=make_client(settings, timeout=5, backoff=0), clock=clock
    )


@dataclass
class _Dispatcher:
    """One server for the session; each test plugs in its own app."""

    app: Callable[..., Any] | None = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        assert self.app is not None, "no app plugged in"
        return self.app(environ, start_response)


@pytest.fixture(scope="session")
def _server() -> Iterator[tuple[_Dispatcher, str]]:
    dispatcher = _Dispatcher()
    server = make_server(dispatcher, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield dispatcher, f"http://127.0.0.1:{server.effective_port}"
    server.close()


@dataclass
class WebApp:
    """The real Touchbase web app behind waitress, driven with signed requests like Slack's."""

    url: str
    slack: SlackStandIn
    deps: Deps
    _count: list[int] = field(default_factory=lambda: [0])

    def post(
        self,
        body: str,
        *,
        secret: str = SECRET,
        timestamp: int | None = None,
        path: str = "/slack/events",
    ) -> tuple[int, bytes]:
        return slack_requests.post(self.url + path, body, secret, timestamp=timestamp)

    def command(self, text: str, *, user: str = "U0SAM", wait: bool = True) -> dict[str, Any]:
        """Send `/touch <text>` and return the reply: the ack's body, or else what was posted to
        its response_url."""
        key, (status, answer) = self.send_command(text, user=user)
        assert status == 200, status
        if answer:
            return dict(json.loads(answer))
        if not wait:
            return {}
        return self.reply(key)

    def send_command(self, text: str, *, user: str = "U0SAM") -> tuple[str, tuple[int, bytes]]:
        """Send `/touch <text>`: its response_url's key, and the ack (status, body)."""
        self._count[0] += 1
        key = f"cmd-{self._count[0]}"
        body = slack_requests.slash_command_body(
            command="/touch",
            text=text,
            user_id=user,
            team_id=TEAM,
            response_url=self.slack.response_url(key),
        )
        return key, self.post(body)

    def reply(self, key: str) -> dict[str, Any]:
        self.slack.wait_for(lambda: bool(self.slack.responses_to(key)))
        return self.slack.responses_to(key)[-1]

    def click(self, action: dict[str, Any], *, user: str = "U0SAM") -> dict[str, Any]:
        """Click a button from a reply; returns what the app posted back to the response_url."""
        self._count[0] += 1
        key = f"click-{self._count[0]}"
        body = slack_requests.block_actions_body(
            user_id=user, team_id=TEAM, actions=[action], response_url=self.slack.response_url(key)
        )
        status, _ = self.post(body)
        assert status == 200, status
        return self.reply(key)


@pytest.fixture
def web(_server: tuple[_Dispatcher, str], slack: SlackStandIn, deps: Deps) -> Iterator[WebApp]:
    dispatcher, url = _server
    # The app's listeners run here, so the test can wait for work still going on after the
    # last reply (a Home publish, say) before the next test empties the database.
    listeners = ThreadPoolExecutor(max_workers=64, thread_name_prefix="test-listener")
    dispatcher.app = create_wsgi_app(
        create_app(deps, listener_executor=listeners),
        deps.db,
        signing_secret=SECRET,
        calendar=feeds(deps),
    )
    yield WebApp(url, slack, deps)
    dispatcher.app = None
    listeners.shutdown(wait=True)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        element
        for block in message.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
    ]
