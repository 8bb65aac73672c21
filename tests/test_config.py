"""Settings from the environment: defaults, parsing, and one clear error per bad variable."""

from __future__ import annotations

import pytest

from bot.config import (
    DATABASE_DEFAULT,
    SLACK_API_DEFAULT,
    ConfigError,
    LogSettings,
    Settings,
    Timeouts,
    load,
    log_settings,
)

BASE = {"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_SIGNING_SECRET": "s3cret"}


def env(**values: str) -> dict[str, str]:
    return {**BASE, **values}


def config_error(values: dict[str, str], *, needs_slack: bool = True) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load(values, needs_slack=needs_slack)
    return caught.value


def test_defaults() -> None:
    assert load(BASE) == Settings(
        bot_token="xoxb-1-2-abc",
        signing_secret="s3cret",
        app_token=None,
        database_url=DATABASE_DEFAULT,
        slack_api_url=SLACK_API_DEFAULT,
        recap_channel=None,
        timezone="UTC",
        admins=frozenset(),
        nudge_interval_minutes=15,
        port=3000,
    )
    assert DATABASE_DEFAULT == "sqlite:///touchbase.db"
    assert SLACK_API_DEFAULT == "https://slack.com/api/"


def test_database_waits_are_bounded_by_default() -> None:
    settings = load(BASE)
    web = Timeouts(connect=3, statement=5, lock=3, idle_in_transaction=30, pool=5)
    assert settings.db_timeouts() == web
    # The scheduler's passes and the CLI's jobs read whole books: only statements get longer.
    assert settings.db_timeouts(batch=True) == Timeouts(
        connect=3, statement=60, lock=3, idle_in_transaction=30, pool=5
    )


def test_every_setting_is_read() -> None:
    settings = load(
        env(
            SLACK_APP_TOKEN="xapp-1-A0-xyz",
            DATABASE_URL="postgres://u:p@db.example.com:5432/touchbase",
            SLACK_API_URL="http://127.0.0.1:8000/api",
            TOUCHBASE_RECAP_CHANNEL="C0123ABCD",
            TOUCHBASE_TIMEZONE="Europe/London",
            TOUCHBASE_ADMINS="U0SAM, U0PRIYA,,W0ENT",
            TOUCHBASE_NUDGE_INTERVAL_MINUTES="5",
            TOUCHBASE_PURGE_AFTER_DAYS="90",
            PORT="8080",
            TOUCHBASE_DB_CONNECT_TIMEOUT="4",
            TOUCHBASE_DB_STATEMENT_TIMEOUT="8",
            TOUCHBASE_DB_BATCH_STATEMENT_TIMEOUT="120",
            TOUCHBASE_DB_LOCK_TIMEOUT="2",
            TOUCHBASE_DB_IDLE_IN_TRANSACTION_TIMEOUT="45",
            TOUCHBASE_DB_POOL_TIMEOUT="6",
            TOUCHBASE_SLACK_TIMEOUT="3",
            TOUCHBASE_METRICS_PORT="9102",
        )
    )
    assert settings.slack_timeout == 3
    assert settings.metrics_port == 9102
    assert settings.db_timeouts() == Timeouts(
        connect=4, statement=8, lock=2, idle_in_transaction=45, pool=6
    )
    assert settings.db_timeouts(batch=True).statement == 120
    assert settings.app_token == "xapp-1-A0-xyz"
    assert settings.database_url == "postgres://u:p@db.example.com:5432/touchbase"
    assert settings.slack_api_url == "http://127.0.0.1:8000/api/"  # a trailing slash is added
    assert settings.recap_channel == "C0123ABCD"
    assert settings.timezone == "Europe/London"
    assert settings.admins == frozenset({"U0SAM", "U0PRIYA", "W0ENT"})
    assert settings.nudge_interval_minutes == 5
    assert settings.purge_after_days == 90
    assert settings.port == 8080


