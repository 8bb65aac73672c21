"""`touchbase settings` and the other one-workspace commands in both modes: --team names the
workspace, which OAuth mode requires and checks; the recap channel, time zone and admins are
set and refused like every other setting."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.core.model import WorkspaceDefaults, WorkspaceSettings
from bot.db import repository as repo
from bot.db.engine import Database
from bot.devtools.standin import SlackStandIn
from tests.conftest import SECRET, TEAM, TOKEN
from tests.helpers import add_client
from tests.slack.hosting import KEY, ONE, TWO, Hosted


@pytest.fixture
def oauth_env(hosted: Hosted, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Hosted:
    """The environment of a deployment serving many workspaces, with ONE and TWO installed."""
    for team in (ONE, TWO):
        assert hosted.install(team)[0] == 200
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    for name, value in {
        "SLACK_CLIENT_ID": "1234.5678",
        "SLACK_CLIENT_SECRET": "client-secret",
        "SLACK_SIGNING_SECRET": SECRET,
        "TOUCHBASE_TOKEN_KEY": KEY,
        "SLACK_API_URL": hosted.slack.api_url,
        "DATABASE_URL": database_url,
    }.items():
        monkeypatch.setenv(name, value)
    return hosted


def stored(db: Database, team: str) -> WorkspaceSettings:
    with db.transaction() as session:
        return repo.workspace_settings(session, team)


def test_oauth_mode_needs_team_and_an_installed_one(
    oauth_env: Hosted, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in (
        ["settings", "timezone", "Europe/London"],
        ["export", "clients"],
        ["import", "clients", "x.csv"],
        ["recap", "--dry-run"],
        ["audit"],
    ):
        assert main(command) == 2, command
        assert capsys.readouterr().err == (
            "touchbase: Touchbase serves many workspaces here (OAuth mode): say which with "
            "--team, such as --team T0123ABCD\n"
        )
    assert main(["settings", "--team", "T0NOPE", "timezone", "Europe/London"]) == 2
    assert capsys.readouterr().err == "touchbase: Touchbase isn't installed in workspace T0NOPE\n"
    with pytest.raises(SystemExit) as usage:
        main(["export", "clients", "--team", "not-a-team"])
    assert usage.value.code == 2
    assert "isn't a workspace ID such as T0123ABCD" in capsys.readouterr().err


def test_settings_sets_recap_channel_zone_and_admins_for_one_workspace(
    oauth_env: Hosted, db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in (
        ("recap_channel", "C0ONEWINS"),
        ("timezone", "Europe/London"),
        ("admins", "U0PRIYA, U0ANN"),
    ):
        assert main(["settings", "--team", ONE, key, value]) == 0
    out = capsys.readouterr().out
    assert "recap_channel        C0ONEWINS" in out and "admins               U0ANN,U0PRIYA" in out
    one = stored(db, ONE)
    assert (one.recap_channel, one.timezone, one.admins) == (
        "C0ONEWINS",
        "Europe/London",
        frozenset({"U0PRIYA", "U0ANN"}),
    )
    assert stored(db, TWO) == WorkspaceSettings(TWO)  # the other workspace is untouched
    with db.transaction() as session:
        details = [e.detail for e in repo.audit_entries(session, ONE)]
    assert "timezone: default -> Europe/London" in details
    # OAuth mode has no environment defaults: each workspace's own values, or none.
    assert main(["settings", "--team", TWO]) == 0
    assert "In effect: recap channel none, time zone UTC, admins none" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("timezone", "Mars/Olympus_Mons", "Mars/Olympus_Mons isn't a time zone"),
        ("recap_channel", "#wins", "#wins isn't a channel ID"),
        ("admins", "priya", "priya isn't a Slack user ID"),
    ],
)
def test_a_bad_value_is_one_line_and_changes_nothing(
    oauth_env: Hosted,
    db: Database,
    capsys: pytest.CaptureFixture[str],
    key: str,
    value: str,
    says: str,
) -> None:
    assert main(["settings", "--team", ONE, key, value]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"touchbase: {says}")
    assert stored(db, ONE) == WorkspaceSettings(ONE)


def test_export_acts_for_the_workspace_named(
    oauth_env: Hosted, db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    add_client(db, "Acme of One", team=ONE)
    add_client(db, "Bravo of Two", team=TWO)
    assert main(["export", "clients", "--team", TWO]) == 0
    out = capsys.readouterr().out
    assert "Bravo of Two" in out and "Acme of One" not in out


def test_single_workspace_settings_default_to_the_environment(
    slack: SlackStandIn,
    db: Database,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
        "TOUCHBASE_TIMEZONE": "America/Chicago",
        "TOUCHBASE_RECAP_CHANNEL": "C0ENVWINS",
        "TOUCHBASE_ADMINS": "U0ANN",
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["settings"]) == 0  # the bot token's workspace, as before
    assert (
        "In effect: recap channel C0ENVWINS, time zone America/Chicago, admins U0ANN"
        in capsys.readouterr().out
    )
    assert main(["settings", "timezone", "Asia/Tokyo"]) == 0
    capsys.readouterr()
    assert main(["settings"]) == 0
    assert "time zone Asia/Tokyo," in capsys.readouterr().out
    settings = stored(db, TEAM)
    assert settings.timezone == "Asia/Tokyo" and settings.recap_channel is None
    env = WorkspaceDefaults("C0ENVWINS", "America/Chicago", frozenset({"U0ANN"}))
    assert settings.effective_recap_channel(env) == "C0ENVWINS"


def test_recap_posts_one_workspaces_recap_to_its_channel_with_its_token(
    oauth_env: Hosted, db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    oauth_env.slack.add_channel("C0TWOWINS", name="wins-two", is_member=True)
    assert main(["settings", "--team", TWO, "recap_channel", "C0TWOWINS"]) == 0
    assert main(["recap", "--team", ONE]) == 2  # ONE has no channel
    assert capsys.readouterr().err.startswith(f"touchbase: workspace {ONE} has no recap channel")
    assert main(["recap", "--team", TWO, "--now", "2026-11-23T10:00:00Z"]) == 0
    assert "Posted the weekly recap" in capsys.readouterr().out
    [post] = oauth_env.slack.calls_to("chat.postMessage")
    assert post.params["channel"] == "C0TWOWINS"
    assert post.token in oauth_env.slack.tokens_of(TWO)
