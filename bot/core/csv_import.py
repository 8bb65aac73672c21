"""Validate CSV rows for `touchbase import`. Pure: people and clients are looked up beforehand.

The whole file is checked before anything is written; every bad row is reported with its line
number in the file (the header is line 1) and a reason in plain words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.classify import classify, mentions_problem
from bot.core.dates import BadDate, parse_iso_date
from bot.core.model import MAX_NAME, Client, Kind, NewClient, NewTouch, Source, Tier, Touch
from bot.core.user_text import USER_ID, clean_line, clean_note, name_fits

CLIENT_COLUMNS = ("name", "owner", "renewal_date", "tier", "aliases", "client_since")
CLIENT_REQUIRED = ("name",)
TOUCH_COLUMNS = ("client", "rep", "date", "note", "kind")
TOUCH_REQUIRED = ("client", "rep", "date", "note")

_USER_ID = re.compile(f"^{USER_ID}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        # Line 0 is the file as a whole (it can't be read), not a row.
        return f"line {self.line}: {self.reason}" if self.line > 0 else self.reason


@dataclass(frozen=True)
class Table:
    """A parsed CSV file: header names (lower-cased) and rows with their line numbers."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, Mapping[str, str]], ...]


def header_errors(table: Table, required: Sequence[str], known: Sequence[str]) -> list[RowError]:
    missing = [c for c in required if c not in table.header]
    unknown = [c for c in table.header if c not in known]
    errors = []
    if missing:
        errors.append(
            RowError(1, f"the header is missing {', '.join(missing)}; expected {','.join(known)}")
        )
    if unknown:
        errors.append(
            RowError(1, f"unknown column {', '.join(unknown)}; expected {','.join(known)}")
        )
    return errors


def person_keys(table: Table, column: str) -> set[str]:
    """The emails in a column, which the caller resolves to Slack user IDs before validating."""
    values = (row.get(column, "").strip() for _, row in table.rows)
    return {v.lower() for v in values if EMAIL.match(v)}


def _person(raw: str, people: Mapping[str, str | None], what: str) -> str | RowError | None:
    """A Slack user ID as given, or the ID an email resolved to. Returns an error reason."""
    value = raw.strip()
    if not value:
        return None
    if _USER_ID.match(value):
        return value
    if EMAIL.match(value):
        resolved = people.get(value.lower())
        if resolved is None:
            return RowError(0, f"no Slack user has the email {value} ({what})")
        return resolved
    return RowError(0, f"{what} “{value}” should be a Slack user ID (U…) or an email")


def _date(raw: str, what: str) -> dt.date | RowError | None:
    value = raw.strip()
    if not value:
        return None
    parsed = parse_iso_date(value)
    if parsed is None or isinstance(parsed, BadDate):
        return RowError(0, f"{what} “{value}” isn't a date; expected YYYY-MM-DD")
    return parsed


def validate_clients(
    table: Table, team_id: str, people: Mapping[str, str | None]
) -> tuple[list[NewClient], list[RowError]]:
    errors = header_errors(table, CLIENT_REQUIRED, CLIENT_COLUMNS)
    if errors:
        return [], errors
    clients: list[NewClient] = []
    seen: dict[str, int] = {}
    for line, row in table.rows:
        problems: list[str] = []
        name = clean_line(row.get("name", ""))
        if not name:
            problems.append("the name is empty")
        elif not name_fits(name):
            problems.append(f"the name is too long (at most {MAX_NAME} characters)")
        elif (key := name.casefold()) in seen:
            problems.append(f"“{name}” is already on line {seen[key]}")
        else:
            seen[key] = line
        owner = _person(row.get("owner", ""), people, "owner")
        renewal = _date(row.get("renewal_date", ""), "renewal_date")
        since = _date(row.get("client_since", ""), "client_since")
        tier_raw = row.get("tier", "").strip().upper()
        if tier_raw and tier_raw not in Tier.__members__:
            problems.append(f"tier “{tier_raw}” should be A, B, C or empty")
        problems += [v.reason for v in (owner, renewal, since) if isinstance(v, RowError)]
        aliases = tuple(a for a in map(clean_line, row.get("aliases", "").split(";")) if a)
        problems += [
            f"the alias “{a[:10]}…” is too long (at most {MAX_NAME} characters)"
            for a in aliases
            if not name_fits(a)
        ]
        if problems:
            errors += [RowError(line, p) for p in problems]
            continue
        clients.append(
            NewClient(
                team_id=team_id,
                name=name,
                aliases=aliases,
                owner_id=owner if isinstance(owner, str) else None,
                tier=Tier(tier_raw) if tier_raw else None,
                renewal_date=renewal if isinstance(renewal, dt.date) else None,
                client_since=since if isinstance(since, dt.date) else None,
            )
        )
    return clients, errors


