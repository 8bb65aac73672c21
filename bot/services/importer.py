"""`touchbase import clients|touches FILE`: validate the whole file, then write it in one go."""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.csv_import import (
    RowError,
    Table,
    person_keys,
    touch_identity,
    validate_clients,
    validate_touches,
)
from bot.db import repository as repo
from bot.deps import Deps
from bot.services.settings import workspace_zone
from bot.services.workspace import team_id


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def read_table(path: Path) -> tuple[Table, list[RowError]]:
    """Parse the file; rows too wide for the header are reported, not guessed at."""
    empty = Table((), ())
    try:
        raw = path.read_bytes()
    except OSError as error:
        return empty, [RowError(0, f"can't read {path}: {error.strerror}")]
    # Excel's "CSV UTF-8" starts with a byte order mark; it isn't part of the header.
    body = raw.removeprefix(codecs.BOM_UTF8)
    try:
        content = body.decode("utf-8")
    except UnicodeDecodeError as error:
        line = body[: error.start].count(b"\n") + 1
        return empty, [RowError(line, f"{path} isn't UTF-8 text; save it as “CSV UTF-8”")]
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    try:
        start = 1
        for cells in reader:
            # line_num counts physical lines, so a quoted cell spanning lines keeps numbers right.
            records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        # The row it broke in starts at `start`; an unclosed quote runs on to the end of the file.
        return empty, [RowError(start, f"the CSV is malformed ({error})")]
    if not records or not any(cell.strip() for cell in records[0][1]):
        return empty, [RowError(1, "the file is empty; the first line should be the header")]
    header = tuple(cell.strip().lower() for cell in records[0][1])
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    for line, cells in records[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            errors.append(RowError(line, "this row has more cells than the header"))
            continue
        rows.append((line, dict(zip(header, cells, strict=False))))
    return Table(header, tuple(rows)), errors


def lookup_emails(slack: WebClient, emails: Iterable[str]) -> dict[str, str | None]:
    """Resolve each email to a Slack user ID with users.lookupByEmail; unknown -> None."""
    found: dict[str, str | None] = {}
    for email in sorted(emails):
        try:
            found[email] = slack.users_lookupByEmail(email=email)["user"]["id"]
        except SlackApiError as error:
            if error.response.get("error") != "users_not_found":
                raise
            found[email] = None
    return found


def _sorted(errors: list[RowError]) -> list[RowError]:
    return sorted(errors, key=lambda e: e.line)


def import_clients(deps: Deps, path: Path, team: str | None = None) -> ImportResult:
    """Import into workspace `team`, by default the bot token's."""
    table, errors = read_table(path)
    if not table.header:
        return ImportResult(errors=errors)
    team = team or team_id(deps.slack)
    people = lookup_emails(deps.slack_for(team), person_keys(table, "owner"))
    clients, problems = validate_clients(table, team, people)
    if errors or problems:
        return ImportResult(errors=_sorted(errors + problems))
    now = deps.clock()
    outcomes: Counter[str] = Counter()
    with deps.db.transaction(write=True) as session:
        for new in clients:
            outcomes[repo.upsert_client(session, new, now)] += 1
    return ImportResult(outcomes["created"], outcomes["updated"], outcomes["unchanged"])


def import_touches(deps: Deps, path: Path, team: str | None = None) -> ImportResult:
    """Import into workspace `team`, by default the bot token's."""
    table, errors = read_table(path)
    if not table.header:
        return ImportResult(errors=errors)
    team = team or team_id(deps.slack)
    people = lookup_emails(deps.slack_for(team), person_keys(table, "rep"))
    tz = workspace_zone(deps, team)
    now = deps.clock()
    with deps.db.transaction(write=True) as session:
        clients = repo.all_clients(session, team)
        touches, problems = validate_touches(table, team, clients, people, now=now, tz=tz)
        if errors or problems:
            return ImportResult(errors=_sorted(errors + problems))
        seen = {touch_identity(t, tz) for t in repo.all_touches(session, team)}
        fresh = []
        for touch in touches:
            identity = touch_identity(touch, tz)
            if identity not in seen:
                seen.add(identity)
                fresh.append(touch)
        repo.add_touches(session, fresh)
    return ImportResult(created=len(fresh), unchanged=len(touches) - len(fresh))
