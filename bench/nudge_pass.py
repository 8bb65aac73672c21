"""Nudge pass scale: the planning half of `run_pass` (dry run) at 1k … 1M clients, on SQLite.

Two books of each size: the neglected one (last touches spread over half a year, so most
clients are due) and a healthy one (every client touched within the last 65 days, so only
about a fifth can be due: promises, check-ins, clients just gone quiet, renewals). For each,
a cached, seeded SQLite file (`bench.seed`) is measured in two fresh subprocesses, so each
peak RSS is its own:

- the pass: `run_pass(deps, NOW, dry_run=True)` — reads, the core and the digest blocks —
  with the SQL statements counted (SQLAlchemy's before_cursor_execute), the clients the pass
  read (what `plan_digests` was given), and users.info calls counted at a local Slack stand-in
  (rep profiles are fresh, so steady state is 0);
- the floor: the bare `GROUP BY client_id` over the same touches through the DB-API,
  fetching every row.

`python -m bench.nudge_pass --sizes 1000,10000` runs it alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import (
    Check,
    Section,
    Table,
    median,
    num,
    peak_rss_mb,
    ratio,
    run_worker,
    secs,
    times,
)
from bench.seed import NOW, Book, cached_sqlite

FULL_SIZES = (1_000, 10_000, 100_000, 1_000_000)
QUICK_SIZES = (1_000, 10_000)
TARGET_SIZE = 100_000
BIG_SIZE = 1_000_000
# The neglected book's pass at 100k and 1M, the healthy book's at 100k, and the peak RSS.
TARGET_SECONDS = 2.5
TARGET_BIG_SECONDS = 20.0
TARGET_HEALTHY_SECONDS = 0.8
TARGET_RSS_MB = 250.0
# The last touch of each client is this many days ago at most: 180 neglected, 65 healthy.
BOOKS = {"neglected": (0, 180), "healthy": (0, 65)}

# The floor: the aggregate over every touch that the pass read before the client summary (and
# `client_activity` still reads), without the ORM or the core.
FLOOR_SQL = """
SELECT client_id,
       max(occurred_at),
       max(CASE WHEN kind = 'value' THEN occurred_at END),
       max(CASE WHEN about_problem THEN occurred_at END),
       max(CASE WHEN follow_up_on IS NOT NULL THEN occurred_at END)
