"""Settings, read from the environment once at start-up and passed down.

Every problem names the variable and what is expected, so `main` can print one line and exit 2.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.core.model import WorkspaceDefaults
from bot.core.reps import known_zone
from bot.core.user_text import is_channel_id, is_user_id

SLACK_API_DEFAULT = "https://slack.com/api/"
SLACK_AUTHORIZE_DEFAULT = "https://slack.com/oauth/v2/authorize"
# The bot scopes an OAuth install asks for: app_manifest.yml's, which tests/test_manifest.py
# keeps equal to what the code calls.
BOT_SCOPES = ("channels:join", "chat:write", "commands", "users:read", "users:read.email")
DATABASE_DEFAULT = "sqlite:///touchbase.db"
LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


# A live PostgreSQL answers within the statement timeout, if only to cancel the statement.
REPLY_GRACE_SECONDS = 1


@dataclass(frozen=True)
class Timeouts:
    """How long each kind of database wait may last, in seconds.

    connect: a new connection (psycopg counts it per address tried).
    statement: one statement, cancelled by PostgreSQL itself (statement_timeout).
    lock: waiting for a row or table lock (PostgreSQL's lock_timeout, SQLite's busy timeout).
    idle_in_transaction: PostgreSQL ends a session left idle inside a transaction this long,
        so a client that vanished mid-transaction doesn't hold its locks.
    pool: waiting for a free connection in the pool.
    """

    connect: int = 3
    statement: int = 5
    lock: int = 3
    idle_in_transaction: int = 30
    pool: int = 5

    @property
    def reply(self) -> int:
        """How long the client waits for any answer from PostgreSQL before dropping the
        connection. Past the statement timeout the server is unreachable or hung, and TCP may
        never say so: a silent peer whose host still acknowledges packets looks alive."""
        return self.statement + REPLY_GRACE_SECONDS


class ConfigError(Exception):
    def __init__(self, variable: str, expected: str) -> None:
        super().__init__(f"{variable} {expected}")
        self.variable = variable
        self.expected = expected


@dataclass(frozen=True)
class Settings:
    bot_token: str
    signing_secret: str
    app_token: str | None = None
    # OAuth mode (many workspaces): set instead of bot_token; see `oauth`.
    client_id: str | None = None
    client_secret: str | None = None
    scopes: tuple[str, ...] = BOT_SCOPES
    # The Fernet key that encrypts the stored tokens at rest (OAuth mode).
    token_key: str | None = None
    authorize_url: str = SLACK_AUTHORIZE_DEFAULT
    database_url: str = DATABASE_DEFAULT
    slack_api_url: str = SLACK_API_DEFAULT
    recap_channel: str | None = None
    timezone: str = "UTC"
    admins: frozenset[str] = field(default_factory=frozenset)
    nudge_interval_minutes: int = 15
    # Days after the app is uninstalled before the workspace's data is purged.
    purge_after_days: int = 30
    port: int = 3000
    # Where `touchbase scheduler` (and `serve` in Socket Mode) serves /metrics; None: nowhere.
    metrics_port: int | None = None
    # The server's public base URL, such as https://touchbase.example.com, for calendar feed
    # links; None: no links are made.
    public_url: str | None = None
    # Database waits, in seconds (see Timeouts).
    # Seconds to wait for Slack's answer to one Web API call.
    slack_timeout: int = 10
    db_connect_timeout: int = 3
    db_statement_timeout: int = 5
    db_batch_statement_timeout: int = 60
    db_lock_timeout: int = 3
    db_idle_in_transaction_timeout: int = 30
    db_pool_timeout: int = 5

    @property
    def oauth(self) -> bool:
        """Many workspaces, each installed through Slack's OAuth flow, each with its own token;
        else the one workspace of SLACK_BOT_TOKEN."""
        return self.client_id is not None

    @property
    def defaults(self) -> WorkspaceDefaults:
        """What a workspace's unset recap channel, time zone and admins mean: the environment's
        values for the one workspace; in OAuth mode, each workspace sets its own."""
        if self.oauth:
            return WorkspaceDefaults()
        return WorkspaceDefaults(self.recap_channel, self.timezone, self.admins)

    def db_timeouts(self, *, batch: bool = False) -> Timeouts:
        """The web's limits, or a batch job's: the scheduler's passes and the CLI's imports and
        exports read whole books, which a big one can't do in the seconds a rep waits for."""
        return Timeouts(
            connect=self.db_connect_timeout,
            statement=self.db_batch_statement_timeout if batch else self.db_statement_timeout,
            lock=self.db_lock_timeout,
            idle_in_transaction=self.db_idle_in_transaction_timeout,
            pool=self.db_pool_timeout,
        )


