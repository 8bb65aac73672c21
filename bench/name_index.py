"""`python -m bench.name_index [--clients 100000]`: the per-workspace name index at one size.

On a private copy of a seeded SQLite book (the book of `bench.language.touch_cpu`), through
`bot.services.name_index` as a command does:

- building it: the first command's catch-up, which reads and puts the whole book;
- its memory: the RSS the process grew by (built, then with its fuzzy part), and what
  tracemalloc counts as still allocated (a second build, traced);
- one client edit, written through a second connection as another process would, absorbed by
  the next command: the version read, the changed row read, and the put;
- a name misspelt twice, which falls through to the fuzzy scoring of every client: a slip in
  each of the name's first two words, and two slips in its first word; CPU of the match alone
  and of the whole `/touch` (read, match, plan, write, reply).

The API it uses is the same before and after the index was made compact, so it gives the same-
run baseline when run on an older checkout.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.common import REPO, SECRET, TOKEN, ms
from bench.seed import Book, cached_sqlite, copy_sqlite, names
from bot.config import Settings
from bot.core.matching import match_client
from bot.core.model import Tier
from bot.db import repository as repo
from bot.db.engine import Database
from bot.deps import Deps
from bot.devtools.standin import SlackStandIn
from bot.services import name_index
from bot.services.touches import run_command
from bot.webapi import make_client

COMMANDS = 20
EDITS = 20


def slip(word: str, at: int) -> str:
    """The word with its letter `at` left out (none left out of a short word)."""
    return word if len(word) < 4 else word[:at] + word[at + 1 :]


MISSPELLINGS: dict[str, Callable[[str], str]] = {
    # "Harbor Dental Group" -> "Habor Detal Group"
    "a slip in each of the first two words": lambda name: " ".join(
        slip(w, 2) if n < 2 else w for n, w in enumerate(name.split())
    ),
    # "Harbor Dental Group" -> "Hror Dental Group"
    "two slips in the first word": lambda name: " ".join(
        slip(slip(w, 1), 1) if n == 0 else w for n, w in enumerate(name.split())
    ),
}


def rss() -> int:
    with Path("/proc/self/status").open() as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


def traced(build: Callable[[], object]) -> int:
    """Bytes still allocated after `build`, by tracemalloc."""
    gc.collect()
    before = tracemalloc.take_snapshot()
    build()
    gc.collect()
    after = tracemalloc.take_snapshot()
    return sum(stat.size_diff for stat in after.compare_to(before, "filename"))


def run(clients: int = 100_000) -> dict[str, float]:
    book = Book(clients=clients, reps=10, touches_per_client=2, history_days=0, snoozes=False)
    seeded = cached_sqlite(book)
    known = names(book)
    figures: dict[str, float] = {"clients": clients}
    with tempfile.TemporaryDirectory() as tmp, SlackStandIn(team_id=book.team_id) as slack:
        url = copy_sqlite(seeded, Path(tmp) / "book.db")
        settings = Settings(
            bot_token=TOKEN, signing_secret=SECRET, database_url=url, slack_api_url=slack.api_url
        )
        db = Database.from_url(url)
        other = Database.from_url(url)
        deps = Deps(settings=settings, db=db, slack=make_client(settings), clock=lambda: book.now)
        rep, team = book.rep_ids()[0], book.team_id

        def build() -> None:
            with db.transaction() as session, name_index.current(session, book.team_id):
                pass

        def fuzzy() -> None:
            with db.transaction() as session, name_index.current(session, book.team_id) as kept:
                kept.fuzzy  # noqa: B018 - built on first use

        try:
            name_index.forget()
            gc.collect()
            before = rss()
            started, cpu = time.perf_counter(), time.process_time()
            build()
            figures["build_s"] = time.perf_counter() - started
            figures["build_cpu_s"] = time.process_time() - cpu
            figures["rss_exact_mb"] = (rss() - before) / 1e6
            fuzzy()
            figures["rss_mb"] = (rss() - before) / 1e6

            name_index.forget()
            tracemalloc.start()
            try:
                figures["traced_exact_mb"] = traced(build) / 1e6
                figures["traced_fuzzy_mb"] = traced(fuzzy) / 1e6
            finally:
                tracemalloc.stop()
            figures["traced_mb"] = figures["traced_exact_mb"] + figures["traced_fuzzy_mb"]

            run_command(deps, book.team_id, rep, "acme called")  # warm up
            figures.update(_edits(db, other, book.team_id))
            for label, misspell in MISSPELLINGS.items():
                texts = [
                    f"{misspell(known[(i * 7919) % len(known)])} called about their claim"
                    for i in range(COMMANDS)
                ]
                match, whole = [], []
                for text in texts:
                    with db.transaction() as session, name_index.current(session, team) as kept:
                        started = time.process_time()
                        match_client(text, kept)
                        match.append(time.process_time() - started)
                    started = time.process_time()
                    run_command(deps, book.team_id, rep, text)
                    whole.append(time.process_time() - started)
                figures[f"{label}: match median"] = statistics.median(match)
                figures[f"{label}: match max"] = max(match)
                figures[f"{label}: /touch median"] = statistics.median(whole)
                figures[f"{label}: /touch max"] = max(whole)
        finally:
            db.dispose()
            other.dispose()
    return figures


def _edits(db: Database, other: Database, team_id: str) -> dict[str, float]:
    """One client changed at a time by another connection, then absorbed by the next command."""
    with db.transaction() as session:
        ids = sorted(repo.active_client_ids(session, team_id))
    spent, cpu = [], []
    for n in range(EDITS):
        client_id = ids[(n * 7919) % len(ids)]
        with other.transaction(write=True) as session:
            repo.update_client(
                session,
                team_id,
                client_id,
                owner_id=None,
                tier=Tier.B,
                renewal_date=None,
                aliases=(f"Edit {n}",),
                client_since=None,
            )
        started, used = time.perf_counter(), time.process_time()
        with db.transaction() as session, name_index.current(session, team_id):
            pass
        spent.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    return {
        "edit median": statistics.median(spent),
        "edit max": max(spent),
        "edit cpu median": statistics.median(cpu),
    }


def describe(figures: dict[str, float]) -> str:
    lines = [
        f"{int(figures['clients']):,} clients, {REPO.name}",
        f"build: {figures['build_s']:.2f} s ({figures['build_cpu_s']:.2f} s CPU)",
        f"memory, RSS growth: {figures['rss_exact_mb']:.1f} MB built, "
        f"{figures['rss_mb']:.1f} MB with the fuzzy part",
        f"memory, tracemalloc: {figures['traced_exact_mb']:.1f} MB built, "
        f"{figures['traced_mb']:.1f} MB with the fuzzy part",
        f"one edit absorbed: {ms(figures['edit median'])} median, {ms(figures['edit max'])} max "
        f"({ms(figures['edit cpu median'])} CPU)",
    ]
    for label in MISSPELLINGS:
        lines.append(
            f"{label}: match {ms(figures[f'{label}: match median'])} median, "
            f"{ms(figures[f'{label}: match max'])} max; whole /touch "
            f"{ms(figures[f'{label}: /touch median'])} median, "
            f"{ms(figures[f'{label}: /touch max'])} max"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    figures = run(args.clients)
    print(describe(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