def test_blank_values_mean_the_default() -> None:
    settings = load(
        env(
            SLACK_APP_TOKEN=" ",
            DATABASE_URL="",
            SLACK_API_URL="",
            TOUCHBASE_RECAP_CHANNEL="",
            TOUCHBASE_TIMEZONE="  ",
            TOUCHBASE_ADMINS="",
            TOUCHBASE_NUDGE_INTERVAL_MINUTES="",
            TOUCHBASE_PURGE_AFTER_DAYS="",
            PORT=" ",
            TOUCHBASE_DB_CONNECT_TIMEOUT="",
            TOUCHBASE_DB_STATEMENT_TIMEOUT=" ",
            TOUCHBASE_DB_BATCH_STATEMENT_TIMEOUT="",
            TOUCHBASE_DB_LOCK_TIMEOUT="",
            TOUCHBASE_DB_IDLE_IN_TRANSACTION_TIMEOUT="",
            TOUCHBASE_DB_POOL_TIMEOUT="",
            TOUCHBASE_METRICS_PORT="",
        )
    )
    assert settings == load(BASE)
    assert settings.metrics_port is None  # no metrics server


def test_values_are_trimmed() -> None:
    settings = load(
        {
            "SLACK_BOT_TOKEN": " xoxb-1 \n",
            "SLACK_SIGNING_SECRET": "\ts3cret ",
            "PORT": " 80 ",
            "TOUCHBASE_TIMEZONE": " Asia/Tokyo ",
        }
    )
    assert (settings.bot_token, settings.signing_secret) == ("xoxb-1", "s3cret")
    assert (settings.port, settings.timezone) == (80, "Asia/Tokyo")


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///touchbase.db",
        "sqlite:////var/lib/touchbase/touchbase.db",
        "sqlite+pysqlite:///x.db",
        "postgres://user:pw@host/db",
        "postgresql://user@127.0.0.1:5432/test",
        "postgresql+psycopg://user@host/db?sslmode=require",
    ],
)
def test_database_urls_accepted(url: str) -> None:
    assert load(env(DATABASE_URL=url)).database_url == url


@pytest.mark.parametrize(
    "url",
    [
        "mysql://user@host/db",
        "touchbase.db",
        "sqlite:/touchbase.db",
        "postgresql//host/db",
        "https://db.example.com",
        # Drivers that aren't installed would fail later with a traceback.
        "postgresql+psycopg2://user@host/db",
        "postgres+psycopg://user@host/db",
        # A port that isn't a number.
        "postgresql://user@host:five432/db",
    ],
)
def test_malformed_database_urls(url: str) -> None:
    error = config_error(env(DATABASE_URL=url))
    assert error.variable == "DATABASE_URL"
    assert "postgresql://" in error.expected
    assert str(error).startswith("DATABASE_URL ")


def test_slack_tokens_are_required_when_talking_to_slack() -> None:
    error = config_error({"SLACK_SIGNING_SECRET": "s"})
    assert (error.variable, "xoxb-" in error.expected) == ("SLACK_BOT_TOKEN", True)
    error = config_error({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "  "})
    assert error.variable == "SLACK_SIGNING_SECRET"