@dataclass(frozen=True)
class LogSettings:
    format: str = "text"  # or "json": one object per line, for a log shipper
    level: str = "INFO"


def log_settings(env: Mapping[str, str]) -> LogSettings:
    """How to log, read before anything else so that every line is in the chosen format."""
    format = env.get("TOUCHBASE_LOG_FORMAT", "").strip().lower() or "text"
    if format not in LOG_FORMATS:
        raise ConfigError("TOUCHBASE_LOG_FORMAT", "should be text or json")
    level = env.get("TOUCHBASE_LOG_LEVEL", "").strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        raise ConfigError("TOUCHBASE_LOG_LEVEL", f"should be one of {', '.join(LOG_LEVELS)}")
    return LogSettings(format, level)


def load(env: Mapping[str, str], *, needs_slack: bool = True) -> Settings:
    """Build Settings from `env`. Commands that never talk to Slack pass needs_slack=False."""

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    bot_token = get("SLACK_BOT_TOKEN")
    signing_secret = get("SLACK_SIGNING_SECRET")
    client_id, client_secret = get("SLACK_CLIENT_ID"), get("SLACK_CLIENT_SECRET")
    oauth = client_id is not None or client_secret is not None
    if bot_token is not None and oauth:
        raise ConfigError(
            "SLACK_BOT_TOKEN",
            "is set, and so is SLACK_CLIENT_ID/SLACK_CLIENT_SECRET; set the bot token for one "
            "workspace, or the client ID and secret for many, not both",
        )
    if oauth and (client_id is None or client_secret is None):
        missing = "SLACK_CLIENT_ID" if client_id is None else "SLACK_CLIENT_SECRET"
        raise ConfigError(missing, "is not set; OAuth mode needs the app's client ID and secret")
    if needs_slack:
        if bot_token is None and not oauth:
            raise ConfigError(
                "SLACK_BOT_TOKEN",
                "is not set; expected the bot token (xoxb-…), or SLACK_CLIENT_ID and "
                "SLACK_CLIENT_SECRET to serve many workspaces",
            )
        if signing_secret is None:
            raise ConfigError(
                "SLACK_SIGNING_SECRET", "is not set; expected the app's signing secret"
            )
    if bot_token is not None and not bot_token.startswith("xoxb-"):
        raise ConfigError("SLACK_BOT_TOKEN", "should be a bot token starting with xoxb-")

    app_token = get("SLACK_APP_TOKEN")
    if app_token is not None and not app_token.startswith("xapp-"):
        raise ConfigError("SLACK_APP_TOKEN", "should be an app-level token starting with xapp-")

    scopes: tuple[str, ...] = BOT_SCOPES
    if raw_scopes := get("SLACK_SCOPES"):
        scopes = tuple(s for s in re.split(r"[\s,]+", raw_scopes) if s)
    token_key = get("TOUCHBASE_TOKEN_KEY")
    if oauth and token_key is None:
        raise ConfigError(
            "TOUCHBASE_TOKEN_KEY",
            "is not set; OAuth mode encrypts the stored tokens with this Fernet key "
            "(make one with `touchbase tokens newkey`)",
        )
    if token_key is not None and not fernet_key(token_key):
        raise ConfigError(
            "TOUCHBASE_TOKEN_KEY", "should be a Fernet key (32 bytes, url-safe base64)"
        )
    authorize_url = get("SLACK_AUTHORIZE_URL") or SLACK_AUTHORIZE_DEFAULT
    if not re.match(r"^https?://[^/\s]+", authorize_url):
        raise ConfigError(
            "SLACK_AUTHORIZE_URL", "should be the http(s):// URL of Slack's authorize page"
        )

    database_url = get("DATABASE_URL") or DATABASE_DEFAULT
    # Only the drivers that are installed: pysqlite, and psycopg 3 for PostgreSQL.
    if not re.match(r"^(sqlite(\+pysqlite)?|postgres|postgresql(\+psycopg)?)://", database_url):
        raise ConfigError(
            "DATABASE_URL", "should start with sqlite://, postgres:// or postgresql://"
        )
    try:
        make_url(database_url)
    except (ArgumentError, ValueError):
        raise ConfigError(
            "DATABASE_URL", "isn't a valid database URL; expected e.g. postgresql://user@host/db"
        ) from None

    slack_api_url = get("SLACK_API_URL") or SLACK_API_DEFAULT
    if not re.match(r"^https?://[^/\s]+", slack_api_url):
        raise ConfigError("SLACK_API_URL", "should be an http(s):// URL of the Slack Web API")
    if not slack_api_url.endswith("/"):
        slack_api_url += "/"

    recap_channel = get("TOUCHBASE_RECAP_CHANNEL")
    if recap_channel is not None and not is_channel_id(recap_channel):
        raise ConfigError(
            "TOUCHBASE_RECAP_CHANNEL", "should be a channel ID such as C0123ABCD, not a name"
        )

    timezone = get("TOUCHBASE_TIMEZONE") or "UTC"
    if not known_zone(timezone):
        raise ConfigError("TOUCHBASE_TIMEZONE", "should be a time zone name such as Europe/London")

    public_url = get("TOUCHBASE_PUBLIC_URL")
    if public_url is not None:
        if not re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", public_url):
            raise ConfigError(
                "TOUCHBASE_PUBLIC_URL",
                "should be the server's public http(s):// base URL, such as "
                "https://touchbase.example.com",
            )
        public_url = public_url.rstrip("/")

    admins = frozenset(a for a in re.split(r"[\s,]+", get("TOUCHBASE_ADMINS") or "") if a)
    if bad := sorted(a for a in admins if not is_user_id(a)):
        raise ConfigError(
            "TOUCHBASE_ADMINS", f"should list Slack user IDs separated by commas ({bad[0]} isn't)"
        )

    if oauth:
        # Each workspace sets its own: in OAuth mode these would be ignored without a word.
        for variable in ("TOUCHBASE_RECAP_CHANNEL", "TOUCHBASE_TIMEZONE", "TOUCHBASE_ADMINS"):
            if get(variable) is not None:
                raise ConfigError(
                    variable,
                    "is set, but in OAuth mode each workspace sets its own from its Home tab's "
                    "Admin section (or `touchbase settings --team T…`); unset it",
                )

    return Settings(
        bot_token=bot_token or "",
        signing_secret=signing_secret or "",
        app_token=app_token,
        client_id=client_id,
        client_secret=client_secret,
        scopes=scopes,
        token_key=token_key,
        authorize_url=authorize_url,
        database_url=database_url,
        slack_api_url=slack_api_url,
        recap_channel=recap_channel,
        timezone=timezone,
        admins=admins,
        nudge_interval_minutes=_int(env, "TOUCHBASE_NUDGE_INTERVAL_MINUTES", 15, 1, 1440),
        purge_after_days=_int(env, "TOUCHBASE_PURGE_AFTER_DAYS", 30, 1, 365),
        port=_int(env, "PORT", 3000, 1, 65535),
        metrics_port=_int(env, "TOUCHBASE_METRICS_PORT", 0, 1, 65535) or None,
        public_url=public_url,
        # psycopg waits at least 2 seconds for a connection, whatever it is told.
        slack_timeout=_int(env, "TOUCHBASE_SLACK_TIMEOUT", 10, 1, 60),
        db_connect_timeout=_int(env, "TOUCHBASE_DB_CONNECT_TIMEOUT", 3, 2, 60),
        db_statement_timeout=_int(env, "TOUCHBASE_DB_STATEMENT_TIMEOUT", 5, 1, 600),
        db_batch_statement_timeout=_int(env, "TOUCHBASE_DB_BATCH_STATEMENT_TIMEOUT", 60, 1, 3600),
        db_lock_timeout=_int(env, "TOUCHBASE_DB_LOCK_TIMEOUT", 3, 1, 600),
        db_idle_in_transaction_timeout=_int(
            env, "TOUCHBASE_DB_IDLE_IN_TRANSACTION_TIMEOUT", 30, 1, 3600
        ),
        db_pool_timeout=_int(env, "TOUCHBASE_DB_POOL_TIMEOUT", 5, 1, 600),
    )


def fernet_key(key: str) -> bool:
    """Whether `key` is a Fernet key: 32 bytes in url-safe base64."""
    try:
        Fernet(key)
    except ValueError:
        return False
    return True


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise ConfigError(name, f"should be a whole number from {low} to {high}")
    return int(raw)
