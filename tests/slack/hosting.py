"""OAuth mode, hosted: the real web app serving workspaces installed through Slack's install
flow against the stand-in, and what its tests ask of it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.fernet import Fernet

from bot.db.engine import Database
from bot.deps import Deps
from bot.devtools import slack_requests
from bot.devtools.standin import SlackStandIn
from bot.installations import InstallationStore, Workspaces
from bot.slack.app import create_app
from bot.slack.web import create_wsgi_app
from bot.webapi import make_client
from tests.conftest import SECRET, Clock, _Dispatcher, make_settings
from tests.helpers import add_client, add_touch

ONE, TWO = "T0ONE", "T0TWO"
KEY = Fernet.generate_key().decode()
# A Monday, 09:30 in New York, when Sam's digest is due.
MORNING = dt.datetime(2026, 11, 23, 14, 30, tzinfo=dt.UTC)


@dataclasses.dataclass
class Hosted:
    url: str
    slack: SlackStandIn
    deps: Deps
    cookies: list[str] = dataclasses.field(default_factory=list)

    def get(self, path: str) -> tuple[int, str]:
        """GET like a browser that keeps the state cookie (it is Secure: sent by hand here,
        over plain HTTP)."""
        headers = {"Cookie": "; ".join(self.cookies)} if self.cookies else {}
        request = urllib.request.Request(self.url + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                for cookie in response.headers.get_all("Set-Cookie") or []:
                    self.cookies.append(cookie.partition(";")[0])
                return int(response.status), response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return int(error.code), error.read().decode()

    def install(self, team: str, *, org: bool = False) -> tuple[int, str]:
        """The whole flow: the Add to Slack page, Slack's authorize page, the redirect back.
        With `org`, `team` is an Enterprise Grid organization, installed org-wide."""
        status, page = self.get("/slack/install")
        assert status == 200, page
        [link] = re.findall(r'href="([^"]+)"', page)
        query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
        code = self.slack.authorize_org(team) if org else self.slack.authorize(team)
        return self.get(f"/slack/oauth_redirect?code={code}&state={query['state'][0]}")


@contextmanager
def hosting(
    server: tuple[_Dispatcher, str], slack: SlackStandIn, db: Database, database_url: str
) -> Iterator[Hosted]:
    """The web app in OAuth mode, on the test server, until the block ends."""
    settings = make_settings(
        slack,
        database_url,
        bot_token="",
        client_id="1234.5678",
        client_secret="client-secret",
        token_key=KEY,
        authorize_url=slack.base_url + "/oauth/v2/authorize",
    )
    store = InstallationStore("1234.5678", db.engine, KEY)
    deps = Deps(
        settings=settings,
        db=db,
        slack=make_client(settings, timeout=5, backoff=0),
        clock=Clock(MORNING),
        workspaces=Workspaces(settings, store, timeout=5, backoff=0),
    )
    dispatcher, url = server
    listeners = ThreadPoolExecutor(max_workers=8)
    dispatcher.app = create_wsgi_app(
        create_app(deps, listener_executor=listeners), db, signing_secret=SECRET
    )
    yield Hosted(url, slack, deps)
    dispatcher.app = None
    listeners.shutdown(wait=True)


def digests_by_token(slack: SlackStandIn) -> dict[str, str]:
    """Each chat.postMessage's recipient, by the token it came with."""
    return {c.token or "": c.params["channel"] for c in slack.calls_to("chat.postMessage")}


def book(db: Database, team: str) -> None:
    acme = add_client(db, f"Acme of {team}", owner="U0SAM", team=team)
    add_touch(db, acme, MORNING - dt.timedelta(days=90), "renewal call", rep="U0SAM")


def command(
    hosted: Hosted,
    team: str,
    text: str,
    enterprise_id: str | None = None,
    *,
    user: str = "U0SAM",
) -> str:
    """/touch from `user` in `team` (of organization `enterprise_id`, installed org-wide, when
    given), and its reply, as JSON text: in the ack, or else at its response_url."""
    key = f"{team}-{text}"
    body = slack_requests.slash_command_body(
        command="/touch",
        text=text,
        user_id=user,
        team_id=team,
        response_url=hosted.slack.response_url(key),
        enterprise_id=enterprise_id,
    )
    status, answer = slack_requests.post(hosted.url + "/slack/events", body, SECRET)
    assert status == 200
    if answer:
        return answer.decode()
    hosted.slack.wait_for(lambda: bool(hosted.slack.responses_to(key)))
    return json.dumps(hosted.slack.responses_to(key))


def calls_with(hosted: Hosted, team: str) -> int:
    tokens = hosted.slack.tokens_of(team)
    return sum(c.token in tokens for c in hosted.slack.calls)


def refreshes(slack: SlackStandIn) -> int:
    return sum(bool(c.params.get("grant_type")) for c in slack.calls_to("oauth.v2.access"))


@pytest.fixture
def hosted(
    _server: tuple[_Dispatcher, str], slack: SlackStandIn, db: Database, database_url: str
) -> Iterator[Hosted]:
    """The OAuth-mode web app, for every test directory (a plugin of tests/conftest.py)."""
    with hosting(_server, slack, db, database_url) as app:
        yield app