def test_database_commands_need_no_slack_settings() -> None:
    settings = load({"DATABASE_URL": "sqlite:///x.db"}, needs_slack=False)
    assert (settings.bot_token, settings.signing_secret) == ("", "")
    assert settings.database_url == "sqlite:///x.db"
    # ...but a bad value is still refused.
    assert config_error({"SLACK_BOT_TOKEN": "xoxp-1"}, needs_slack=False).variable == (
        "SLACK_BOT_TOKEN"
    )
    assert config_error({"DATABASE_URL": "mysql://x"}, needs_slack=False).variable == (
        "DATABASE_URL"
    )


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "xoxb-"),
        ("SLACK_APP_TOKEN", "xoxb-not-an-app-token", "xapp-"),
        ("SLACK_API_URL", "slack.com/api", "http"),
        ("SLACK_API_URL", "ftp://slack.com/api/", "http"),
        ("TOUCHBASE_RECAP_CHANNEL", "#general", "channel ID"),
        ("TOUCHBASE_RECAP_CHANNEL", "general", "channel ID"),
        ("TOUCHBASE_RECAP_CHANNEL", "U0SAM", "channel ID"),
        ("TOUCHBASE_TIMEZONE", "Mars/Olympus_Mons", "Europe/London"),
        ("TOUCHBASE_TIMEZONE", "../../etc/passwd", "Europe/London"),
        ("TOUCHBASE_TIMEZONE", "America", "Europe/London"),
        ("TOUCHBASE_ADMINS", "U0SAM,@priya", "@priya"),
        ("TOUCHBASE_ADMINS", "sam", "sam"),
        ("TOUCHBASE_NUDGE_INTERVAL_MINUTES", "0", "1 to 1440"),
        ("TOUCHBASE_NUDGE_INTERVAL_MINUTES", "1441", "1 to 1440"),
        ("TOUCHBASE_NUDGE_INTERVAL_MINUTES", "15m", "1 to 1440"),
        ("TOUCHBASE_PURGE_AFTER_DAYS", "0", "1 to 365"),
        ("TOUCHBASE_PURGE_AFTER_DAYS", "366", "1 to 365"),
        ("TOUCHBASE_PURGE_AFTER_DAYS", "30d", "1 to 365"),
        ("PORT", "0", "1 to 65535"),
        ("PORT", "65536", "1 to 65535"),
        ("PORT", "-1", "1 to 65535"),
        ("PORT", "3000.0", "1 to 65535"),
        ("PORT", "http", "1 to 65535"),
        ("PORT", "²", "1 to 65535"),  # a digit to str.isdigit, not to int()
        ("PORT", "٣٠٠٠", "1 to 65535"),  # Arabic-Indic digits
        # psycopg waits at least 2 seconds for a connection, whatever it is told.
        ("TOUCHBASE_DB_CONNECT_TIMEOUT", "1", "2 to 60"),
        ("TOUCHBASE_DB_CONNECT_TIMEOUT", "61", "2 to 60"),
        ("TOUCHBASE_DB_STATEMENT_TIMEOUT", "0", "1 to 600"),  # 0 would mean no limit at all
        ("TOUCHBASE_DB_STATEMENT_TIMEOUT", "5s", "1 to 600"),
        ("TOUCHBASE_DB_STATEMENT_TIMEOUT", "2.5", "1 to 600"),
        ("TOUCHBASE_DB_BATCH_STATEMENT_TIMEOUT", "0", "1 to 3600"),
        ("TOUCHBASE_DB_BATCH_STATEMENT_TIMEOUT", "3601", "1 to 3600"),
        ("TOUCHBASE_DB_LOCK_TIMEOUT", "0", "1 to 600"),
        ("TOUCHBASE_DB_LOCK_TIMEOUT", "-3", "1 to 600"),
        ("TOUCHBASE_DB_IDLE_IN_TRANSACTION_TIMEOUT", "0", "1 to 3600"),
        ("TOUCHBASE_DB_IDLE_IN_TRANSACTION_TIMEOUT", "forever", "1 to 3600"),
        ("TOUCHBASE_DB_POOL_TIMEOUT", "0", "1 to 600"),
        ("TOUCHBASE_DB_POOL_TIMEOUT", "601", "1 to 600"),
        ("TOUCHBASE_SLACK_TIMEOUT", "0", "1 to 60"),
        ("TOUCHBASE_SLACK_TIMEOUT", "61", "1 to 60"),
        ("TOUCHBASE_METRICS_PORT", "0", "1 to 65535"),
        ("TOUCHBASE_METRICS_PORT", "metrics", "1 to 65535"),
        ("TOUCHBASE_PUBLIC_URL", "touchbase.example.com", "public http(s):// base URL"),
        ("TOUCHBASE_PUBLIC_URL", "ftp://touchbase.example.com", "public http(s):// base URL"),
        ("TOUCHBASE_PUBLIC_URL", "https://touchbase.example.com/?x=1", "public http(s)://"),
    ],
)
def test_malformed_settings_name_the_variable(variable: str, value: str, expected: str) -> None:
    error = config_error(env(**{variable: value}))
    assert error.variable == variable
    assert expected in error.expected
    message = str(error)
    assert message == f"{variable} {error.expected}"
    assert "\n" not in message


