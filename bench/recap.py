"""Bench: the weekly recap over a busy week (SQLite), against the target of 2 seconds.

    python -m bench.recap                 # 100,000 touches in the week, 1,000 reps, 10,000 clients
    python -m bench.recap --touches 10000

`run(touches)` returns the figures for `make bench`: seconds to seed, to read and build the
recap (`recap_s`: the set-based reads plus the pure core, what the target is about), and for
the whole scheduled run against the local Slack stand-in (`run_s`: auth.test, the outbox,
the reads, chat.postMessage), plus the process's peak RSS (resource.getrusage).

The data: `touches // 100` reps and `touches // 10` clients (tiers A/B/C/none, renewals over the
year, a few archived), each client with one older touch 1 to 200 days before the week (so some
come back after going quiet), then `touches` touches spread over the reported week, 60 %
value-adding, with notes that include reviews, visits and claims.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table, insert

from bot.config import Settings
from bot.core.model import Kind, Source
from bot.core.recap import recap_week
from bot.db import migrate
from bot.db.engine import Database
from bot.db.schema import ClientRow, RepRow, TouchRow
from bot.deps import Deps
from bot.devtools.standin import SlackStandIn
from bot.services import recap
from bot.webapi import make_client

TEAM = "T0BENCH"
CHANNEL = "C0RECAP"
ZONE = "America/New_York"
# Monday 23 November 2026, 09:00 in New York: the scheduled moment.
NOW = dt.datetime(2026, 11, 23, 14, 0, tzinfo=dt.UTC)
TARGET_S = 2.0

VALUE_NOTES = (
    "called to review their cover",
    "site visit with the owner",
    "helped with their water damage claim",
    "lunch with the finance director",
    "shared an article on cyber risk",
    "checked in after the storm",
)
ROUTINE_NOTES = ("sent the invoice", "renewal paperwork signed", "sent policy documents")


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _insert_many(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """One DB-API executemany, values converted by the columns' own types (UTC, dates, JSON)."""
    processors = [table.c[name].type.bind_processor(connection.dialect) for name in columns]
    converted = [
        tuple(
            value if convert is None else convert(value)
            for convert, value in zip(processors, row, strict=True)
        )
        for row in rows
    ]
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", converted
    )


def seed(db: Database, *, touches: int, reps: int, clients: int, seed: int = 7) -> None:
    """Bulk inserts in one transaction: reps, clients, then every touch (indexes built after)."""
    rng = random.Random(seed)
    week = recap_week(NOW, ZoneInfo(ZONE))
    span = (week.ends_at - week.starts_at).total_seconds()
    created = week.starts_at - dt.timedelta(days=400)
    rep_ids = [f"U{n:07d}" for n in range(reps)]

    def touch(client: int, rep: str, at: dt.datetime, value: bool) -> tuple[Any, ...]:
        note = rng.choice(VALUE_NOTES if value else ROUTINE_NOTES)
        kind = Kind.VALUE if value else Kind.ROUTINE
        return (TEAM, client + 1, rep, at, at, note, kind.value, Source.SLASH.value, False)

    history = (
        touch(i, rep_ids[i % reps], week.starts_at - dt.timedelta(days=rng.randint(1, 200)), True)
        for i in range(clients)
    )
    this_week = (
        touch(
            client,
            rep_ids[(client + rng.randrange(3)) % reps],
            week.starts_at + dt.timedelta(seconds=rng.random() * span),
            rng.random() < 0.6,
        )
        for client in (rng.randrange(clients) for _ in range(touches))
    )
    touch_table = TouchRow.__table__
    assert isinstance(touch_table, Table)
    with db.transaction(write=True) as session:
        connection = session.connection()
        session.execute(
            insert(RepRow),
            [
                {
                    "team_id": TEAM,
                    "user_id": user_id,
                    "display_name": f"Rep {n}",
                    "tz": ZONE,
                    "profile_refreshed_at": NOW,
                }
                for n, user_id in enumerate(rep_ids)
            ],
        )
        client_table = ClientRow.__table__
        assert isinstance(client_table, Table)
        _insert_many(
            connection,
            client_table,
            (
                "id",
                "team_id",
                "name",
                "name_key",
                "aliases",
                "owner_id",
                "tier",
                "renewal_date",
                "status",
                "created_at",
            ),
            (
                (
                    i + 1,
                    TEAM,
                    f"Client {i:06d}",
                    f"client {i:06d}",
                    [],
                    rep_ids[i % reps],
                    ("A", "B", "C", None)[i % 4],
                    dt.date(2026, 1, 1) + dt.timedelta(days=i % 365),
                    "archived" if i % 50 == 0 else "active",
                    created,
                )
                for i in range(clients)
            ),
        )
        # Loading into bare tables and indexing once is several times faster.
        indexes = list(touch_table.indexes)
        for index in indexes:
            index.drop(connection)
        columns = (
            "team_id",
            "client_id",
            "rep_id",
            "occurred_at",
            "logged_at",
            "note",
            "kind",
            "source",
            "about_problem",
        )
        _insert_many(connection, touch_table, columns, history)
        _insert_many(connection, touch_table, columns, this_week)
        for index in indexes:
            index.create(connection)


