"""Row to domain value mappers, shared by the repository's modules: one per domain type."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import (
    Row,
    type_coerce,
)
from sqlalchemy.types import NullType

from bot.core.model import (
    Client,
    Kind,
    NoteReaders,
    Rep,
    Source,
    Status,
    Tier,
    Touch,
    WorkspaceSettings,
)
from bot.db.schema import (
    ClientRow,
    RepRow,
    TouchRow,
    WorkspaceRow,
)


def touch_of(row: TouchRow | Row[Any]) -> Touch:
    """From the ORM object or from a plain row of the touch table's columns."""
    return Touch(
        id=row.id,
        team_id=row.team_id,
        client_id=row.client_id,
        rep_id=row.rep_id,
        occurred_at=row.occurred_at,
        logged_at=row.logged_at,
        note=row.note,
        kind=Kind(row.kind),
        source=Source(row.source),
        follow_up_on=row.follow_up_on,
        about_problem=row.about_problem,
        private=row.private,
    )


def rep_of(row: RepRow | Row[Any]) -> Rep:
    """From the ORM object or from a plain row of the rep table's columns."""
    return Rep(
        team_id=row.team_id,
        user_id=row.user_id,
        display_name=row.display_name,
        tz=row.tz,
        paused_until=row.paused_until,
        active=row.active,
        is_admin=row.is_admin,
        profile_refreshed_at=row.profile_refreshed_at,
    )


def settings_of(team_id: str, row: WorkspaceRow | Row[Any] | None) -> WorkspaceSettings:
    """A workspace's settings, from the ORM object or a plain row of the workspace table's
    columns; no row means the defaults."""
    if row is None:
        return WorkspaceSettings(team_id)
    return WorkspaceSettings(
        team_id=team_id,
        cadence_a=row.cadence_a,
        cadence_b=row.cadence_b,
        cadence_c=row.cadence_c,
        cadence_untiered=row.cadence_untiered,
        renewal_window_days=row.renewal_window_days,
        nudge_hour=row.nudge_hour,
        holiday_country=row.holiday_country,
        renudge_days=row.renudge_days,
        claim_check_days=row.claim_check_days,
        date_order=row.date_order,
        recap_quotes=row.recap_quotes,
        notes_visible_to=NoteReaders(row.notes_visible_to),
        note_retention_days=row.note_retention_days,
        renewal_alarm_days=row.renewal_alarm_days,
        recap_channel=row.recap_channel,
        timezone=row.timezone,
        admins=None if row.admins is None else frozenset(row.admins.split(",")) - {""},
    )


# Whole-book reads (every /touch matches against the book; the nudge pass reads it all) fetch
# plain rows, not ORM objects, and convert the JSON, date and datetime columns here: the
# ORM and SQLAlchemy's per-value conversions were most of the cost of reading a big book.
# Typed loosely: callers select more columns after these and slice rows by position.
CLIENT_COLUMNS: tuple[Any, ...] = (
    ClientRow.id,
    ClientRow.team_id,
    ClientRow.name,
    type_coerce(ClientRow.aliases, NullType()).label("aliases"),
    ClientRow.owner_id,
    ClientRow.tier,
    type_coerce(ClientRow.renewal_date, NullType()).label("renewal_date"),
    ClientRow.status,
    type_coerce(ClientRow.created_at, NullType()).label("created_at"),
    type_coerce(ClientRow.client_since, NullType()).label("client_since"),
)


_TIERS = {tier.value: tier for tier in Tier}


_STATUSES = {status.value: status for status in Status}


def client_from(row: Any) -> Client:
    """The one row-to-Client mapper: a row of `CLIENT_COLUMNS`, with raw values (see
    `raw_aliases`, `raw_date`, `utc`), or typed ones from a ClientRow (see `client_of`)."""
    id_, team_id, name, aliases, owner_id, tier, renewal_date, status, created_at, since = row
    return Client(
        id=id_,
        team_id=team_id,
        name=name,
        aliases=raw_aliases(aliases),
        owner_id=owner_id,
        tier=_TIERS[tier] if tier else None,
        renewal_date=raw_date(renewal_date),
        status=_STATUSES[status],
        created_at=utc(created_at),
        client_since=raw_date(since),
    )


def client_of(row: ClientRow) -> Client:
    """A ClientRow the session holds, through the same mapper as the raw rows."""
    return client_from(
        (
            row.id,
            row.team_id,
            row.name,
            row.aliases,
            row.owner_id,
            row.tier,
            row.renewal_date,
            row.status,
            row.created_at,
            row.client_since,
        )
    )


def raw_aliases(value: str | list[str] | None) -> tuple[str, ...]:
    """SQLite hands back the JSON text; PostgreSQL's driver, the decoded list."""
    if isinstance(value, str):
        return () if value == "[]" else tuple(json.loads(value))
    return tuple(value or ())


def raw_date(value: dt.date | str | None) -> dt.date | None:
    """SQLite hands back ISO text; PostgreSQL's driver, a date."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def aware(value: dt.datetime | str | None) -> dt.datetime | None:
    """An aware UTC datetime from a raw value: SQLite's ISO text or a driver's datetime."""
    return None if value is None else utc(value)


def utc(value: dt.datetime | str) -> dt.datetime:
    if isinstance(value, str):
        try:
            # SQLite keeps naive UTC text: reading it with its zone is one call, not two.
            return dt.datetime.fromisoformat(value + "+00:00")
        except ValueError:
            value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
