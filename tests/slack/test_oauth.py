"""OAuth mode: two workspaces installed through Slack's install flow against the stand-in, each
served with its own token, encrypted at rest, and an uninstall that stops one at once."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.fernet import Fernet
from slack_bolt import BoltContext
from slack_bolt.authorization import AuthorizeResult
from sqlalchemy import select

from bot.db.engine import Database
from bot.db.schema import SLACK_BOTS, SLACK_INSTALLATIONS
from bot.devtools import slack_requests
from bot.installations import InstallationStore, NotInstalled, rekey
from bot.services.nudges import run_pass
from bot.slack.oauth import WorkspaceAuthorize
from tests.conftest import SECRET
from tests.helpers import add_client, touches
from tests.slack.hosting import (
    KEY,
    MORNING,
    ONE,
    TWO,
    Hosted,
    book,
    calls_with,
    command,
    digests_by_token,
    refreshes,
)


def test_the_install_page_offers_add_to_slack(hosted: Hosted) -> None:
    status, page = hosted.get("/slack/install")
    assert status == 200
    assert '<html lang="en">' in page and "<h1>Add Touchbase to Slack</h1>" in page
    [link] = re.findall(r'href="([^"]+)"', page)
    assert link.startswith(hosted.slack.base_url + "/oauth/v2/authorize?")
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert query["client_id"] == ["1234.5678"]
    assert query["scope"] == ["channels:join,chat:write,commands,users:read,users:read.email"]


def test_two_workspaces_install_and_their_tokens_are_encrypted_at_rest(hosted: Hosted) -> None:
    status, page = hosted.install(ONE)
    assert status == 200, page
    assert "Home tab" in page and "channel for the weekly recap" in page
    assert hosted.install(TWO)[0] == 200
    assert hosted.deps.workspaces is not None
    assert hosted.deps.workspaces.installed() == {ONE, TWO}
    issued = hosted.slack.tokens_of(ONE) | hosted.slack.tokens_of(TWO)
    with hosted.deps.db.engine.connect() as connection:
        stored = [
            value
            for table in (SLACK_BOTS, SLACK_INSTALLATIONS)
            for row in connection.execute(select(table)).mappings()
            for value in row.values()
            if isinstance(value, str)
        ]
    assert stored and not any(token in value for token in issued for value in stored)
    assert not any(value.startswith("xox") for value in stored)
    # Each workspace's client carries that workspace's own token.
    one = hosted.deps.slack_for(ONE)
    assert one.token in hosted.slack.tokens_of(ONE)
    assert hosted.deps.slack_for(TWO).token in hosted.slack.tokens_of(TWO)
    with pytest.raises(NotInstalled):
        hosted.deps.slack_for("T0NEVER")


def test_a_reused_state_or_a_cancelled_install_stores_nothing(hosted: Hosted) -> None:
    status, page = hosted.get("/slack/install")
    [link] = re.findall(r'href="([^"]+)"', page)
    state = parse_qs(urlsplit(link.replace("&amp;", "&")).query)["state"][0]
    status, page = hosted.get(f"/slack/oauth_redirect?error=access_denied&state={state}")
    assert (status, "cancelled" in page) == (200, True)
    assert (
        hosted.get(f"/slack/oauth_redirect?code={hosted.slack.authorize(ONE)}&state={state}")[0]
        == 200
    )
    # The same state again: refused, and nothing more is stored.
    status, page = hosted.get(
        f"/slack/oauth_redirect?code={hosted.slack.authorize(TWO)}&state={state}"
    )
    assert status == 401 and "expired or was already used" in page
    assert hosted.deps.workspaces is not None
    assert hosted.deps.workspaces.installed() == {ONE}


def test_each_workspace_gets_its_digest_with_its_own_token(hosted: Hosted) -> None:
    hosted.install(ONE)
    hosted.install(TWO)
    book(hosted.deps.db, ONE)
    book(hosted.deps.db, TWO)
    report = run_pass(hosted.deps, MORNING)
    assert report.sent == 2
    sent = digests_by_token(hosted.slack)
    assert {t for t in sent if t in hosted.slack.tokens_of(ONE)}
    assert {t for t in sent if t in hosted.slack.tokens_of(TWO)}
    # Every call of the pass used the token of a workspace it acted for, never another's.
    for call in hosted.slack.calls:
        if call.method != "oauth.v2.access":  # the installs' code exchange: no token
            assert call.token in hosted.slack.tokens_of(ONE) | hosted.slack.tokens_of(TWO)


def test_one_workspaces_revoked_token_never_stops_the_others(hosted: Hosted) -> None:
    hosted.install(ONE)
    hosted.install(TWO)
    book(hosted.deps.db, ONE)
    book(hosted.deps.db, TWO)
    hosted.slack.revoke(ONE)
    report = run_pass(hosted.deps, MORNING)
    assert report.sent == 1
    [token] = digests_by_token(hosted.slack)
    assert token in hosted.slack.tokens_of(TWO)


def test_one_workspaces_failed_token_refresh_never_stops_the_others(hosted: Hosted) -> None:
    hosted.slack.token_lifetime = 60  # every use needs a refresh
    hosted.install(ONE)
    hosted.install(TWO)
    book(hosted.deps.db, ONE)
    book(hosted.deps.db, TWO)
    hosted.slack.revoke(ONE)  # its refresh token too: ONE's refresh fails
    report = run_pass(hosted.deps, MORNING)
    assert report.sent == 1
    [token] = digests_by_token(hosted.slack)
    assert token in hosted.slack.tokens_of(TWO)


def test_an_uninstall_deletes_the_tokens_and_stops_sending_at_once(hosted: Hosted) -> None:
    hosted.install(ONE)
    hosted.install(TWO)
    book(hosted.deps.db, ONE)
    book(hosted.deps.db, TWO)
    body = slack_requests.event_callback_body(team_id=ONE, event={"type": "app_uninstalled"})
    assert slack_requests.post(hosted.url + "/slack/events", body, SECRET)[0] == 200
    assert hosted.deps.workspaces is not None
    hosted.slack.wait_for(lambda: hosted.deps.workspaces.installed() == {TWO})  # type: ignore[union-attr]
    with pytest.raises(NotInstalled):
        hosted.deps.slack_for(ONE)
    assert run_pass(hosted.deps, MORNING).sent == 1
    [token] = digests_by_token(hosted.slack)
    assert token in hosted.slack.tokens_of(TWO)
    # A reinstall stores new tokens, and sending resumes.
    assert hosted.install(ONE)[0] == 200
    assert hosted.deps.workspaces.installed() == {ONE, TWO}


def test_a_rotating_token_is_refreshed_before_it_expires(hosted: Hosted) -> None:
    hosted.slack.token_lifetime = 60  # due for a refresh at once (within 120 minutes)
    hosted.install(ONE)
    [first] = hosted.slack.tokens_of(ONE)
    client = hosted.deps.slack_for(ONE)
    refreshes = [c for c in hosted.slack.calls_to("oauth.v2.access") if c.params.get("grant_type")]
    assert len(refreshes) == 1
    assert client.token != first and client.token in hosted.slack.tokens_of(ONE)


def test_rekey_reencrypts_every_token(hosted: Hosted, db: Database) -> None:
    hosted.install(ONE)
    new = Fernet.generate_key().decode()
    assert rekey(db.engine, KEY, new) == 2  # the bot row and the installation row
    store = InstallationStore("1234.5678", db.engine, new)
    bot = store.latest_bot(ONE)
    assert bot is not None and bot.bot_token in hosted.slack.tokens_of(ONE)
    with pytest.raises(ValueError, match="old key"):
        rekey(db.engine, KEY, new)


def test_touchbase_tokens_rekey(
    hosted: Hosted,
    db: Database,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli import main

    hosted.install(ONE)
    assert main(["tokens", "newkey"]) == 0
    new = capsys.readouterr().out.strip()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TOUCHBASE_TOKEN_KEY", KEY)
    monkeypatch.setenv("TOUCHBASE_NEW_TOKEN_KEY", "not-a-key")
    assert main(["tokens", "rekey"]) == 2
    assert capsys.readouterr().err.startswith("touchbase: TOUCHBASE_NEW_TOKEN_KEY should be")
    monkeypatch.setenv("TOUCHBASE_NEW_TOKEN_KEY", new)
    assert main(["tokens", "rekey"]) == 0
    assert "Re-encrypted 2 stored installations" in capsys.readouterr().out
    bot = InstallationStore("1234.5678", db.engine, new).latest_bot(ONE)
    assert bot is not None and bot.bot_token in hosted.slack.tokens_of(ONE)
    # Run again with the old key: refused, nothing changed.
    assert main(["tokens", "rekey"]) == 1
    assert "nothing was changed" in capsys.readouterr().err


def test_a_request_acts_only_for_its_own_workspace(hosted: Hosted) -> None:
    hosted.install(ONE)
    hosted.install(TWO)
    installed_with = calls_with(hosted, ONE)
    add_client(hosted.deps.db, "Acme Insurance", owner="U0SAM", team=ONE)
    add_client(hosted.deps.db, "Brightside Bakery", owner="U0SAM", team=TWO)
    # From TWO, naming ONE's client: nothing is logged in ONE, nor in TWO.
    command(hosted, TWO, "acme insurance called about the claim")
    assert touches(hosted.deps.db, ONE) == [] and touches(hosted.deps.db, TWO) == []
    # Its own client: logged in its own workspace only.
    command(hosted, TWO, "brightside bakery called about the claim")
    assert [name for name, _, _ in touches(hosted.deps.db, TWO)] == ["Brightside Bakery"]
    assert touches(hosted.deps.db, ONE) == []
    # A workspace that never installed Touchbase gets nowhere.
    body = slack_requests.slash_command_body(
        command="/touch",
        text="acme insurance called",
        user_id="U0SAM",
        team_id="T0NEVER",
        response_url=hosted.slack.response_url("never"),
    )
    assert slack_requests.post(hosted.url + "/slack/events", body, SECRET)[0] == 200
    assert touches(hosted.deps.db, ONE) == []
    # No Web API call of those requests used ONE's token (only its own install did).
    assert calls_with(hosted, ONE) == installed_with


def test_a_burst_of_requests_costs_one_auth_test_per_workspace(hosted: Hosted) -> None:
    hosted.install(ONE)
    hosted.install(TWO)
    installs = len(hosted.slack.calls_to("auth.test"))  # the install flow's own, one each
    for team in (ONE, TWO):
        add_client(hosted.deps.db, "Acme Insurance", owner="U0SAM", team=team)
    for n in range(4):
        for team in (ONE, TWO):
            command(hosted, team, f"acme insurance called about claim {n}")
    assert len(touches(hosted.deps.db, ONE)) == len(touches(hosted.deps.db, TWO)) == 4
    # Bolt authorizes each request with the workspace's token; auth.test once per token.
    checked = [c.token for c in hosted.slack.calls_to("auth.test")[installs:]]
    assert len(checked) == 2
    assert {t in hosted.slack.tokens_of(ONE) for t in checked} == {True, False}


def test_a_request_with_an_expiring_token_refreshes_it_once_and_stores_it_encrypted(
    hosted: Hosted,
) -> None:
    hosted.slack.token_lifetime = 60  # the install's token is due for a refresh at once
    hosted.install(ONE)
    [first] = hosted.slack.tokens_of(ONE)
    hosted.slack.token_lifetime = 43200  # the refreshed one isn't
    add_client(hosted.deps.db, "Acme Insurance", owner="U0SAM", team=ONE)
    # Requests arriving together: one refresh (a refresh token works once), all served.
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda n: command(hosted, ONE, f"acme insurance call {n}"), range(4)))
    assert len(touches(hosted.deps.db, ONE)) == 4
    assert refreshes(hosted.slack) == 1
    [fresh] = hosted.slack.tokens_of(ONE) - {first}
    assert hosted.slack.calls_to("users.info")[-1].token == fresh
    assert hosted.deps.workspaces is not None
    bot = hosted.deps.workspaces.store.latest_bot(ONE)
    assert bot is not None and bot.bot_token == fresh
    with hosted.deps.db.engine.connect() as connection:
        stored = connection.execute(select(SLACK_BOTS.c.bot_token)).scalars().all()
    assert stored and not any(fresh in value or first in value for value in stored)


def test_a_tokens_check_holds_for_its_period_and_an_uninstall_ends_it_at_once(
    hosted: Hosted,
) -> None:
    hosted.install(ONE)
    assert hosted.deps.workspaces is not None
    now = [0.0]
    authorize = WorkspaceAuthorize(hosted.deps.workspaces, seconds=600, clock=lambda: now[0])
    context = BoltContext(client=hosted.deps.slack)
    installs = len(hosted.slack.calls_to("auth.test"))

    def check() -> AuthorizeResult | None:
        return authorize(context=context, enterprise_id=None, team_id=ONE, user_id="U0SAM")

    result = check()
    assert result is not None and result.team_id == ONE
    assert result.bot_token in hosted.slack.tokens_of(ONE)
    now[0] = 599
    check()
    assert len(hosted.slack.calls_to("auth.test")) == installs + 1
    now[0] = 600
    check()
    assert len(hosted.slack.calls_to("auth.test")) == installs + 2
    hosted.deps.workspaces.store.delete_all(enterprise_id=None, team_id=ONE)
    assert check() is None
