"""Domain values shared by the core, the repository and the Slack edge."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

# The longest client name or alias, on every path (slash command, form, CSV): the database's
# column holds 200 characters.
MAX_NAME = 200


class Kind(enum.StrEnum):
    """Whether a touch added value for the client or was routine admin."""

    VALUE = "value"
    ROUTINE = "routine"

    def flipped(self) -> Kind:
        return Kind.ROUTINE if self is Kind.VALUE else Kind.VALUE


class Source(enum.StrEnum):
    SLASH = "slash"
    IMPORT = "import"
    MODAL = "modal"
    SHORTCUT = "shortcut"
    DEMO = "demo"


class Tier(enum.StrEnum):
    A = "A"
    B = "B"
    C = "C"


class Status(enum.StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


@dataclass(frozen=True)
class Client:
    id: int
    team_id: str
    name: str
    aliases: tuple[str, ...] = ()
    owner_id: str | None = None
    tier: Tier | None = None
    renewal_date: dt.date | None = None
    status: Status = Status.ACTIVE
    created_at: dt.datetime = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    # The day the client became a client, when known (a CSV column, the client form).
    client_since: dt.date | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The name first, then every alias."""
        return (self.name, *self.aliases)

    @property
    def since(self) -> dt.date:
        """Whence its anniversaries count: `client_since`, or else the day it was added."""
        return self.client_since or self.created_at.date()


@dataclass(frozen=True)
class Touch:
    id: int
    team_id: str
    client_id: int
    rep_id: str
    occurred_at: dt.datetime
    logged_at: dt.datetime
    note: str
    kind: Kind
    source: Source
    follow_up_on: dt.date | None = None
    about_problem: bool = False
    # Its note is for its author, the client's owner and admins only (bot.core.privacy).
    private: bool = False


@dataclass(frozen=True)
class FlipCount:
    """How often a workspace's reps flipped touches whose notes had a word, to each kind."""

    to_value: int = 0
    to_routine: int = 0


@dataclass(frozen=True)
class Rep:
    """A Slack user who logs touches or owns clients. `paused_until` = date.max: until resumed."""

    team_id: str
    user_id: str
    display_name: str
    tz: str = "UTC"
    paused_until: dt.date | None = None
    active: bool = True
    is_admin: bool = False
    profile_refreshed_at: dt.datetime | None = None


@dataclass(frozen=True)
class NewTouch:
    """A touch the core has decided to record; the repository gives it an id."""

    team_id: str
    client_id: int
    rep_id: str
    occurred_at: dt.datetime
    logged_at: dt.datetime
    note: str
    kind: Kind
    source: Source
    follow_up_on: dt.date | None = None
    # The note mentions a claim, complaint or problem: worth a "how did it go?" later.
    about_problem: bool = False
    private: bool = False


@dataclass(frozen=True)
class PendingTouch:
    """A `/touch` whose client the rep is still picking: kept until they click a name."""

    id: int
    note: str
    day: dt.date | None
    logged: bool


@dataclass(frozen=True)
class NewClient:
    team_id: str
    name: str
    aliases: tuple[str, ...] = ()
    owner_id: str | None = None
    tier: Tier | None = None
    renewal_date: dt.date | None = None
    status: Status = Status.ACTIVE
    client_since: dt.date | None = None


class NoteReaders(enum.StrEnum):
    """Who may read the notes of touches that aren't private."""

    # Everyone using Touchbase: colleagues cover for each other.
    TEAM = "team"
    # The note's author, the client's owner and admins.
    OWNERS = "owners"


@dataclass(frozen=True)
class WorkspaceDefaults:
    """What a workspace's unset recap channel, time zone and admins mean: the environment's
    TOUCHBASE_RECAP_CHANNEL, TOUCHBASE_TIMEZONE and TOUCHBASE_ADMINS in single-workspace mode;
    no channel, UTC and nobody in OAuth mode, where one environment can't speak for every
    workspace."""

    recap_channel: str | None = None
    timezone: str = "UTC"
    admins: frozenset[str] = frozenset()


@dataclass(frozen=True)
class WorkspaceSettings:
    """Per-workspace tuning. The defaults are the product's defaults."""

    team_id: str
    cadence_a: int = 30
    cadence_b: int = 60
    cadence_c: int = 90
    cadence_untiered: int = 60
    renewal_window_days: int = 60
    nudge_hour: int = 9
    holiday_country: str | None = None
    renudge_days: int = 7
    claim_check_days: int = 7
    # How reps write a day in numbers: MDY reads 11/12 as 12 November, DMY as 11 December.
    date_order: str = "MDY"
    # Privacy (bot.core.privacy): whether the recap may quote a note, who reads notes, and
    # after how many days a note's text is removed (None: kept).
    recap_quotes: bool = False
    notes_visible_to: NoteReaders = NoteReaders.TEAM
    note_retention_days: int | None = None
    # The calendar feed's renewals ring this many days before the day.
    renewal_alarm_days: int = 14
    # Stored here, or None: then WorkspaceDefaults says (the environment, in single-workspace
    # mode). The recap channel's ID; an IANA time zone name; the Slack user IDs who are admins
    # besides Slack's own admins and owners.
    recap_channel: str | None = None
    timezone: str | None = None
    admins: frozenset[str] | None = None

    def effective_recap_channel(self, defaults: WorkspaceDefaults) -> str | None:
        return self.recap_channel or defaults.recap_channel

    def effective_timezone(self, defaults: WorkspaceDefaults) -> str:
        return self.timezone or defaults.timezone

    def effective_admins(self, defaults: WorkspaceDefaults) -> frozenset[str]:
        return defaults.admins if self.admins is None else self.admins

    def cadence_for(self, tier: Tier | None) -> int:
        """Days of silence after which a client of this tier has gone quiet."""
        match tier:
            case Tier.A:
                return self.cadence_a
            case Tier.B:
                return self.cadence_b
            case Tier.C:
                return self.cadence_c
            case None:
                return self.cadence_untiered