def test_the_public_url_builds_links_without_a_trailing_slash() -> None:
    assert load(BASE).public_url is None
    url = "https://touchbase.example.com/"
    assert load(env(TOUCHBASE_PUBLIC_URL=url)).public_url == "https://touchbase.example.com"
    behind = "https://apps.example.com/touchbase"
    assert load(env(TOUCHBASE_PUBLIC_URL=behind)).public_url == behind


def test_limits_are_inclusive() -> None:
    assert load(env(PORT="1")).port == 1
    assert load(env(PORT="65535")).port == 65535
    assert load(env(TOUCHBASE_NUDGE_INTERVAL_MINUTES="1440")).nudge_interval_minutes == 1440


def test_load_reads_only_the_mapping_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "not-a-port")
    monkeypatch.setenv("DATABASE_URL", "mysql://nope")
    assert load(BASE) == load(dict(BASE))


def test_log_settings() -> None:
    assert log_settings({}) == LogSettings(format="text", level="INFO")
    assert log_settings({"TOUCHBASE_LOG_FORMAT": " JSON ", "TOUCHBASE_LOG_LEVEL": "debug"}) == (
        LogSettings(format="json", level="DEBUG")
    )
    for variable, value in (("TOUCHBASE_LOG_FORMAT", "xml"), ("TOUCHBASE_LOG_LEVEL", "loud")):
        with pytest.raises(ConfigError) as caught:
            log_settings({variable: value})
        assert caught.value.variable == variable


OAUTH = {
    "SLACK_CLIENT_ID": "1234.5678",
    "SLACK_CLIENT_SECRET": "client-secret",
    "SLACK_SIGNING_SECRET": "s3cret",
    "TOUCHBASE_TOKEN_KEY": "l2tRSBd4jfObxhKwKDEs_XOyHBG6U8D_SC8SYQYhD7k=",
}


def test_oauth_mode_is_the_client_id_and_secret_instead_of_a_bot_token() -> None:
    settings = load(OAUTH)
    assert settings.oauth and settings.bot_token == ""
    assert settings.scopes == (
        "channels:join",
        "chat:write",
        "commands",
        "users:read",
        "users:read.email",
    )
    assert settings.authorize_url == "https://slack.com/oauth/v2/authorize"
    assert not load(BASE).oauth
    assert load({**OAUTH, "SLACK_SCOPES": "chat:write, commands"}).scopes == (
        "chat:write",
        "commands",
    )


@pytest.mark.parametrize(
    ("values", "variable", "says"),
    [
        ({**OAUTH, "SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_BOT_TOKEN", "not both"),
        ({"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN", "SLACK_CLIENT_ID"),
        ({**OAUTH, "SLACK_CLIENT_SECRET": ""}, "SLACK_CLIENT_SECRET", "client ID and secret"),
        ({**OAUTH, "TOUCHBASE_TOKEN_KEY": ""}, "TOUCHBASE_TOKEN_KEY", "Fernet key"),
        ({**OAUTH, "TOUCHBASE_TOKEN_KEY": "not-a-key"}, "TOUCHBASE_TOKEN_KEY", "Fernet key"),
        ({**OAUTH, "SLACK_AUTHORIZE_URL": "slack.com"}, "SLACK_AUTHORIZE_URL", "http(s)://"),
    ],
)
def test_both_modes_or_neither_is_one_clear_line(
    values: dict[str, str], variable: str, says: str
) -> None:
    error = config_error(values)
    assert error.variable == variable and says in error.expected
    assert "\n" not in str(error)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TOUCHBASE_RECAP_CHANNEL", "C0123ABCD"),
        ("TOUCHBASE_TIMEZONE", "Europe/London"),
        ("TOUCHBASE_ADMINS", "U0123ABCD"),
    ],
)
def test_one_workspaces_settings_in_the_environment_are_refused_in_oauth_mode(
    variable: str, value: str
) -> None:
    """They would be ignored: each workspace sets its own, so saying so beats a silent no-op."""
    error = config_error({**OAUTH, variable: value})
    assert error.variable == variable
    assert error.expected == (
        "is set, but in OAuth mode each workspace sets its own from its Home tab's Admin "
        "section (or `touchbase settings --team T…`); unset it"
    )
    assert load({**BASE, variable: value}).defaults != load(BASE).defaults
