"""Seed a realistic book of business, fast: migrated schema, then bulk inserts in one transaction.

A `Book` is deterministic (seeded RNG): the same parameters give the same rows, so a seeded
SQLite file can be cached by its parameters (`cached_sqlite`). SQLite is written through the
DB-API with `executemany` (synchronous=OFF, no journal, the touch indexes rebuilt after the
load); PostgreSQL through the same rows with psycopg's pipelined `executemany`. Then each
client's summary is worked out, as the nightly summary check does (bot.services.summary).

The shape: `reps` reps in three zones (London and New York are past 09:00 at the default
`now`, Los Angeles isn't, so about 90 % of reps are due), clients owned round-robin (1 % owned
by nobody, 3 % archived), tiers A/B/C/none, renewals spread over the year, about
`touches_per_client` touches each over two years (half value-adding, 10 % with a promise,
5 % about a problem), a week of sent digests and a snooze per rep. Rep profiles are fresh, so a
pass makes no users.info calls.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import TEAM, cache_dir, schema_head

# Bump when the generated rows change, so cached databases are rebuilt.
FORMAT = 4

# Monday 23 November 2026, 15:00 UTC: a working day, after 09:00 in London and New York.
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FIRST = _words(
    "Acme Harbor Northwind Brightside Summit Keystone Riverside Oakwood Pioneer Evergreen "
    "Bluewater Granite Lakeshore Redwood Silverline Cedar Maple Ironbridge Sunrise "
    "Westfield Highland Meadow Coastal Liberty Heritage Frontier Golden Pinecrest "
    "Stonegate Crescent Falcon Juniper Willow Copper Horizon Beacon Orchard Prairie "
    "Canyon Aspen"
)
_SECOND = _words(
    "Dental Bakery Logistics Insurance Roofing Motors Clinic Farms Builders Studio Realty "
    "Plumbing Brewing Foods Tools Printing Fitness Catering Marine Textiles Pharmacy "
    "Optics Landscaping Electric Freight Cafe Vineyards Software Labs Hardware"
)
_THIRD = _words("Group Partners Company Holdings Associates Brothers Services Works Co Collective")
_NOTES_VALUE = (
    "called to review their cover",
    "lunch with the owner",
    "visited the new site",
    "helped with a claim",
    "introduced them to a broker",
    "shared an article on cyber risk",
    "listened to their expansion plans",
    "reviewed the fleet policy",
)
_NOTES_ROUTINE = (
    "sent renewal paperwork",
    "sent the invoice",
    "payment reminder",
    "signed the policy documents",
    "holiday card",
    "newsletter",
)
_ZONES = ("Europe/London", "America/New_York", "America/Los_Angeles")
_ZONE_WEIGHTS = (45, 45, 10)


def client_name(i: int) -> str:
    """The i-th client's name (0-based); unique for every i."""
    a, rest = i % len(_FIRST), i // len(_FIRST)
    b, rest = rest % len(_SECOND), rest // len(_SECOND)
    c, rest = rest % len(_THIRD), rest // len(_THIRD)
    name = f"{_FIRST[a]} {_SECOND[b]} {_THIRD[c]}"
    return f"{name} {rest + 1}" if rest else name


def rep_id(n: int) -> str:
    return f"U0REP{n:05d}"


@dataclass(frozen=True)
class Book:
    clients: int
    reps: int = 1000
    touches_per_client: int = 20
    team_id: str = TEAM
    now: dt.datetime = NOW
    seed: int = 7
    # Shares of reps per zone (London, New York, Los Angeles) and of odd clients.
    zone_weights: tuple[int, int, int] = _ZONE_WEIGHTS
    unowned_share: float = 0.01
    archived_share: float = 0.03
    # The last touch of each client is this many days before `now`, at least and at most.
    quiet_days: tuple[int, int] = (0, 180)
    history_days: int = 5
    snoozes: bool = True

    @property
    def key(self) -> str:
        parts = [
            f"c{self.clients}",
            f"r{self.reps}",
            f"t{self.touches_per_client}",
            f"s{self.seed}",
            f"z{'-'.join(map(str, self.zone_weights))}",
            f"u{self.unowned_share:g}",
            f"a{self.archived_share:g}",
            f"q{self.quiet_days[0]}-{self.quiet_days[1]}",
            f"h{self.history_days}{'s' if self.snoozes else ''}",
            self.now.strftime("%Y%m%dT%H%M"),
        ]
        return "_".join(parts)

    def rep_ids(self) -> list[str]:
        return [rep_id(n) for n in range(self.reps)]

    def owner_of(self, i: int) -> str:
        return rep_id(i % self.reps)


@dataclass(frozen=True)
class Seeded:
    url: str
    book: Book
    clients: int
    touches: int
    seconds: float
    cached: bool = False


# --------------------------------------------------------------------------------------------
# Rows, dialect-neutral: naive UTC datetimes, dates, bools, lists.
# --------------------------------------------------------------------------------------------


