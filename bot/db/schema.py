"""ORM tables. They only hold data; the repository turns rows into domain values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so migrations can drop and alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on every database.

    SQLite keeps no zone, so values are stored as naive UTC there and made aware again on
    the way out. A naive value on the way in is a bug, and is refused.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class WorkspaceRow(Base):
    """Per-workspace settings; a missing row means the defaults."""

    __tablename__ = "workspace"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    cadence_a: Mapped[int] = mapped_column(Integer, default=30)
    cadence_b: Mapped[int] = mapped_column(Integer, default=60)
    cadence_c: Mapped[int] = mapped_column(Integer, default=90)
    cadence_untiered: Mapped[int] = mapped_column(Integer, default=60)
    renewal_window_days: Mapped[int] = mapped_column(Integer, default=60)
    nudge_hour: Mapped[int] = mapped_column(Integer, default=9)
    holiday_country: Mapped[str | None] = mapped_column(String(8))
    renudge_days: Mapped[int] = mapped_column(Integer, default=7)
    claim_check_days: Mapped[int] = mapped_column(Integer, default=7)
    date_order: Mapped[str] = mapped_column(String(3), default="MDY", server_default="MDY")
    recap_quotes: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    notes_visible_to: Mapped[str] = mapped_column(String(16), default="team", server_default="team")
    # None: notes are kept.
    note_retention_days: Mapped[int | None] = mapped_column(Integer)
    renewal_alarm_days: Mapped[int] = mapped_column(Integer, default=14, server_default="14")
    # None: the default (bot.core.model.WorkspaceDefaults). `admins` is user IDs, comma-separated.
    recap_channel: Mapped[str | None] = mapped_column(String(32))
    timezone: Mapped[str | None] = mapped_column(String(64))
    admins: Mapped[str | None] = mapped_column(Text)
    # Set when Slack says the app was uninstalled or its token revoked: nothing is sent, and
    # the workspace's data is purged TOUCHBASE_PURGE_AFTER_DAYS later unless it is reinstalled.
    uninstalled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Bumped by every change to the workspace's clients, so each process's name index knows,
    # by one primary-key read, whether it is current (bot.services.name_index).
    book_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class ClientRow(Base):
    __tablename__ = "client"
    __table_args__ = (
        # Names are unique per workspace ignoring case; `name_key` is the folded name.
        UniqueConstraint("team_id", "name_key"),
        Index("ix_client_team_status", "team_id", "status"),
        Index("ix_client_team_owner", "team_id", "owner_id"),
        Index("ix_client_team_changed", "team_id", "changed_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    owner_id: Mapped[str | None] = mapped_column(String(32))
    tier: Mapped[str | None] = mapped_column(String(1))
    renewal_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Set by "Not my client": the rep who handed the client back, for an admin to reassign.
    handed_back_by: Mapped[str | None] = mapped_column(String(32))
    handed_back_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # None: a client since the day it was added (created_at).
    client_since: Mapped[dt.date | None] = mapped_column(Date)
    # The workspace's book_version its last change made.
    changed_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class TouchRow(Base):
    __tablename__ = "touch"
    __table_args__ = (
        # The nudge pass's per-client aggregates (latest touch, value touch, problem, promise
        # and who made it), read from the index alone, in client order: no table lookups and
        # no sort. Its prefix serves a client's recent touches.
        Index(
            "ix_touch_team_client_activity",
            "team_id",
            "client_id",
            "occurred_at",
            "kind",
            "about_problem",
            "follow_up_on",
            "rep_id",
        ),
        Index("ix_touch_team_client_kind_occurred", "team_id", "client_id", "kind", "occurred_at"),
        # A rep's own recent touches (undo, the weekly header); covering follow_up_on and
        # client_id too, for the clients a rep promised a follow-up to (their home tab,
        # /touch list) without reading the table. Then the team's week (the recap).
        Index(
            "ix_touch_team_rep_logged",
            "team_id",
            "rep_id",
            "logged_at",
            "follow_up_on",
            "client_id",
        ),
        Index("ix_touch_team_occurred", "team_id", "occurred_at"),
        # The few follow-ups handed over from a rep who left (see promise_owner).
        Index(
            "ix_touch_team_promise_owner",
            "team_id",
            "promise_owner",
            sqlite_where=text("promise_owner IS NOT NULL"),
            postgresql_where=text("promise_owner IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    rep_id: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    logged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    follow_up_on: Mapped[dt.date | None] = mapped_column(Date)
    about_problem: Mapped[bool] = mapped_column(Boolean, default=False)
    private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Who keeps the follow-up, when not the rep who promised it: the new owner of a client whose
    # owner left. The touch itself still says who made the contact.
    promise_owner: Mapped[str | None] = mapped_column(String(32))


class ClientSummaryRow(Base):
    """What the nudge rules need from one client's touches, kept by every write that changes
    it (bot.db.repository.summary), and the first day a rule could fire for the client: the
    nudge pass reads only the clients whose day has come. Rebuilt from the touches by
    `touchbase db check-summary --repair`."""

    __tablename__ = "client_summary"
    __table_args__ = (Index("ix_client_summary_team_next_check", "team_id", "next_check_on"),)

    client_id: Mapped[int] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    team_id: Mapped[str] = mapped_column(String(32))
    last_touch_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_value_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The latest touch that promised a follow-up: the day promised, when, and by whom.
    promise_due: Mapped[dt.date | None] = mapped_column(Date)
    promise_made_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    promise_by: Mapped[str | None] = mapped_column(String(32))
    problem_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When the latest touch was written: a moment every later pass comes after.
    last_logged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # None: no rule can ever fire (an archived client). See bot.core.next_check.
    next_check_on: Mapped[dt.date | None] = mapped_column(Date)


class RepRow(Base):
    __tablename__ = "rep"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    tz: Mapped[str] = mapped_column(String(64), default="UTC")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # False once Slack says the account is gone; such reps get no DMs.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    paused_until: Mapped[dt.date | None] = mapped_column(Date)
    profile_refreshed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class OutboxRow(Base):
    """Every message Touchbase sends on its own: claimed here before Slack is called.

    One row per (workspace, kind, recipient, period): a rep's digest for a local day, or the
    workspace's recap for a week (recipient ""). The unique key makes delivery exactly-once:
    a second pass, a second scheduler or a restart can't claim the same row again.
    """

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("team_id", "kind", "recipient", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(32))
    period: Mapped[dt.date] = mapped_column(Date)
    # claimed -> sent | failed | unknown. A claim left by a crash, or unknown, is never re-sent.
    status: Mapped[str] = mapped_column(String(16))
    claimed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(String(64))


class NudgeRow(Base):
    """One item of a digest: this client, for this rule, in this window, was nudged."""

    __tablename__ = "nudge"
    __table_args__ = (
        UniqueConstraint("team_id", "client_id", "rule", "window_key"),
        Index("ix_nudge_team_nudged_on", "team_id", "nudged_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    rep_id: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(String(16))
    # The rule's window (see bot.core.rules), plus "#n" for the n-th reminder in that window.
    window_key: Mapped[str] = mapped_column(String(64))
    nudged_on: Mapped[dt.date] = mapped_column(Date)


class SnoozeRow(Base):
    """A rep has asked not to hear about a client until a date."""

    __tablename__ = "snooze"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), primary_key=True
    )
    rep_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    until: Mapped[dt.date] = mapped_column(Date)


class SeenRequestRow(Base):
    """A signed request or a Slack event already taken in, so a replay or a retry is refused.

    Shared by every web process; rows outlive Slack's five-minute signature window and are then
    pruned (see bot.slack.web).
    """

    __tablename__ = "seen_request"

    # A SHA-256 of what identifies the request: its signature and timestamp, or the event's id.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class PendingTouchRow(Base):
    """A `/touch` whose name fits several clients, waiting for the rep to pick one.

    The pick buttons carry only its ID, so a note of any length in any script fits them. Marked
    when logged, so a second click logs nothing; pruned a day after it was typed.
    """

    __tablename__ = "pending_touch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    rep_id: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text)
    day: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    logged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class KindEvidenceRow(Base):
    """How often a workspace's reps flipped touches whose notes had a word, to each kind.

    bot.core.classify reads it as evidence for later notes with the same word.
    """

    __tablename__ = "kind_evidence"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    word: Mapped[str] = mapped_column(String(64), primary_key=True)
    to_value: Mapped[int] = mapped_column(Integer, default=0)
    to_routine: Mapped[int] = mapped_column(Integer, default=0)


class AuditRow(Base):
    """Who did what to which client, and when; never a note or a client's name.

    `client_id` is no foreign key: the entry outlives the client's erasure, keeping the id only.
    """

    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_team_at", "team_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    client_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(String(500), default="")


class CalendarFeedRow(Base):
    """A rep's private calendar feed: one live link each. Only the SHA-256 of the link's token is
    kept, so a link can be shown only when it is made; a new link replaces the row, and with it
    the old link.

    `etag` and `changed_at` remember the feed's content as last served, and since when: its
    ETag and its Last-Modified, for calendar apps' conditional requests.
    """

    __tablename__ = "calendar_feed"
    __table_args__ = (UniqueConstraint("token_hash"),)

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    etag: Mapped[str | None] = mapped_column(String(64))
    changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


# slack_sdk's OAuth tables (OAuth mode), in Touchbase's schema so that Alembic manages them:
# the columns its SQLAlchemy installation and state stores read and write (bot/installations.py
# points the stores here). The tokens are kept Fernet-encrypted, longer than slack_sdk's
# String(200) allows for a rotated token, hence Text.
def _slack_app_columns() -> list[Column[Any]]:
    return [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("client_id", String(32), nullable=False),
        Column("app_id", String(32), nullable=False),
        Column("enterprise_id", String(32)),
        Column("enterprise_name", String(200)),
    ]


def _slack_bot_columns() -> list[Column[Any]]:
    return [
        Column("team_id", String(32)),
        Column("team_name", String(200)),
        Column("bot_token", Text),
        Column("bot_id", String(32)),
        Column("bot_user_id", String(32)),
        Column("bot_scopes", String(1000)),
        Column("bot_refresh_token", Text),
        Column("bot_token_expires_at", DateTime),
    ]


SLACK_BOTS = Table(
    "slack_bots",
    Base.metadata,
    *_slack_app_columns(),
    *_slack_bot_columns(),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

SLACK_INSTALLATIONS = Table(
    "slack_installations",
    Base.metadata,
    *_slack_app_columns(),
    Column("enterprise_url", String(200)),
    *_slack_bot_columns(),
    Column("user_id", String(32), nullable=False),
    Column("user_token", Text),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", Text),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", String(200)),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index(
        "slack_installations_idx",
        "client_id",
        "enterprise_id",
        "team_id",
        "user_id",
        "installed_at",
    ),
)

# OAuth mode: the workspaces of each organization that installed Touchbase org-wide (Enterprise
# Grid), as Slack's signed requests name them. Such an install's token has no workspace of its
# own: this is how the nudge pass and the recap find the workspaces it serves, and their token.
SLACK_ORG_TEAMS = Table(
    "slack_org_teams",
    Base.metadata,
    Column("team_id", String(32), primary_key=True),
    Column("enterprise_id", String(32), nullable=False, index=True),
)

SLACK_OAUTH_STATES = Table(
    "slack_oauth_states",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)
