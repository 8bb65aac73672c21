"""Delivery: 1,000 digests through a slow, flaky Slack stand-in, with the real `run_pass`.

The stand-in answers every Web API call after `latency` (50 ms), a 429 with `Retry-After: 1`
on 5 % of calls and a 500 on 1 %, and the WebClient retries as in production
(`bot.webapi.make_client`). The book has one due client per rep, so every rep is owed
exactly one DM. Passes run until no claim is left to retry (a pass every 15 minutes, as the
scheduler would); then every rep's DMs are counted at the stand-in: lost (none) and duplicate
(more than one) DMs must both be 0.

The floor: the same messages posted straight through the same WebClient with the same number
of threads (`SEND_WORKERS`) and the same fault rates — no database, no outbox — in the same run.

`python -m bench.delivery --digests 200` runs it alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_sdk.errors import SlackApiError

from bench.common import SECRET, TEAM, TOKEN, Check, Section, Table, ratio, scratch_dir, secs, times
from bench.seed import NOW, Book, seed
from bot.config import Settings
from bot.db.engine import Database
from bot.deps import Deps
from bot.devtools.standin import SlackStandIn
from bot.services import nudges
from bot.webapi import make_client

PASS_INTERVAL = dt.timedelta(minutes=15)


def delivery_book(digests: int) -> Book:
    """`digests` reps, each owning one client quiet for months: one digest per rep is due."""
    return Book(
        clients=digests,
        reps=digests,
        zone_weights=(50, 50, 0),
        unowned_share=0.0,
        archived_share=0.0,
        quiet_days=(120, 200),
        history_days=0,
        snoozes=False,
    )


def _calls(slack: SlackStandIn) -> dict[str, Any]:
    calls = slack.calls
    return {
        "total": len(calls),
        "ok": sum(1 for c in calls if c.ok),
        "by_method": dict(Counter(c.method for c in calls)),
        "by_status": dict(Counter(str(c.status) for c in calls)),
    }


def run(
    digests: int = 1000,
    *,
    latency: float = 0.05,
    rate_limited: float = 0.05,
    server_error: float = 0.01,
    retry_after: int = 1,
    max_passes: int = 4,
) -> Section:
    book = delivery_book(digests)
    reps = book.rep_ids()
    with scratch_dir() as tmp, SlackStandIn(team_id=TEAM, latency=latency, seed=11) as slack:
        url = f"sqlite:///{tmp / 'delivery.db'}"
        seed(url, book)
        for n, user_id in enumerate(reps):
            slack.add_user(user_id, name=f"rep{n}", tz="Europe/London")
        settings = Settings(
            bot_token=TOKEN, signing_secret=SECRET, database_url=url, slack_api_url=slack.api_url
        )
        deps = Deps(
            settings=settings,
            db=Database.from_url(url),
            slack=make_client(settings),
            clock=lambda: NOW,
        )
        planned = nudges.run_pass(deps, NOW, dry_run=True).planned
        # Which workspace the bot token is for: asked once per process, before the clocks start.
        for team in {p.team_id for p in planned}:
            deps.slack_for(team)

        # The floor: the same messages, straight to the Web API, same threads, same faults.
        slack.reset()
        slack.set_fault_rates(
            rate_limited=rate_limited, server_error=server_error, retry_after=retry_after
        )

        def post(p: nudges.PlannedDigest) -> bool:
            try:
                deps.slack_for(p.team_id).chat_postMessage(
                    channel=p.rep.user_id, **p.message.as_kwargs()
                )
            except SlackApiError:
                return False
            return True

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=nudges.SEND_WORKERS) as pool:
            floor_ok = sum(pool.map(post, planned))
        floor_wall = time.perf_counter() - started
        floor_calls = _calls(slack)

        # The real thing: run_pass, then again for claims released after a 5xx or 429.
        slack.reset()
        slack.set_fault_rates(
            rate_limited=rate_limited, server_error=server_error, retry_after=retry_after
        )
        passes: list[dict[str, Any]] = []
        for k in range(max_passes):
            now = NOW + k * PASS_INTERVAL
            started = time.perf_counter()
            report = nudges.run_pass(deps, now)
            passes.append(
                {
                    "seconds": time.perf_counter() - started,
                    "planned": len(report.planned),
                    "sent": report.sent,
                    "already_claimed": report.already_claimed,
                    "retry_later": report.retry_later,
                    "failed": report.failed,
                }
            )
            if report.retry_later == 0:
                break
        calls = _calls(slack)
        dms = {user_id: len(slack.dm_messages(user_id)) for user_id in reps}
        deps.db.dispose()
        connection = sqlite3.connect(url.split(":///", 1)[1])
        try:
            outbox = dict(connection.execute("SELECT status, count(*) FROM outbox GROUP BY status"))
        finally:
            connection.close()

    delivered = sum(1 for n in dms.values() if n >= 1)
    lost = sum(1 for n in dms.values() if n == 0)
    duplicates = sum(n - 1 for n in dms.values() if n > 1)
    wall = sum(p["seconds"] for p in passes)
    data = {
        "digests": digests,
        "planned": len(planned),
        "floor_seconds": floor_wall,
        "floor_ok": floor_ok,
        "floor_calls": floor_calls,
        "passes": passes,
        "seconds": wall,
        "first_pass_seconds": passes[0]["seconds"],
        "calls": calls,
        "delivered": delivered,
        "lost": lost,
        "duplicates": duplicates,
        "outbox": outbox,
        "calls_per_digest": calls["total"] / delivered if delivered else float("nan"),
        "ok_calls_per_digest": calls["ok"] / delivered if delivered else float("nan"),
    }
    print(
        f"  delivery {digests} digests: {secs(wall)} over {len(passes)} pass(es) "
        f"(floor {secs(floor_wall)}), lost {lost}, duplicates {duplicates}",
        flush=True,
    )
    return report_section(
        data, latency=latency, rates=(rate_limited, server_error), retry_after=retry_after
    )


def report_section(
    data: dict[str, Any], *, latency: float, rates: tuple[float, float], retry_after: int
) -> Section:
    digests = data["digests"]
    section = Section(
        "Delivery",
        intro=[
            f"{digests:,} reps, each owed one digest; the real `run_pass` (claim, send, record; "
            f"{nudges.SEND_WORKERS} sending threads) against the Slack stand-in with "
            f"{latency * 1000:.0f} ms per call, 429 (`Retry-After: {retry_after}`) on "
            f"{rates[0]:.0%} of calls and 500 on {rates[1]:.0%}, on SQLite. Passes repeat "
            "(as the scheduler would, 15 minutes apart) until no claim is left to retry. "
            "The floor posts the same messages straight through the same WebClient, same "
            "threads and fault rates, without the database or the outbox.",
        ],
        data=data,
    )
    table = Table(["Figure", "Touchbase", "Floor: bare Web API calls", "Ratio"])
    table.add(
        "Wall time, all passes",
        secs(data["seconds"]),
        secs(data["floor_seconds"]),
        times(ratio(data["seconds"], data["floor_seconds"])),
    )
    table.add("Wall time, first pass", secs(data["first_pass_seconds"]), "", "")
    table.add("Passes", len(data["passes"]), "1", "")
    per_pass = ", ".join(
        f"{p['sent']} sent / {p['retry_later']} retry / {p['failed']} failed"
        for p in data["passes"]
    )
    table.add("Outcomes per pass", per_pass, f"{data['floor_ok']} accepted", "")
    table.add("DMs delivered", f"{data['delivered']:,} of {digests:,}", f"{data['floor_ok']:,}", "")
    table.add("Lost DMs", data["lost"], "", "")
    table.add("Duplicate DMs", data["duplicates"], "", "")
    calls, floor_calls = data["calls"], data["floor_calls"]
    table.add(
        "Web API calls per digest (with retries)",
        f"{data['calls_per_digest']:.3f}",
        f"{floor_calls['total'] / max(data['floor_ok'], 1):.3f}",
        "",
    )
    table.add(
        "Successful Web API calls per digest", f"{data['ok_calls_per_digest']:.3f}", "1.000", ""
    )
    table.add(
        "Calls by method",
        ", ".join(f"{m} {n}" for m, n in sorted(calls["by_method"].items())),
        ", ".join(f"{m} {n}" for m, n in sorted(floor_calls["by_method"].items())),
        "",
    )
    table.add(
        "Answers by HTTP status",
        ", ".join(f"{s}: {n}" for s, n in sorted(calls["by_status"].items())),
        ", ".join(f"{s}: {n}" for s, n in sorted(floor_calls["by_status"].items())),
        "",
    )
    table.add(
        "Outbox rows by status",
        ", ".join(f"{s}: {n}" for s, n in sorted(data["outbox"].items())),
        "",
        "",
    )
    section.tables.append(("", table))
    section.checks += [
        Check("lost DMs = 0", str(data["lost"]), data["lost"] == 0),
        Check("duplicate DMs = 0", str(data["duplicates"]), data["duplicates"] == 0),
        Check(
            "1 successful Web API call per digest",
            f"{data['ok_calls_per_digest']:.3f}",
            abs(data["ok_calls_per_digest"] - 1) < 1e-9,
        ),
    ]
    return section


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.delivery")
    parser.add_argument("--digests", type=int, default=1000)
    args = parser.parse_args(argv)
    print(run(args.digests).markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
