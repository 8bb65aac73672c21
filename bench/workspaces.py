"""Many workspaces: the whole nudge pass over 1,000 installed workspaces of 100 clients each,
against the same clients, reps and touches in one workspace, in the same run.

Both layouts run in OAuth mode: every workspace is installed (its token Fernet-encrypted in
the installation store) and each digest goes out with its own workspace's token, to the local
Slack stand-in (no latency, no faults). Each workspace has 5 reps, so the one big workspace
has 100,000 clients and 5,000 reps: the same books, split or not. Rep profiles are fresh, so
the pass makes no users.info calls; every client was last touched up to 180 days ago, so
most reps are due a digest.

Each layout runs on its own copy of the seeded SQLite file, alternating, `rounds` times: a
dry run (planning alone: reads, the rules and Block Kit), then the real pass (planning again,
then claim, send and record each digest). The per-workspace overhead is the many workspaces'
pass time over the one workspace's.

`python -m bench.workspaces --workspaces 100` runs it alone.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation

from bench.common import (
    SECRET,
    Check,
    Section,
    StatementCounter,
    Table,
    ratio,
    scratch_dir,
    secs,
    times,
)
from bench.seed import (
    NOW,
    Book,
    _migrate,
    _sqlite_rows,
    _summarise,
    client_rows,
    rep_id,
    rep_rows,
    touch_rows,
)
from bot.config import Settings
from bot.db.engine import Database
from bot.deps import Deps
from bot.devtools.standin import SlackStandIn
from bot.installations import InstallationStore, Workspaces
from bot.services import nudges
from bot.webapi import make_client

CLIENTS_PER_WORKSPACE = 100
REPS_PER_WORKSPACE = 5
TOUCHES_PER_CLIENT = 5
CLIENT_ID = "1111.2222"
KEY = Fernet.generate_key().decode()
# The most the pass over many workspaces may take, as a multiple of the same books in one.
MAX_RATIO = 1.5

# What profiling this benchmark changed (30 November 2026, on a machine shared with other
# work): the statements of client_owners, the conversation reads and due_activities built
# once, and the conversation read in plan_team's second transaction. Before = the first run
# of this benchmark (and an A/B of planning's CPU time, old code against new, twice).
CHANGES = (
    ("Planning, 1,000 workspaces ÷ 1 workspace, same run", "2.73×", "1.46×"),
    ("Whole pass, 1,000 workspaces ÷ 1 workspace, same run", "1.18×", "1.12×"),
    ("Planning CPU, 200 workspaces of 100 clients (A/B twice)", "1.73 / 1.63 s", "1.05 / 1.08 s"),
    ("Planning CPU, 1 workspace of 20,000 clients", "0.80 s", "0.67 s"),
    (
        "SQL statements planning 1,000 workspaces (before main's promise-makers read)",
        "13,945",
        "12,945",
    ),
)


def team_id(n: int) -> str:
    return f"T{n:06d}"


def token_of(team: str) -> str:
    return f"xoxb-{team}-bench"


def books(workspaces: int, per_workspace: int) -> list[Book]:
    """`workspaces` books of `per_workspace` clients each, REPS_PER_WORKSPACE reps to 100."""
    reps = max(1, per_workspace * REPS_PER_WORKSPACE // CLIENTS_PER_WORKSPACE)
    return [
        Book(
            clients=per_workspace,
            reps=reps,
            touches_per_client=TOUCHES_PER_CLIENT,
            team_id=team_id(n),
            seed=7 + n,
            history_days=0,
            snoozes=False,
        )
        for n in range(workspaces)
    ]


def _shifted(rows: Iterator[tuple[Any, ...]], column: int, by: int) -> Iterator[tuple[Any, ...]]:
    """Each book numbers its clients from 1: in one database, the n-th book's come after the
    ones before it."""
    for row in rows:
        yield (*row[:column], row[column] + by, *row[column + 1 :])


def _people(rows: Iterator[tuple[Any, ...]], column: int, by: int) -> Iterator[tuple[Any, ...]]:
    """Each book names its reps from U0REP00000: the n-th book's are other people, after the
    ones before it, so that both layouts have the same 5,000 people."""
    for row in rows:
        user = row[column] and rep_id(int(row[column].removeprefix("U0REP")) + by)
        yield (*row[:column], user, *row[column + 1 :])


def seed(path: Path, layout: list[Book]) -> tuple[int, int]:
    """A migrated SQLite file holding every book of `layout`, each workspace installed;
    (clients, touches) written."""
    url = f"sqlite:///{path}"
    _migrate(url)
    connection = sqlite3.connect(path, isolation_level=None)
    clients = touches = reps = 0
    try:
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("BEGIN")
        for book in layout:
            connection.executemany(
                "INSERT INTO rep (team_id, user_id, display_name, tz, is_admin, active, "
                "paused_until, profile_refreshed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                list(_sqlite_rows(_people(rep_rows(book), 1, reps))),
            )
            rows = _people(_shifted(client_rows(book), 0, clients), 5, reps)
            connection.executemany(
                "INSERT INTO client (id, team_id, name, name_key, aliases, owner_id, tier, "
                "renewal_date, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                list(_sqlite_rows(rows)),
            )
            written = list(_sqlite_rows(_people(_shifted(touch_rows(book), 1, clients), 2, reps)))
            connection.executemany(
                "INSERT INTO touch (team_id, client_id, rep_id, occurred_at, logged_at, note, "
                "kind, source, follow_up_on, about_problem) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                written,
            )
            clients += book.clients
            touches += len(written)
            reps += book.reps
        connection.execute("COMMIT")
    finally:
        connection.close()
    _summarise(url, layout[0])
    db = Database.from_url(url)
    try:
        store = InstallationStore(CLIENT_ID, db.engine, KEY)
        for book in layout:
            store.save(
                Installation(
                    app_id="A0TOUCH",
                    team_id=book.team_id,
                    bot_token=token_of(book.team_id),
                    bot_id="B0TOUCHBOT",
                    bot_user_id="U0TOUCHBOT",
                    bot_scopes="chat:write,users:read",
                    user_id="U0INSTALLER",
                    installed_at=NOW.timestamp() - 86400,
                )
            )
    finally:
        db.dispose()
    return clients, touches


def copy(source: Path, to: Path) -> Path:
    with sqlite3.connect(source) as src, sqlite3.connect(to) as dst:
        src.backup(dst)
    return to


def measure(path: Path, slack: SlackStandIn, reps_per_team: int) -> dict[str, Any]:
    """The dry run, then the real pass, on the database at `path`, whose n-th workspace's
    reps are the n-th `reps_per_team` people."""
    url = f"sqlite:///{path}"
    settings = Settings(
        bot_token="",
        client_id=CLIENT_ID,
        client_secret="bench-client-secret",
        token_key=KEY,
        signing_secret=SECRET,
        database_url=url,
        slack_api_url=slack.api_url,
    )
    db = Database.from_url(url)
    store = InstallationStore(CLIENT_ID, db.engine, KEY)
    deps = Deps(
        settings=settings,
        db=db,
        slack=make_client(settings),
        clock=lambda: NOW,
        workspaces=Workspaces(settings, store),
    )
    statements = StatementCounter(db.engine)
    try:
        started = time.perf_counter()
        planned = nudges.run_pass(deps, NOW, dry_run=True).planned
        planning = time.perf_counter() - started
        planning_statements = statements.count
        statements.reset()
        slack.reset()
        started = time.perf_counter()
        report = nudges.run_pass(deps, NOW)
        wall = time.perf_counter() - started
        calls = slack.calls
    finally:
        statements.close()
        db.dispose()
    by_team = Counter(str(c.token).removeprefix("xoxb-").removesuffix("-bench") for c in calls)
    # A digest sent with a token other than its rep's workspace's.
    misdirected = sum(
        c.token != token_of(team_id(int(c.params["channel"][5:]) // reps_per_team))
        for c in calls
        if c.method == "chat.postMessage"
    )
    return {
        "planning_seconds": planning,
        "planning_statements": planning_statements,
        "pass_seconds": wall,
        "pass_statements": statements.count,
        "planned": len(planned),
        "sent": report.sent,
        "calls": len(calls),
        "calls_ok": sum(c.ok for c in calls),
        "by_method": dict(Counter(c.method for c in calls)),
        "teams_called": len(by_team),
        "misdirected": misdirected,
    }


def run(
    workspaces: int = 1000, *, per_workspace: int = CLIENTS_PER_WORKSPACE, rounds: int = 2
) -> Section:
    many = books(workspaces, per_workspace)
    one = books(1, workspaces * per_workspace)
    results: dict[str, list[dict[str, Any]]] = {"many": [], "one": []}
    with scratch_dir() as tmp, SlackStandIn(team_id=team_id(0)) as slack:
        for n in range(one[0].reps):
            slack.add_user(rep_id(n), name=f"rep{n}", tz="Europe/London")
        seeded: dict[str, tuple[Path, int, int, float]] = {}
        for name, layout in (("many", many), ("one", one)):
            started = time.perf_counter()
            clients, touches = seed(tmp / f"{name}.db", layout)
            seeded[name] = (tmp / f"{name}.db", clients, touches, time.perf_counter() - started)
        for k in range(rounds):
            for name in ("many", "one") if k % 2 == 0 else ("one", "many"):
                path = copy(seeded[name][0], tmp / f"{name}-{k}.db")
                layout = many if name == "many" else one
                results[name].append(measure(path, slack, layout[0].reps))
                path.unlink()
                print(
                    f"  {name}: pass {secs(results[name][-1]['pass_seconds'])}, "
                    f"{results[name][-1]['sent']} sent",
                    flush=True,
                )
    data: dict[str, Any] = {"workspaces": workspaces, "per_workspace": per_workspace}
    for name in ("many", "one"):
        runs = results[name]
        data[name] = {
            "workspaces": workspaces if name == "many" else 1,
            "clients": seeded[name][1],
            "touches": seeded[name][2],
            "reps": sum(b.reps for b in (many if name == "many" else one)),
            "seed_seconds": seeded[name][3],
            "runs": runs,
            "pass_seconds": statistics.median(r["pass_seconds"] for r in runs),
            "planning_seconds": statistics.median(r["planning_seconds"] for r in runs),
        }
    data["pass_ratio"] = ratio(data["many"]["pass_seconds"], data["one"]["pass_seconds"])
    data["planning_ratio"] = ratio(
        data["many"]["planning_seconds"], data["one"]["planning_seconds"]
    )
    return report_section(data)


def report_section(data: dict[str, Any]) -> Section:
    many, one = data["many"], data["one"]
    section = Section(
        "Many workspaces",
        intro=[
            f"The whole nudge pass (`run_pass`: plan, then claim, send and record each digest) "
            f"over {many['workspaces']:,} installed workspaces of {data['per_workspace']:,} "
            f"clients and {REPS_PER_WORKSPACE * data['per_workspace'] // 100} reps each, "
            f"against the same clients, reps and touches in one workspace, in the same run; "
            f"OAuth mode (each workspace's token encrypted in the installation store, every "
            f"digest sent with its own workspace's token) on SQLite, the Slack stand-in "
            f"answering at once. Median of {len(many['runs'])} runs each, alternating, each on "
            "a fresh copy of the seeded file. *Planning* is the dry run (reads, rules, Block "
            "Kit); the pass includes planning again.",
        ],
        data=data,
    )
    table = Table(["Figure", f"{many['workspaces']:,} workspaces", "1 workspace", "Ratio"])
    layouts = (many, one)
    runs = (many["runs"][-1], one["runs"][-1])

    def row(figure: str, show: Callable[[dict[str, Any], dict[str, Any]], str]) -> None:
        """A figure of each layout (with its last run), no ratio."""
        table.add(
            figure, *(show(layout, run) for layout, run in zip(layouts, runs, strict=True)), ""
        )

    def timed(figure: str, seconds: Callable[[dict[str, Any]], float]) -> None:
        """A median time of each layout, and their ratio."""
        took = [seconds(layout) for layout in layouts]
        table.add(figure, secs(took[0]), secs(took[1]), times(ratio(took[0], took[1])))

    row("Clients (touches)", lambda lay, _: f"{lay['clients']:,} ({lay['touches']:,})")
    row("Reps", lambda lay, _: f"{lay['reps']:,}")
    row("Digests planned / sent", lambda _, run: f"{run['planned']:,} / {run['sent']:,}")
    timed("Pass, wall time (median)", lambda lay: lay["pass_seconds"])
    timed("Planning alone, dry run (median)", lambda lay: lay["planning_seconds"])
    timed(
        "Pass minus planning (≈ sending)",
        lambda lay: lay["pass_seconds"] - lay["planning_seconds"],
    )
    row("Pass per digest sent", lambda lay, run: secs(lay["pass_seconds"] / max(run["sent"], 1)))
    row("Web API calls per workspace", lambda lay, run: f"{run['calls'] / lay['workspaces']:,.2f}")
    row("Web API calls per digest sent", lambda _, run: f"{run['calls'] / max(run['sent'], 1):.3f}")
    row(
        "Calls by method",
        lambda _, run: ", ".join(f"{k} {v:,}" for k, v in sorted(run["by_method"].items())),
    )
    row(
        "SQL statements: planning / whole pass",
        lambda _, run: f"{run['planning_statements']:,} / {run['pass_statements']:,}",
    )
    row("Seeding (not timed in the pass)", lambda lay, _: secs(lay["seed_seconds"]))
    section.tables.append(("", table))
    calls_per_digest = [r["calls"] / max(r["sent"], 1) for r in many["runs"] + one["runs"]]
    misdirected = sum(r["misdirected"] for r in many["runs"] + one["runs"])
    section.checks += [
        Check(
            f"pass over {many['workspaces']:,} workspaces ≤ {MAX_RATIO}× the same books in one",
            f"{times(data['pass_ratio'])} ({secs(many['pass_seconds'])} vs "
            f"{secs(one['pass_seconds'])})",
            data["pass_ratio"] <= MAX_RATIO,
        ),
        Check(
            "1 Web API call per digest, with its own workspace's token",
            f"{max(calls_per_digest):.3f}; {misdirected} with another's",
            max(calls_per_digest) == 1 and misdirected == 0,
        ),
    ]
    changes = Table(["Figure", "Before", "After"])
    for change in CHANGES:
        changes.add(*change)
    section.tables.append(
        (
            "What profiling changed (see `CHANGES` in `bench/workspaces.py`): a small workspace's "
            "planning spent as long building its SQL statements as running them; they are "
            "built once now, with bind parameters, and the read of what each rep last talked "
            "about shares a transaction with the pass's other reads. (The first run's sending "
            "figures are not comparable: its workspaces shared five people at the stand-in.)",
            changes,
        )
    )
    section.notes.append(
        f"Per-workspace overhead: the pass over {many['workspaces']:,} workspaces takes "
        f"{times(data['pass_ratio'])} the time of the same books in one workspace "
        f"({secs(many['pass_seconds'] - one['pass_seconds'])} more, "
        f"{secs((many['pass_seconds'] - one['pass_seconds']) / many['workspaces'])} a workspace)."
    )
    return section


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workspaces")
    parser.add_argument("--workspaces", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=CLIENTS_PER_WORKSPACE)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    section = run(args.workspaces, per_workspace=args.clients, rounds=args.rounds)
    print(section.markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
