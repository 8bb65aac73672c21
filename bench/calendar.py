"""The calendar feed: how long one rep's feed takes to build, for a book of 300 clients.

A seeded book (`bench.seed`: one rep owning every client, a year and more of touches) is read
through `bot.services.calendar.feed` as a calendar app's request reads it, in this process:

- a **200**: the reads, the core's events, their words and ETag, and the calendar written out
  by icalendar (`feed(...)` then `.body()`), the content unchanged since the last request;
- the first request after the content **changed**: the same, plus the write that remembers the
  new ETag and Last-Modified;
- a **304**: a conditional request while nothing changed (`feed(...)` alone: no calendar is
  written);
- **writing alone**: `bot.ui.calendar.ics` over the same events.

`python -m bench.calendar` runs it alone.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence

from bench.common import (
    TEAM,
    Check,
    Section,
    Table,
    ms,
    postgres_available,
    postgres_database,
    scratch_dir,
)
from bench.seed import NOW, Book, cached_sqlite, copy_sqlite, rep_id, seed

CLIENTS = 300
TARGET_SECONDS = 0.050
# What profiling found and changed, with the figures before and after (SQLite, 300 clients,
# 617 events, same machine, 30 November 2026). Kept here so the generated report carries it.
HISTORY = (
    "Profiled, then changed: icalendar's `Component.add` works out each value's type again "
    "(`Event.new` more so); properties are now set with their value types (`vText`, "
    "`vDDDTypes`, `vDuration`). The descriptions lost what the title and the day already say, "
    "and the feed's dates are formatted from tables rather than `strftime`. Before and after "
    "(SQLite):"
)
HISTORY_ROWS = (
    ("Served (200)", "133 ms", "84 ms"),
    ("Writing (icalendar)", "96.1 ms", "56 ms"),
    ("304", "33.5 ms", "25 ms"),
    ("Body", "278 KB", "246 KB"),
)
PUBLIC = "https://touchbase.example.com"


def _median_of(repeats: int, work: Callable[[], object]) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def measure(url: str, repeats: int) -> dict[str, float]:
    """Seconds (medians), and the feed's size, for the book at `url`."""
    from bot.config import Settings
    from bot.db import repository as repo
    from bot.db.engine import Database
    from bot.deps import Deps
    from bot.services import calendar
    from bot.webapi import make_client

    settings = Settings(
        bot_token="xoxb-bench",
        signing_secret="bench",
        database_url=url,
        slack_api_url="http://127.0.0.1:9/",
        public_url=PUBLIC,
    )
    db = Database.from_url(url)
    deps = Deps(settings=settings, db=db, slack=make_client(settings), clock=lambda: NOW)
    try:
        link = calendar.new_link(deps, TEAM, rep_id(0))
        assert link is not None
        token = link.removeprefix(f"{PUBLIC}{calendar.PATH_PREFIX}").removesuffix(calendar.SUFFIX)

        def feed() -> calendar.Feed:
            found = calendar.feed(deps, token)
            assert found is not None
            return found

        def changed() -> bytes:
            with db.transaction(write=True) as session:
                repo.calendar_feed_changed(session, calendar.hash_token(token), "stale", NOW)
            return feed().body()

        body = feed().body()  # warm: imports, the pool, the first write of the ETag
        unchanged = feed()
        return {
            "events": float(body.count(b"BEGIN:VEVENT")),
            "bytes": float(len(body)),
            "served_s": _median_of(repeats, lambda: feed().body()),
            "changed_s": _median_of(repeats, changed),
            "not_modified_s": _median_of(repeats, feed),
            "writing_s": _median_of(repeats, unchanged.body),
        }
    finally:
        db.dispose()


def run(*, quick: bool = False, clients: int = CLIENTS, repeats: int | None = None) -> Section:
    book = Book(clients=clients, reps=1)
    repeats = repeats or (15 if quick else 60)
    figures: dict[str, dict[str, float]] = {}
    with scratch_dir() as scratch:
        figures["SQLite"] = measure(copy_sqlite(cached_sqlite(book), scratch / "feed.db"), repeats)
    if not quick and postgres_available():
        with postgres_database() as url:
            seed(url, book)
            figures["PostgreSQL"] = measure(url, repeats)
    return section(figures, repeats, clients)


def section(figures: dict[str, dict[str, float]], repeats: int, clients: int) -> Section:
    result = Section(
        "Calendar feed",
        intro=[
            f"`python -m bench.calendar`: one rep's feed over a seeded book of {clients} "
            "clients that rep owns (a renewal a year each, a year and more of touches, some open "
            "promises and problems), through `bot.services.calendar.feed` in process, median of "
            f"{repeats}. *Served* is a 200 (read, decide, words, ETag, written out by icalendar); "
            "*changed* adds the write that remembers a new ETag; *304* is a conditional request "
            "while nothing changed, answered before anything is written out.",
        ],
        data={name: dict(values) for name, values in figures.items()},
    )
    table = Table(["Database", "Events", "Body", "Served (200)", "Changed (200)", "304", "Writing"])
    for name, values in figures.items():
        table.add(
            name,
            f"{values['events']:.0f}",
            f"{values['bytes'] / 1024:.0f} KB",
            ms(values["served_s"]),
            ms(values["changed_s"]),
            ms(values["not_modified_s"]),
            ms(values["writing_s"]),
        )
    result.tables.append(("", table))
    history = Table(["Figure", "Before", "After"])
    for row in HISTORY_ROWS:
        history.add(*row)
    result.tables.append((HISTORY, history))
    sqlite = figures.get("SQLite")
    if sqlite:
        per_event = sqlite["writing_s"] / max(sqlite["events"], 1)
        result.notes += [
            f"Where a 200's time goes (SQLite): reading and deciding, as for a 304, "
            f"{ms(sqlite['not_modified_s'])}; writing the calendar {ms(sqlite['writing_s'])}, "
            f"{per_event * 1e6:.0f} µs an event in icalendar (close to half of it folding lines "
            "a character at a time). A book has about two events a client: its renewal and its "
            "anniversary.",
            "Calendar apps poll every few hours, mostly with the validators they were given: "
            "those polls are the 304s, answered without writing the calendar.",
        ]
        result.checks.append(
            Check(
                f"a {clients}-client feed builds in < {TARGET_SECONDS * 1000:.0f} ms (SQLite)",
                ms(sqlite["served_s"]),
                sqlite["served_s"] < TARGET_SECONDS,
            )
        )
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.calendar", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="SQLite only, fewer repeats")
    args = parser.parse_args(argv)
    print(run(quick=args.quick).markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
