"""`/touch` under open-loop load: Poisson arrivals at fixed rates, as reps send commands.

Each command is sent at its scheduled instant whether or not earlier ones have been answered,
and timed from that instant, not from when a sender got round to it: a slow server can't slow
the arrivals down and hide its own queue (no coordinated omission). Ack is the HTTP 200; the
reply is the ack itself when it carries one, else the response_url post at the Slack
stand-in. The same arrivals go to a bare Bolt app (`bench/bare_bolt.py`) on the same server,
in the same run, for the floor; server CPU per request is the process's CPU over the run.

Past the work pool's bound (bot.slack.guard.WorkPool) a command is answered at once that nothing
was saved: those are counted as *busy*, apart from the replies.

`python -m bench.load --rates 10,30 --seconds 5 --databases sqlite` runs it alone.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import random
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bench.common import (
    SECRET,
    TEAM,
    Check,
    Section,
    Table,
    ms,
    percentile,
    postgres_available,
    process_cpu_seconds,
    ratio,
    running,
    scratch_dir,
    times,
)
from bench.seed import Book
from bench.touch_latency import (
    Request,
    TimedStandIn,
    database,
    requests_for,
    start_bare,
    start_touchbase,
)
from bot.devtools.slack_requests import sign
from bot.ui import text

RATES = (10, 30, 100, 150)
# SQLite also at 200/s: its target is a usable reply (p99 under 1 s) there.
RATES_BY_DATABASE = {"sqlite": (*RATES, 200), "postgresql": RATES}
TARGET_RATE = 100
TARGET_REPLY_P99 = 0.040
TARGET_REPLY_P50 = 0.010
TARGET_CPU_RATIO = 4.0
USABLE_P99 = 1.0
USABLE_RATE = 200  # SQLite
# Slack shows the user an error when a command isn't acknowledged within 3 seconds.
SLACK_ACK_DEADLINE = 3.0
# Senders: enough that none is ever waited for at the highest rate.
SENDERS = 256


@dataclass
class Run:
    """One rate against one server."""

    rate: float
    scheduled: dict[str, float] = field(default_factory=dict)
    acked: dict[str, float] = field(default_factory=dict)
    answered: dict[str, float] = field(default_factory=dict)
    errors: int = 0
    # Answered at once that the server was too busy and nothing was saved.
    busy: int = 0
    replies: list[float] = field(default_factory=list)
    server_cpu: float = float("nan")

    @property
    def acks(self) -> list[float]:
        return [self.acked[t] - self.scheduled[t] for t in self.acked]

    def ack(self, q: float) -> float:
        return percentile(self.acks, q)

    @property
    def late(self) -> int:
        return sum(1 for ack in self.acks if ack > SLACK_ACK_DEADLINE)

    def reply(self, q: float) -> float:
        return percentile(self.replies, q)

    @property
    def cpu_per_request(self) -> float:
        return self.server_cpu / len(self.scheduled) if self.scheduled else float("nan")

    def summary(self) -> dict[str, float]:
        return {
            "rate": self.rate,
            "requests": len(self.scheduled),
            "errors": self.errors,
            "busy": self.busy,
            "late": self.late,
            **{f"ack_p{q}": self.ack(q) for q in (50, 95, 99)},
            **{f"reply_p{q}": self.reply(q) for q in (50, 95, 99)},
            "replies": len(self.replies),
            "server_cpu_per_request": self.cpu_per_request,
        }


def arrivals(rate: float, seconds: float, seed: int) -> list[float]:
    """Poisson arrival offsets (exponential gaps) over `seconds`."""
    rng = random.Random(seed)
    out, at = [], rng.expovariate(rate)
    while at < seconds:
        out.append(at)
        at += rng.expovariate(rate)
    return out


def send_open_loop(
    port: int, batch: Sequence[Request], offsets: Sequence[float], rate: float
) -> Run:
    run = Run(rate)
    # One keep-alive connection per sender thread, all closed at the end.
    connections: dict[int, http.client.HTTPConnection] = {}
    lock = threading.Lock()

    def send(request: Request) -> None:
        me = threading.get_ident()
        with lock:
            connection = connections.setdefault(
                me, http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            )
        headers = sign(SECRET, request.body.decode(), request.timestamp)
        try:
            connection.request("POST", "/slack/events", request.body, headers)
            response = connection.getresponse()
            body = response.read()
            done = time.perf_counter()
            with lock:
                if response.status != 200:
                    run.errors += 1
                    return
                run.acked[request.token] = done
                if body and json.loads(body).get("text") == text.BUSY:
                    run.busy += 1
                elif body:
                    run.answered[request.token] = done
        except (OSError, http.client.HTTPException):
            connection.close()  # the next request reconnects
            with lock:
                run.errors += 1

    with ThreadPoolExecutor(max_workers=SENDERS) as pool:
        began = time.perf_counter() + 0.05
        for request, offset in zip(batch, offsets, strict=True):
            due = began + offset
            time.sleep(max(0.0, due - time.perf_counter()))
            run.scheduled[request.token] = due
            pool.submit(send, request)
    for connection in connections.values():
        connection.close()
    return run


def collect(slack: TimedStandIn, run: Run, wait: float = 30.0) -> None:
    """Each reply's latency from its scheduled send: in its ack, or by its response_url. (A
    command turned away as busy gets no other reply.)"""
    expected = set(run.acked) - run.answered.keys()
    deadline = time.monotonic() + wait
    while not expected <= slack.arrivals.keys() and time.monotonic() < deadline:
        time.sleep(0.05)
    arrived = {t: slack.arrivals[t] for t in expected if t in slack.arrivals} | run.answered
    run.replies = [arrived[t] - run.scheduled[t] for t in arrived]


def run(
    databases: Sequence[str] = ("sqlite", "postgresql"),
    rates: Sequence[float] | None = None,
    seconds: float = 20.0,
    *,
    clients: int = 1000,
    reps: int = 100,
) -> Section:
    import datetime as dt

    results: dict[str, dict[float, dict[str, Run]]] = {}
    skipped: list[str] = []
    book = Book(clients=clients, reps=reps, now=dt.datetime.now(dt.UTC), history_days=0)
    counter = itertools.count()
    with scratch_dir() as tmp, TimedStandIn(team_id=TEAM) as slack:
        for n, user_id in enumerate(book.rep_ids()):
            slack.add_user(user_id, name=f"rep{n}", tz="Europe/London")
        with running(start_bare(slack.api_url, tmp)) as bare:
            for kind in databases:
                if kind == "postgresql" and not postgres_available():
                    skipped.append("PostgreSQL (no server at the configured URL)")
                    continue
                with (
                    database(kind, tmp, book) as url,
                    running(start_touchbase(url, slack.api_url, tmp, f"load-{kind}")) as app,
                ):
                    warm = requests_for(slack, book, 50, next(counter) * 100_000)
                    for server in (bare, app):
                        send_open_loop(server.port, warm, [i * 0.01 for i in range(50)], 100)
                    results[kind] = {}
                    for rate in rates or RATES_BY_DATABASE[kind]:
                        offsets = arrivals(rate, seconds, seed=int(rate))
                        pair: dict[str, Run] = {}
                        for label, server in (("bare", bare), ("touchbase", app)):
                            batch = requests_for(slack, book, len(offsets), next(counter) * 100_000)
                            cpu = process_cpu_seconds(server.process.pid)
                            pair[label] = send_open_loop(server.port, batch, offsets, rate)
                            if label == "touchbase":  # bare Bolt only acks: no reply to wait for
                                collect(slack, pair[label])
                            pair[label].server_cpu = process_cpu_seconds(server.process.pid) - cpu
                        results[kind][rate] = pair
                        t, b = pair["touchbase"], pair["bare"]
                        print(
                            f"  open loop {kind:<10} {rate:>4}/s: ack p50 {ms(t.ack(50))} "
                            f"p99 {ms(t.ack(99))}, reply p50 {ms(t.reply(50))} "
                            f"p99 {ms(t.reply(99))}, busy {t.busy}, CPU {ms(t.cpu_per_request)} "
                            f"| bare ack p99 {ms(b.ack(99))}, CPU {ms(b.cpu_per_request)}",
                            flush=True,
                        )
    return report(results, seconds=seconds, clients=clients, skipped=skipped)


def report(
    results: dict[str, dict[float, dict[str, Run]]],
    *,
    seconds: float,
    clients: int,
    skipped: Sequence[str] = (),
) -> Section:
    section = Section(
        "/touch under open-loop load",
        intro=[
            f"Poisson arrivals of signed `/touch <client> <note>` commands for {seconds:g} s "
            f"per rate against `touchbase serve --no-scheduler` over a {clients:,}-client book, "
            "each timed from its scheduled send (no coordinated omission); the same arrivals "
            "then go to a bare Bolt app on the same server. *Reply* is the ack when it carries "
            "the reply, else the response_url post; *busy* counts commands answered at once "
            "that nothing was saved (the work pool full), *late* acks slower than Slack's 3 s. "
            "Server CPU per request is the server process's CPU time over the rate's run "
            "(requests and all work) divided by its requests. The machine is shared: compare "
            "figures within a run.",
        ],
        data={
            kind: {rate: {k: v.summary() for k, v in pair.items()} for rate, pair in by.items()}
            for kind, by in results.items()
        },
    )
    table = Table(
        [
            "Database",
            "Rate",
            "Ack p50 / p95 / p99",
            "Reply p50 / p95 / p99",
            "Bare Bolt ack p50 / p99",
            "Errors / busy / late",
            "Server CPU per request (bare)",
            "CPU ratio",
        ]
    )
    for kind, by in results.items():
        for rate, pair in by.items():
            t, b = pair["touchbase"], pair["bare"]
            table.add(
                "SQLite" if kind == "sqlite" else "PostgreSQL",
                f"{rate:g}/s",
                " / ".join(ms(t.ack(q)) for q in (50, 95, 99)),
                " / ".join(ms(t.reply(q)) for q in (50, 95, 99)),
                f"{ms(b.ack(50))} / {ms(b.ack(99))}",
                f"{t.errors} / {t.busy} / {t.late}",
                f"{ms(t.cpu_per_request)} ({ms(b.cpu_per_request)})",
                times(ratio(t.cpu_per_request, b.cpu_per_request)),
            )
    section.tables.append(("", table))
    for kind, by in results.items():
        name = "SQLite" if kind == "sqlite" else "PostgreSQL"
        usable = [rate for rate, pair in by.items() if pair["touchbase"].reply(99) < USABLE_P99]
        section.notes.append(
            f"{name}: highest rate with reply p99 under 1 s: "
            f"{f'{max(usable):g}/s' if usable else 'none'} (of {', '.join(f'{r:g}' for r in by)})."
        )
        if TARGET_RATE in by:
            t, b = by[TARGET_RATE]["touchbase"], by[TARGET_RATE]["bare"]
            section.checks += [
                Check(
                    f"reply p99 ≤ {TARGET_REPLY_P99 * 1000:.0f} ms at {TARGET_RATE}/s ({name})",
                    ms(t.reply(99)),
                    t.reply(99) <= TARGET_REPLY_P99,
                ),
                Check(
                    f"server CPU per /touch ≤ {TARGET_CPU_RATIO:g}× bare Bolt ({name})",
                    f"{times(ratio(t.cpu_per_request, b.cpu_per_request))} "
                    f"({ms(t.cpu_per_request)} vs {ms(b.cpu_per_request)})",
                    ratio(t.cpu_per_request, b.cpu_per_request) <= TARGET_CPU_RATIO,
                ),
            ]
        if name == "SQLite" and USABLE_RATE in by:
            t = by[USABLE_RATE]["touchbase"]
            section.checks.append(
                Check(
                    f"reply p99 < {USABLE_P99:g} s at {USABLE_RATE}/s (SQLite)",
                    ms(t.reply(99)),
                    t.reply(99) < USABLE_P99 and t.busy == 0,
                )
            )
        lowest = min(by)
        section.checks.append(
            Check(
                f"reply p50 ≤ {TARGET_REPLY_P50 * 1000:.0f} ms at {lowest:g}/s ({name})",
                ms(by[lowest]["touchbase"].reply(50)),
                by[lowest]["touchbase"].reply(50) <= TARGET_REPLY_P50,
            )
        )
    for note in skipped:
        section.notes.append(f"Skipped: {note}.")
    return section


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--rates", help="commands/s, for every database (default: each its own)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=1000)
    args = parser.parse_args(argv)
    section = run(
        args.databases.split(","),
        [float(r) for r in args.rates.split(",")] if args.rates else None,
        args.seconds,
        clients=args.clients,
    )
    print(section.markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