def run(touches: int = 100_000, repeat: int = 3) -> dict[str, float]:
    """Seed a fresh SQLite file, then time the recap. Returns the figures (seconds, MB).

    `recap_s` is the best of `repeat` runs of the read-and-build; `recap_cold_s` the first.
    """
    reps = max(10, touches // 100)
    clients = max(100, touches // 10)
    with tempfile.TemporaryDirectory(prefix="touchbase-recap-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'recap.db'}"
        db = Database.from_url(url)
        try:
            migrate.upgrade(db.engine)
            started = time.perf_counter()
            seed(db, touches=touches, reps=reps, clients=clients)
            seeded = time.perf_counter() - started
            rss_seeded = _peak_rss_mb()

            timings = []
            for _ in range(max(repeat, 1)):
                started = time.perf_counter()
                message = recap.prepare(db, TEAM, NOW, ZoneInfo(ZONE))
                timings.append(time.perf_counter() - started)
            # What the recap itself allocates at its peak, in a second, untimed pass.
            tracemalloc.start()
            recap.prepare(db, TEAM, NOW, ZoneInfo(ZONE))
            allocated = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
            tracemalloc.stop()

            with SlackStandIn(team_id=TEAM) as slack:
                slack.add_channel(CHANNEL, name="team-wins", is_member=True)
                settings = Settings(
                    bot_token="xoxb-bench",
                    signing_secret="bench",
                    database_url=url,
                    slack_api_url=slack.api_url,
                    recap_channel=CHANNEL,
                    timezone=ZONE,
                )
                deps = Deps(settings=settings, db=db, slack=make_client(settings))
                started = time.perf_counter()
                report = recap.run(deps, NOW, channel=CHANNEL)
                ran = time.perf_counter() - started
                if report.outcome != "sent" or len(slack.messages(CHANNEL)) != 1:
                    raise RuntimeError(f"the recap wasn't posted: {report.outcome}")
        finally:
            db.dispose()
    return {
        "touches": float(touches),
        "reps": float(reps),
        "clients": float(clients),
        "seed_s": seeded,
        "recap_s": min(timings),
        "recap_cold_s": timings[0],
        "run_s": ran,
        "blocks": float(len(message.blocks)),
        "peak_rss_mb": _peak_rss_mb(),
        "peak_rss_seeded_mb": rss_seeded,
        "recap_alloc_peak_mb": allocated,
        "target_s": TARGET_S,
    }


def report(figures: dict[str, Any]) -> str:
    verdict = "within" if figures["recap_s"] < figures["target_s"] else "OVER"
    return "\n".join(
        [
            f"Weekly recap, SQLite: {figures['touches']:,.0f} touches in the week, "
            f"{figures['reps']:,.0f} reps, {figures['clients']:,.0f} clients",
            f"  seed                 {figures['seed_s']:7.2f} s",
            f"  read + build recap   {figures['recap_s']:7.3f} s  "
            f"({verdict} the {figures['target_s']:.0f} s target; first run "
            f"{figures['recap_cold_s']:.3f} s)",
            f"  whole run + Slack    {figures['run_s']:7.3f} s  "
            f"({figures['blocks']:.0f} blocks posted)",
            f"  peak RSS             {figures['peak_rss_mb']:7.1f} MB  "
            f"(after seeding: {figures['peak_rss_seeded_mb']:.1f} MB)",
            f"  recap's own peak     {figures['recap_alloc_peak_mb']:7.1f} MB  "
            "(Python allocations, tracemalloc)",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.recap", description=__doc__)
    parser.add_argument("--touches", type=int, default=100_000, help="touches in the week")
    args = parser.parse_args(argv)
    figures = run(args.touches)
    print(report(figures))
    return 0 if figures["recap_s"] < figures["target_s"] else 1


if __name__ == "__main__":
    sys.exit(main())