def _naive(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def rep_rows(book: Book) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(book.seed * 31 + 1)
    refreshed = _naive(book.now) - dt.timedelta(hours=1)
    for n, user_id in enumerate(book.rep_ids()):
        tz = rng.choices(_ZONES, weights=book.zone_weights)[0]
        yield (book.team_id, user_id, f"Rep {n}", tz, n == 0, True, None, refreshed)


def client_rows(book: Book) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(book.seed * 31 + 2)
    created = _naive(book.now) - dt.timedelta(days=900)
    base = book.now.date()
    for i in range(book.clients):
        name = client_name(i)
        owner = None if rng.random() < book.unowned_share else book.owner_of(i)
        tier = rng.choice(("A", "B", "B", "C", "C", None))
        renewal = base + dt.timedelta(days=rng.randrange(-200, 400))
        status = "archived" if rng.random() < book.archived_share else "active"
        aliases = [name.split()[0] + " " + name.split()[1][:3]] if i % 10 == 0 else []
        yield (
            i + 1,
            book.team_id,
            name,
            " ".join(name.casefold().split()),
            aliases,
            owner,
            tier,
            renewal,
            status,
            created,
        )


def touch_rows(book: Book) -> Iterator[tuple[Any, ...]]:
    """About `touches_per_client` touches per client, oldest to newest, grouped by client."""
    rng = random.Random(book.seed * 31 + 3)
    now = _naive(book.now)
    span = 730 * 86400
    low, high = book.quiet_days
    per = book.touches_per_client
    for i in range(book.clients):
        client_id = i + 1
        owner = book.owner_of(i)
        count = max(1, per + rng.randint(-per // 4, per // 4)) if per else 0
        latest = now - dt.timedelta(days=rng.uniform(low, high))
        offsets = sorted((rng.random() * span for _ in range(count - 1)), reverse=True)
        moments = [latest - dt.timedelta(seconds=o) for o in offsets] + [latest]
        for moment in moments:
            value = rng.random() < 0.5
            note = rng.choice(_NOTES_VALUE if value else _NOTES_ROUTINE)
            follow_up = (
                moment.date() + dt.timedelta(days=rng.randrange(3, 40))
                if rng.random() < 0.10
                else None
            )
            problem = rng.random() < 0.05
            yield (
                book.team_id,
                client_id,
                owner,
                moment,
                moment + dt.timedelta(minutes=rng.randrange(0, 600)),
                note,
                "value" if value else "routine",
                "slash",
                follow_up,
                problem,
            )


def history_rows(
    book: Book,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(outbox, nudge, snooze) rows: the last `history_days` working days of sent digests."""
    outbox: list[tuple[Any, ...]] = []
    nudges: list[tuple[Any, ...]] = []
    snoozes: list[tuple[Any, ...]] = []
    owned: dict[str, list[int]] = {}
    for i in range(min(book.clients, book.reps * 4)):
        owned.setdefault(book.owner_of(i), []).append(i + 1)
    days: list[dt.date] = []
    day = book.now.date()
    while len(days) < book.history_days:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    outbox_id = 0
    for user_id in book.rep_ids():
        mine = owned.get(user_id, [])
        if not mine:
            continue
        for k, period in enumerate(days):
            outbox_id += 1
            at = dt.datetime.combine(period, dt.time(9, 5))
            outbox.append(
                (outbox_id, book.team_id, "digest", user_id, period, "sent", at, at, None, None)
            )
            client_id = mine[k % len(mine)]
            window = f"{(period - dt.timedelta(days=40)).isoformat()}:due#{period.isoformat()}"
            nudges.append((book.team_id, outbox_id, client_id, user_id, "quiet", window, period))
        if book.snoozes and len(mine) >= 3:
            until = book.now.date() + dt.timedelta(days=3)
            snoozes.append((book.team_id, mine[0], user_id, until))
    return outbox, nudges, snoozes


# --------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------

_SQL = {
    "rep": "INSERT INTO rep (team_id, user_id, display_name, tz, is_admin, active, paused_until, "
    "profile_refreshed_at) VALUES ({})",
    "client": "INSERT INTO client (id, team_id, name, name_key, aliases, owner_id, tier, "
    "renewal_date, status, created_at) VALUES ({})",
    "touch": "INSERT INTO touch (team_id, client_id, rep_id, occurred_at, logged_at, note, kind, "
    "source, follow_up_on, about_problem) VALUES ({})",
    "outbox": "INSERT INTO outbox (id, team_id, kind, recipient, period, status, claimed_at, "
    "sent_at, channel, ts) VALUES ({})",
    "nudge": "INSERT INTO nudge (team_id, outbox_id, client_id, rep_id, rule, window_key, "
    "nudged_on) VALUES ({})",
    "snooze": "INSERT INTO snooze (team_id, client_id, rep_id, until) VALUES ({})",
}


def _statement(table: str, columns: int, mark: str) -> str:
    return _SQL[table].format(", ".join([mark] * columns))


def _sqlite_value(value: Any) -> Any:
    """What SQLAlchemy's SQLite types store: 'YYYY-MM-DD HH:MM:SS.ffffff', ISO dates, 0/1, JSON."""
    if isinstance(value, dt.datetime):
        return value.isoformat(" ", "microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, list):
        return json.dumps(value)
    return value


def _sqlite_rows(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    for row in rows:
        yield tuple(_sqlite_value(v) for v in row)


def _chunks(rows: Iterator[tuple[Any, ...]], size: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _migrate(url: str) -> None:
    from bot.db import migrate
    from bot.db.engine import Database

    db = Database.from_url(url)
    try:
        migrate.upgrade(db.engine)
    finally:
        db.dispose()


def _summarise(url: str, book: Book) -> None:
    """Work out every client's summary, as the nightly check does: the rows were written
    around the repository."""
    from bot.db.engine import Database
    from bot.services import summary

    db = Database.from_url(url)
    try:
        summary.check(db, book.now, repair=True)
    finally:
        db.dispose()


def seed_sqlite(path: Path, book: Book) -> tuple[int, int]:
    """Create a migrated SQLite file at `path` holding `book`; (clients, touches) written."""
    path.unlink(missing_ok=True)
    _migrate(f"sqlite:///{path}")
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-262144")  # 256 MB
        connection.execute("PRAGMA temp_store=MEMORY")
        # Loading then indexing is much faster than keeping five indexes up to date.
        indexes = [
            sql
            for (sql,) in connection.execute(
                "SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name='touch' "
                "AND sql IS NOT NULL"
            )
        ]
        connection.execute("BEGIN")
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='touch' "
            "AND sql IS NOT NULL"
        ).fetchall():
            connection.execute(f'DROP INDEX "{name}"')
        touches = _write(connection, book, "?", _sqlite_rows)
        for sql in indexes:
            connection.execute(sql)
        connection.execute("COMMIT")
        connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()
    _summarise(f"sqlite:///{path}", book)
    return book.clients, touches


def _write(connection: Any, book: Book, mark: str, convert: Any) -> int:
    cursor = connection.cursor()
    cursor.executemany(_statement("rep", 8, mark), list(convert(rep_rows(book))))
    for chunk in _chunks(convert(client_rows(book))):
        cursor.executemany(_statement("client", 10, mark), chunk)
    touches = 0
    for chunk in _chunks(convert(touch_rows(book))):
        cursor.executemany(_statement("touch", 10, mark), chunk)
        touches += len(chunk)
    outbox, nudges, snoozes = history_rows(book)
    if outbox:
        cursor.executemany(_statement("outbox", 10, mark), list(convert(iter(outbox))))
        cursor.executemany(_statement("nudge", 7, mark), list(convert(iter(nudges))))
    if snoozes:
        cursor.executemany(_statement("snooze", 4, mark), list(convert(iter(snoozes))))
    return touches


def _pg_rows(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    from psycopg.types.json import Json

    for row in rows:
        yield tuple(
            v.replace(tzinfo=dt.UTC)
            if isinstance(v, dt.datetime)
            else Json(v)
            if isinstance(v, list)
            else v
            for v in row
        )


def seed_postgres(url: str, book: Book) -> tuple[int, int]:
    """Migrate the (empty) database at `url` and load `book` in one transaction."""
    import psycopg

    _migrate(url)
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        touches = _write(connection, book, "%s", _pg_rows)
        for table in ("client", "touch", "outbox", "nudge"):
            connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        connection.commit()
        connection.execute("ANALYZE")
    _summarise(url, book)
    return book.clients, touches


def seed(url: str, book: Book) -> Seeded:
    """Seed the database at `url` (SQLite file or PostgreSQL) with `book`."""
    started = time.perf_counter()
    if url.startswith("sqlite"):
        clients, touches = seed_sqlite(Path(url.split(":///", 1)[1]), book)
    else:
        clients, touches = seed_postgres(url, book)
    return Seeded(url, book, clients, touches, time.perf_counter() - started)


def cached_sqlite(book: Book) -> Seeded:
    """A seeded SQLite file for `book`, built once and reused (keyed by the book and schema).

    Callers that write must copy it first (`copy_sqlite`).
    """
    path = cache_dir() / f"book_{book.key}_f{FORMAT}_{schema_head()}.db"
    if path.exists():
        connection = sqlite3.connect(path)
        try:
            touches = connection.execute("SELECT count(*) FROM touch").fetchone()[0]
        finally:
            connection.close()
        return Seeded(f"sqlite:///{path}", book, book.clients, touches, 0.0, cached=True)
    started = time.perf_counter()
    partial = path.with_suffix(".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    clients, touches = seed_sqlite(partial, book)
    partial.rename(path)
    return Seeded(f"sqlite:///{path}", book, clients, touches, time.perf_counter() - started)


def copy_sqlite(seeded: Seeded, to: Path) -> str:
    """A private, writable copy of a cached SQLite database (checkpointed first); its URL."""
    source = sqlite3.connect(seeded.url.split(":///", 1)[1])
    target = sqlite3.connect(to)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return f"sqlite:///{to}"


def names(book: Book) -> Sequence[str]:
    """The names of the book's active, owned clients (for `/touch` commands)."""
    return [row[2] for row in client_rows(book) if row[5] is not None and row[8] == "active"]