FROM touch
WHERE team_id = ? AND occurred_at <= ?
GROUP BY client_id
"""


def repeats_for(size: int, quick: bool) -> int:
    if quick:
        return 2
    return 5 if size <= 10_000 else 3 if size <= 100_000 else 1


# --------------------------------------------------------------------------------------------
# Workers (fresh interpreters)
# --------------------------------------------------------------------------------------------


def work_pass(
    db_path: str, repeats: int, warmup: bool, team: str, now: dt.datetime
) -> dict[str, Any]:
    from bench.common import SECRET, TOKEN, StatementCounter
    from bot.config import Settings
    from bot.db.engine import Database
    from bot.deps import Deps
    from bot.devtools.standin import SlackStandIn
    from bot.services import nudges
    from bot.webapi import make_client

    with SlackStandIn(team_id=team) as slack:
        url = f"sqlite:///{db_path}"
        settings = Settings(
            bot_token=TOKEN, signing_secret=SECRET, database_url=url, slack_api_url=slack.api_url
        )
        deps = Deps(
            settings=settings,
            db=Database.from_url(url),
            slack=make_client(settings),
            clock=lambda: now,
        )
        counter = StatementCounter(deps.db.engine)
        spent = _time_parts(nudges)
        read = _count_read(nudges)
        rss_before = peak_rss_mb()
        if warmup:
            nudges.run_pass(deps, now, dry_run=True)
        seconds: list[float] = []
        statements: list[int] = []
        parts: dict[str, list[float]] = {name: [] for name in PARTS}
        planned = clients_read = 0
        for _ in range(repeats):
            counter.reset()
            spent.clear()
            read.clear()
            started = time.perf_counter()
            report = nudges.run_pass(deps, now, dry_run=True)
            seconds.append(time.perf_counter() - started)
            statements.append(counter.count)
            for name in PARTS:
                parts[name].append(spent.get(name, 0.0))
            planned = len(report.planned)
            clients_read = sum(read)
        kinds = sorted(set(counter.statements))
        users_info = len(slack.calls_to("users.info"))
        deps.db.dispose()
    return {
        "seconds": seconds,
        "statements": statements,
        "statement_kinds": kinds,
        "planned": planned,
        "clients_read": clients_read,
        "users_info": users_info,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak_rss_mb(),
        # The parts of the median run, so they add up to its total.
        "parts": {name: values[_median_index(seconds)] for name, values in parts.items()},
        "parts_total": seconds[_median_index(seconds)] if seconds else float("nan"),
    }


def _median_index(values: Sequence[float]) -> int:
    return sorted(range(len(values)), key=values.__getitem__)[(len(values) - 1) // 2]


# Where a pass spends its time: the repository's read, the core's rules, Block Kit rendering.
PARTS = {
    "due_activities": "reading the clients that can be due (`due_activities`)",
    "plan_digests": "the rules and the planner (`plan_digests`)",
    "digest_message": "Block Kit (`digest_message`)",
}


def _time_parts(nudges: Any) -> dict[str, float]:
    """Wrap the pass's parts with timers (a few µs per call); returns the running totals."""
    spent: dict[str, float] = {}

    def timed(name: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - started

        return wrapper

    # This runs in a worker process of its own, so patching the modules touches nothing else.
    nudges.repo.due_activities = timed("due_activities", nudges.repo.due_activities)
    for name in ("plan_digests", "digest_message"):
        setattr(nudges, name, timed(name, getattr(nudges, name)))
    return spent


def _count_read(nudges: Any) -> list[int]:
    """The clients each `plan_digests` call was given: what the pass read of the book."""
    read: list[int] = []
    plan = nudges.plan_digests

    def counted(due: Any, activities: Any, *args: Any, **kwargs: Any) -> Any:
        read.append(len(activities))
        return plan(due, activities, *args, **kwargs)

    nudges.plan_digests = counted
    return read


def work_floor(
    db_path: str, repeats: int, warmup: bool, team: str, now: dt.datetime
) -> dict[str, Any]:
    rss_before = peak_rss_mb()
    bound = now.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    connection = sqlite3.connect(db_path)
    seconds: list[float] = []
    rows = 0
    try:
        for i in range(repeats + (1 if warmup else 0)):
            started = time.perf_counter()
            rows = len(connection.execute(FLOOR_SQL, (team, bound)).fetchall())
            if i >= (1 if warmup else 0):
                seconds.append(time.perf_counter() - started)
    finally:
        connection.close()
    return {
        "seconds": seconds,
        "rows": rows,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak_rss_mb(),
    }


# --------------------------------------------------------------------------------------------
# The benchmark
# --------------------------------------------------------------------------------------------


def measure(
    size: int,
    *,
    repeats: int,
    reps: int = 1000,
    book_name: str = "neglected",
    warmup: bool | None = None,
) -> dict[str, Any]:
    """Seed (or reuse) a book of `size` clients and measure the pass and its floor."""
    book = Book(clients=size, reps=reps, quiet_days=BOOKS[book_name])
    seeded = cached_sqlite(book)
    path = seeded.url.split(":///", 1)[1]
    warm = size <= 100_000 if warmup is None else warmup
    args = [
        "--db",
        path,
        "--repeats",
        str(repeats),
        "--team",
        book.team_id,
        "--now",
        NOW.isoformat(),
    ]
    if warm:
        args.append("--warmup")
    passed = run_worker("bench.nudge_pass", ["--worker", "pass", *args])
    floor = run_worker("bench.nudge_pass", ["--worker", "floor", *args])
    return {
        "size": size,
        "book": book_name,
        "touches": seeded.touches,
        "seeded_seconds": seeded.seconds,
        "cached": seeded.cached,
        "db_mb": Path(path).stat().st_size / 1e6,
        "repeats": repeats,
        "pass": passed,
        "floor": floor,
        "pass_s": median(passed["seconds"]),
        "floor_s": median(floor["seconds"]),
    }


def run(sizes: Sequence[int] = FULL_SIZES, *, quick: bool = False, reps: int = 1000) -> Section:
    results = []
    for size in sizes:
        for book_name in BOOKS:
            result = measure(size, repeats=repeats_for(size, quick), reps=reps, book_name=book_name)
            results.append(result)
            print(
                f"  nudge pass {size:>9,} clients, {book_name}: {secs(result['pass_s'])} "
                f"(floor {secs(result['floor_s'])}), {result['pass']['clients_read']:,} read, "
                f"peak RSS {result['pass']['peak_rss_mb']:.0f} MB",
                flush=True,
            )
    return report(results, reps=reps)


# What the client summary changed, measured on 30 November 2026 on this machine (2 cores shared
# with other work): the code before it (9fed83f) and after it alternating, two rounds each, with
# `python -m bench.nudge_pass --sizes 1000,10000,100000`; the 1M book once, after (seeding one
# takes 8.5 minutes), against the 22 November report. Kept here so the report carries it.
SUMMARY_CHANGES = (
    ("Pass, neglected book, 100k", "2.89 s / 3.22 s", "1.27 s / 1.19 s"),
    ("… divided by its raw GROUP BY, same run", "3.51× / 4.92×", "1.93× / 1.81×"),
    ("Pass, healthy book, 100k", "2.90 s / 2.86 s", "576 ms / 530 ms"),
    ("… divided by its raw GROUP BY, same run", "4.69× / 4.63×", "0.88× / 0.83×"),
    (
        "Pass, neglected / healthy book, 10k",
        "508 / 409 ms, 527 / 434 ms",
        "219 / 123 ms, 218 / 133 ms",
    ),
    ("Clients read per pass, 100k neglected / healthy", "87,801 / 87,801", "65,497 / 20,686"),
    ("Peak RSS of the pass, 100k neglected / healthy", "234 / 233 MB", "156 / 118 MB"),
    ("SQL statements per pass", "13", "11"),
    ("Digests planned, every size and book", "570, 186, 906, 786, 906, 906", "the same"),
    (
        "Pass, neglected book, 1M (one run)",
        "58.79 s, peak RSS 1,478 MB",
        "13.55 s, peak RSS 649 MB",
    ),
    ("The owners who may get a digest, 100k (`client_owners`)", "28 ms", "10 ms"),
    ("A touch's write transaction (`add_touch`), 100k book", "0.30 ms", "0.73 ms"),
    ("The nightly summary check, 100k clients (all right)", "–", "5.5 s"),
)


def report(results: list[dict[str, Any]], *, reps: int) -> Section:
    section = Section(
        "Nudge pass (planning half)",
        intro=[
            f"`run_pass(deps, now, dry_run=True)` over seeded SQLite books ({reps:,} reps, about "
            "20 touches per client, ~90 % of reps due at `now` = Monday 15:00 UTC, fresh rep "
            "profiles): the *neglected* book, each client last touched up to 180 days ago, so "
            "most are due, and a *healthy* one, each touched within 65 days, so about a fifth "
            "can be due. Each runs in a fresh subprocess (warm page cache, one untimed warm-up "
            "up to 100k); the floor is the bare `GROUP BY client_id` over the same touches "
            "through the DB-API, fetching every row, in its own fresh subprocess. *Read* is "
            "the clients the pass read and gave the rules.",
        ],
        data={"results": results},
    )
    table = Table(
        [
            "Clients",
            "Book",
            "Touches",
            "Runs",
            "Pass (median)",
            "Floor: raw GROUP BY",
            "Ratio",
            "Read",
            "Peak RSS (floor)",
            "SQL statements",
            "users.info",
            "Digests planned",
        ]
    )
    found = {(r["size"], r["book"]): r for r in results}
    for r in results:
        table.add(
            num(r["size"]),
            r["book"],
            num(r["touches"]),
            r["repeats"],
            secs(r["pass_s"]),
            secs(r["floor_s"]),
            times(ratio(r["pass_s"], r["floor_s"])),
            num(r["pass"]["clients_read"]),
            f"{r['pass']['peak_rss_mb']:.0f} MB ({r['floor']['peak_rss_mb']:.0f} MB)",
            "/".join(str(s) for s in sorted(set(r["pass"]["statements"]))),
            r["pass"]["users_info"],
            num(r["pass"]["planned"]),
        )
    section.tables.append(("", table))
    parts = Table(["Clients", "Book", "Pass", *PARTS.values(), "the rest"])
    for r in results:
        spent = r["pass"].get("parts", {})
        total = r["pass"].get("parts_total", float("nan"))
        rest = total - sum(spent.get(name, 0.0) for name in PARTS)
        parts.add(
            num(r["size"]),
            r["book"],
            secs(total),
            *(secs(spent.get(name, float("nan"))) for name in PARTS),
            secs(rest),
        )
    section.tables.append(("Where the pass spends its time (the median run of each):", parts))
    changes = Table(["Figure (SQLite)", "Before the client summary", "After"])
    for row in SUMMARY_CHANGES:
        changes.add(*row)
    section.tables.append(
        (
            "What the client summary changed (two rounds each, before and after alternating; "
            "see `SUMMARY_CHANGES` in `bench/nudge_pass.py`). The pass now reads each client's "
            "summary, kept by every write, and only the clients whose next check has come; the "
            "aliases are neither read nor decoded; the latest promise is found in the same read "
            "as the other aggregates (the summary's, and `client_activity`'s) instead of a join; "
            "and the owners come from a skip scan of their index instead of a DISTINCT over "
            "every client. Keeping the summary costs each write a few index reads.",
            changes,
        )
    )
    for size in sorted({r["size"] for r in results}):
        neglected, healthy = found.get((size, "neglected")), found.get((size, "healthy"))
        if neglected and healthy:
            read = ratio(healthy["pass"]["clients_read"], neglected["pass"]["clients_read"])
            section.notes.append(
                f"Same size, {num(size)} clients: the healthy book's pass takes "
                f"{times(ratio(healthy['pass_s'], neglected['pass_s']))} the neglected one's, "
                f"reading {times(read)} as many clients."
            )
    if (10_000, "neglected") in found and (TARGET_SIZE, "neglected") in found:
        small, big = found[(10_000, "neglected")], found[(TARGET_SIZE, "neglected")]
        growth = ratio(big["pass_s"], small["pass_s"])
        floor_growth = ratio(big["floor_s"], small["floor_s"])
        section.notes.append(
            f"Growth from 10k to 100k clients (10× the data), neglected book: pass "
            f"{times(growth)}, floor {times(floor_growth)}."
        )
        section.data["growth_10k_100k"] = growth
    counts = {s for r in results for s in r["pass"]["statements"]}
    section.notes.append(
        "SQL statements per pass (BEGIN included): "
        + ", ".join(f"{num(r['size'])} {r['book']}: {r['pass']['statements'][0]}" for r in results)
        + (" — constant, whatever the size." if len(counts) == 1 else " — **not constant**.")
    )
    section.notes.append(
        "Peak RSS is the whole pass process (interpreter, SQLAlchemy, Bolt's client, the "
        "stand-in); the floor's process only imports sqlite3."
    )
    if (TARGET_SIZE, "neglected") in found:
        r = found[(TARGET_SIZE, "neglected")]
        rss = r["pass"]["peak_rss_mb"]
        section.checks += [
            Check(
                f"pass at {TARGET_SIZE // 1000}k clients, neglected book ≤ {TARGET_SECONDS} s",
                secs(r["pass_s"]),
                r["pass_s"] <= TARGET_SECONDS,
            ),
            Check(
                f"peak RSS at {TARGET_SIZE // 1000}k ≤ {TARGET_RSS_MB:.0f} MB",
                f"{rss:.0f} MB",
                rss <= TARGET_RSS_MB,
            ),
        ]
    if (TARGET_SIZE, "healthy") in found:
        r = found[(TARGET_SIZE, "healthy")]
        section.checks.append(
            Check(
                f"pass at {TARGET_SIZE // 1000}k clients, healthy book ≤ "
                f"{TARGET_HEALTHY_SECONDS} s and below the raw GROUP BY",
                f"{secs(r['pass_s'])} (floor {secs(r['floor_s'])})",
                r["pass_s"] <= TARGET_HEALTHY_SECONDS and r["pass_s"] < r["floor_s"],
            )
        )
    if (BIG_SIZE, "neglected") in found:
        r = found[(BIG_SIZE, "neglected")]
        section.checks.append(
            Check(
                f"pass at {BIG_SIZE // 1_000_000}M clients, neglected book ≤ "
                f"{TARGET_BIG_SECONDS:.0f} s",
                secs(r["pass_s"]),
                r["pass_s"] <= TARGET_BIG_SECONDS,
            )
        )
    section.checks.append(
        Check(
            "SQL statements don't grow with clients",
            ", ".join(sorted({str(c) for c in counts})),
            len(counts) == 1,
        )
    )
    calls = sum(r["pass"]["users_info"] for r in results)
    section.checks.append(
        Check("users.info calls in a steady-state pass = 0", str(calls), calls == 0)
    )
    if not results:
        section.notes.append("No sizes were run.")
    return section


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.nudge_pass")
    parser.add_argument("--worker", choices=["pass", "floor"])
    parser.add_argument("--db")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warmup", action="store_true")
    parser.add_argument("--team", default="T0BENCH")
    parser.add_argument("--now", default=NOW.isoformat())
    parser.add_argument("--sizes", default="1000,10000")
    args = parser.parse_args(argv)
    if args.worker:
        work = work_pass if args.worker == "pass" else work_floor
        now = dt.datetime.fromisoformat(args.now)
        print(json.dumps(work(args.db, args.repeats, args.warmup, args.team, now)))
        return 0
    section = run([int(s) for s in args.sizes.split(",")])
    print(section.markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
