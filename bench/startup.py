"""Start-up: from starting `touchbase serve` (a subprocess) to the first 200 on /healthz.

On SQLite, `serve` also brings the schema up to date, so the first start on a new file (all the
migrations) is reported apart from restarts on an up-to-date file (the median over `repeats`).
The baseline is `bench.bare_bolt` (a bare Bolt app on the same waitress server), started and
timed the same way, interleaved with the Touchbase runs.

`python -m bench.startup --repeats 3` runs it alone.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import (
    Section,
    Table,
    app_env,
    free_port,
    median,
    ratio,
    scratch_dir,
    secs,
    start_server,
    times,
    touchbase_command,
)
from bot.devtools.standin import SlackStandIn


def _time(argv: list[str], port: int, env: dict[str, str], log: Path) -> float:
    server = start_server(argv, port=port, env=env, log=log, poll=0.002)
    try:
        return server.ready_after
    finally:
        server.stop()


def touchbase(url: str, slack_url: str, log: Path, *, scheduler: bool = False) -> float:
    port = free_port()
    argv = [*touchbase_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if not scheduler:
        argv.append("--no-scheduler")
    return _time(argv, port, app_env(url, slack_url), log)


def bare(slack_url: str, log: Path) -> float:
    port = free_port()
    argv = [sys.executable, "-m", "bench.bare_bolt", "--port", str(port)]
    return _time(argv, port, app_env("sqlite://", slack_url), log)


def run(repeats: int = 7, *, with_scheduler: bool = True) -> Section:
    with scratch_dir() as tmp, SlackStandIn() as slack:
        url = f"sqlite:///{tmp / 'startup.db'}"
        log = tmp / "startup.log"
        first = touchbase(url, slack.api_url, log)
        web: list[float] = []
        scheduled: list[float] = []
        floor: list[float] = []
        for _ in range(repeats):
            floor.append(bare(slack.api_url, log))
            web.append(touchbase(url, slack.api_url, log))
            if with_scheduler:
                scheduled.append(touchbase(url, slack.api_url, log, scheduler=True))
    result = {
        "first": first,
        "web": web,
        "with_scheduler": scheduled,
        "floor": floor,
        "web_median": median(web),
        "with_scheduler_median": median(scheduled),
        "floor_median": median(floor),
    }
    print(
        f"  start-up: {secs(result['web_median'])} (bare Bolt {secs(result['floor_median'])}), "
        f"first start {secs(first)}",
        flush=True,
    )
    return report(result, repeats=repeats)


def report(result: dict[str, Any], *, repeats: int) -> Section:
    section = Section(
        "Start-up",
        intro=[
            "Wall time from starting the process to the first HTTP 200 on `/healthz` (polled "
            f"every 2 ms), SQLite; median of {repeats} interleaved runs each. The baseline is "
            "a bare Bolt app on the same waitress server (`python -m bench.bare_bolt`)."
        ],
        data=result,
    )
    floor = result["floor_median"]
    table = Table(["Process", "Median", "Runs", "Bare Bolt", "Ratio"])
    web, sched = result["web_median"], result["with_scheduler_median"]
    table.add(
        "`touchbase serve --no-scheduler` (up-to-date schema)",
        secs(web),
        repeats,
        secs(floor),
        times(ratio(web, floor)),
    )
    if result["with_scheduler"]:
        table.add(
            "`touchbase serve` (with the scheduler)",
            secs(sched),
            repeats,
            secs(floor),
            times(ratio(sched, floor)),
        )
    first = result["first"]
    table.add(
        "`touchbase serve --no-scheduler`, first start (creates the schema)",
        secs(first),
        1,
        secs(floor),
        times(ratio(first, floor)),
    )
    section.tables.append(("", table))
    return section


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    print(run(args.repeats).markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