@dataclass(frozen=True)
class ClientActivity:
    """One client and what the nudge rules need to know of its touches, as of `now`.

    The repository computes it with set-based SQL; touches dated after `now` are ignored.
    """

    client: Client
    last_touch_at: dt.datetime | None = None
    last_value_at: dt.datetime | None = None
    # The most recent touch that promised a follow-up: its due date and when it happened.
    promise_due: dt.date | None = None
    promise_made_at: dt.datetime | None = None
    # Who is to keep that promise: whoever made it, or the new owner of a client whose owner left
    # (bot.core.owners). They are the one to remind, even when someone else owns the client.
    promise_by: str | None = None
    # The most recent touch that mentioned a claim, complaint or problem.
    problem_at: dt.datetime | None = None


# Read models: what services read for the Home tab, the weekly recap and the outbox.


@dataclass(frozen=True)
class Week:
    """Touches a rep logged this week (from Monday in their zone), and how many added value."""

    touches: int = 0
    value: int = 0


@dataclass(frozen=True)
class HandedBack:
    """A client someone handed back with "Not my client", waiting for an admin to reassign."""

    client: Client
    by: str | None
    at: dt.datetime | None


@dataclass(frozen=True)
class RecapWeek:
    """The week a recap reports, and the outbox period it is recorded under."""

    # The Monday of the ISO week the recap is posted in (the workspace's zone).
    period: dt.date
    # The Monday and the Sunday reported: the last complete week before `period`.
    first_day: dt.date
    last_day: dt.date
    # The same week as UTC instants, [starts_at, ends_at), for the queries.
    starts_at: dt.datetime
    ends_at: dt.datetime


@dataclass(frozen=True)
class RepTally:
    """One rep's touches in the week, and how many of them were value-adding."""

    rep_id: str
    display_name: str | None
    touches: int
    value_touches: int


@dataclass(frozen=True)
class WeekTouch:
    """A value-adding touch of the week, a candidate for "worth a mention"."""

    client_id: int
    client_name: str
    rep_id: str
    rep_name: str | None
    occurred_at: dt.datetime
    note: str
    private: bool = False


@dataclass(frozen=True)
class ClientWeek:
    """One active client: what the quiet and renewal rules need as of now, and the week.

    `activity` holds the last touch and the last value-adding touch; the recap asks only the
    quiet and renewal rules, so promises and problems are not read.
    """

    activity: ClientActivity
    # The client's first touch in the week, and its last touch before the week.
    first_in_week: dt.datetime | None = None
    last_before_week: dt.datetime | None = None


@dataclass(frozen=True)
class RecapInput:
    week: RecapWeek
    settings: WorkspaceSettings
    # Every rep with a touch in the week (touches on archived clients included).
    reps: tuple[RepTally, ...]
    # Most recent first; at most NOTABLE_CANDIDATES of them (bot.core.recap).
    touches: tuple[WeekTouch, ...]
    # The active book.
    clients: tuple[ClientWeek, ...]
    # The reps Slack says are gone: their clients wait for a new owner.
    departed: tuple[Rep, ...] = ()


@dataclass(frozen=True)
class CalendarLink:
    """A rep's live calendar feed link (its token is not kept), and the feed's content as last
    served: its ETag, and since when it has had it (its Last-Modified)."""

    team_id: str
    user_id: str
    created_at: dt.datetime
    etag: str | None = None
    changed_at: dt.datetime | None = None


class OutboxKind(enum.StrEnum):
    DIGEST = "digest"
    RECAP = "recap"


class OutboxStatus(enum.StrEnum):
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    # The request went out but Slack never answered: maybe posted. Never sent again.
    UNKNOWN = "unknown"


# Who the audit log says acted, when no Slack user did: the operator's command line, and the
# scheduler's daily jobs.
CLI_ACTOR = "cli"
SCHEDULER_ACTOR = "scheduler"


class AuditAction(enum.StrEnum):
    OWNER_CHANGED = "owner_changed"
    REASSIGNED = "reassigned"
    ARCHIVED = "archived"
    ERASED = "erased"
    EXPORTED = "exported"
    SETTING_CHANGED = "setting_changed"
    RETENTION = "retention"
    # An admin read a note that only their admin rights let them read.
    PRIVATE_NOTE_READ = "private_note_read"
    # A workspace's data purged after an uninstall.
    PURGED = "purged"


@dataclass(frozen=True)
class AuditEntry:
    """Who did what to which client, and when. `detail` never holds a note or a client's name."""

    team_id: str
    at: dt.datetime
    # A Slack user ID, or "cli" for the operator's command line, or "scheduler".
    actor: str
    action: AuditAction
    client_id: int | None = None
    detail: str = ""


@dataclass(frozen=True)
class NudgeClaim:
    """A nudge a digest carries: its client, its rule and the rule's window."""

    client_id: int
    rule: str
    window: str