def validate_touches(
    table: Table,
    team_id: str,
    clients: Sequence[Client],
    people: Mapping[str, str | None],
    *,
    now: dt.datetime,
    tz: dt.tzinfo,
) -> tuple[list[NewTouch], list[RowError]]:
    """Touches from rows; a row's date is taken as local noon in the workspace's zone."""
    errors = header_errors(table, TOUCH_REQUIRED, TOUCH_COLUMNS)
    if errors:
        return [], errors
    by_name: dict[str, Client] = {}
    # A client's own name wins over another client's alias, so an export reads back as it was.
    for known in clients:
        by_name.setdefault(" ".join(known.name.casefold().split()), known)
    for known in clients:
        for alias in known.aliases:
            by_name.setdefault(" ".join(alias.casefold().split()), known)
    today = now.astimezone(tz).date()
    touches: list[NewTouch] = []
    for line, row in table.rows:
        problems: list[str] = []
        client_name = clean_line(row.get("client", ""))
        client = by_name.get(client_name.casefold())
        if not client_name:
            problems.append("the client is empty")
        elif client is None:
            problems.append(f"no client called “{client_name}”; import it with the clients first")
        rep = _person(row.get("rep", ""), people, "rep")
        if rep is None:
            problems.append("the rep is empty")
        elif isinstance(rep, RowError):
            problems.append(rep.reason)
        day = _date(row.get("date", ""), "date")
        if day is None:
            problems.append("the date is empty")
        elif isinstance(day, RowError):
            problems.append(day.reason)
        elif day > today:
            problems.append(f"the date {day.isoformat()} is in the future")
        note = clean_note(row.get("note", "")).strip()
        if not note:
            problems.append("the note is empty")
        kind_raw = row.get("kind", "").strip().lower()
        if kind_raw and kind_raw not in {k.value for k in Kind}:
            problems.append(f"kind “{kind_raw}” should be value, routine or empty")
        if problems:
            errors += [RowError(line, p) for p in problems]
            continue
        assert client is not None and isinstance(rep, str) and isinstance(day, dt.date)
        touches.append(
            NewTouch(
                team_id=team_id,
                client_id=client.id,
                rep_id=rep,
                occurred_at=dt.datetime.combine(day, dt.time(12), tz).astimezone(dt.UTC),
                logged_at=now,
                note=note,
                kind=Kind(kind_raw) if kind_raw else classify(note).kind,
                source=Source.IMPORT,
                about_problem=mentions_problem(note),
            )
        )
    return touches, errors


def touch_identity(touch: NewTouch | Touch, tz: dt.tzinfo) -> tuple[int, str, dt.date, str]:
    """What makes two touches the same (client, rep, local day, note), so importing a file
    twice, or importing an export, adds nothing."""
    return (touch.client_id, touch.rep_id, touch.occurred_at.astimezone(tz).date(), touch.note)


# Export: the same formats, so `touchbase import` reads an export back and changes nothing.


def client_record(client: Client) -> tuple[str, ...]:
    """A client as a row of the clients file (CLIENT_COLUMNS)."""
    return (
        client.name,
        client.owner_id or "",
        client.renewal_date.isoformat() if client.renewal_date else "",
        client.tier.value if client.tier else "",
        ";".join(client.aliases),
        # Empty when unset (the day it was added), so an export reads back unchanged.
        client.client_since.isoformat() if client.client_since else "",
    )


def touch_record(touch: Touch, client_name: str, tz: dt.tzinfo) -> tuple[str, ...]:
    """A touch as a row of the touches file (TOUCH_COLUMNS): its day in the workspace's zone,
    and its kind spelled out, so the note isn't classified again."""
    day = touch.occurred_at.astimezone(tz).date()
    return (client_name, touch.rep_id, day.isoformat(), touch.note, touch.kind.value)
