"""`/touch` latency over HTTP: time to the HTTP 200 ack, Touchbase against a bare Bolt app.

The production server runs as a real subprocess (`touchbase serve --no-scheduler`, waitress)
over a seeded book, with `SLACK_API_URL` at a Slack stand-in in this process; the floor is
`bench.bare_bolt` (a Bolt app whose handler only acks) on the same waitress settings. Closed-loop
senders (a thread each, one keep-alive `http.client` connection each) post signed slash
commands; for each level the bare app and Touchbase run back to back. Touchbase does the work
and puts the reply in the ack (or, past its deadline, acks empty and replies to the
response_url at the stand-in), so replies are counted (and timed) too. Closed-loop senders
measure saturation: each waits for its answer before sending the next. Errors are non-200
answers and connection errors.

`python -m bench.touch_latency --requests 300 --levels 1,10 --databases sqlite` runs it alone.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import itertools
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    SECRET,
    TEAM,
    Check,
    Section,
    Server,
    Table,
    app_env,
    free_port,
    ms,
    num,
    percentile,
    postgres_available,
    postgres_database,
    process_cpu_seconds,
    ratio,
    running,
    scratch_dir,
    start_server,
    times,
    touchbase_command,
)
from bench.seed import Book, names, seed
from bot.devtools.slack_requests import sign, slash_command_body
from bot.devtools.standin import SlackStandIn
from bot.slack.web import SERVER_THREADS

LEVELS = (1, 10, 50)
TARGET_LEVEL = 10
TARGET_P99 = 0.100
TARGET_RATIO = 1.5
ERROR_LEVEL = 50
# Slack shows the user an error when a slash command isn't acknowledged within 3 seconds.
SLACK_ACK_DEADLINE = 3.0

_TEMPLATES = (
    "{name} called about their claim",
    "{name} sent the invoice #routine",
    "yesterday {name} lunch with the owner",
    "{name} reviewed their cover, follow up in 2 weeks",
)


class TimedStandIn(SlackStandIn):
    """The stand-in, noting when each response_url POST arrives (perf_counter)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arrivals: dict[str, float] = {}

    def _respond(self, token: str, headers: Any, body: bytes) -> Any:
        answer = super()._respond(token, headers, body)
        self.arrivals.setdefault(token.strip("/"), time.perf_counter())
        return answer


@dataclass
class Load:
    """One level against one server."""

    concurrency: int
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    wall: float = 0.0
    sent_at: dict[str, float] = field(default_factory=dict)
    # When an ack carrying the reply itself arrived (perf_counter), by response_url token.
    answered_at: dict[str, float] = field(default_factory=dict)
    replies: int = 0
    reply_latencies: list[float] = field(default_factory=list)
    # The server's CPU time over the level (requests and the work after their acks).
    server_cpu: float = float("nan")

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    def p(self, q: float) -> float:
        return percentile(self.latencies, q)

    @property
    def late(self) -> int:
        """Acks slower than Slack's 3 s: Slack has already told the user it failed."""
        return sum(1 for latency in self.latencies if latency > SLACK_ACK_DEADLINE)

    @property
    def throughput(self) -> float:
        return self.requests / self.wall if self.wall else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "concurrency": self.concurrency,
            "requests": self.requests,
            "p50": self.p(50),
            "p95": self.p(95),
            "p99": self.p(99),
            "max": max(self.latencies, default=float("nan")),
            "throughput": self.throughput,
            "errors": self.errors,
            "late": self.late,
            "statuses": dict(self.statuses),
            "replies": self.replies,
            "reply_p50": percentile(self.reply_latencies, 50),
            "reply_p95": percentile(self.reply_latencies, 95),
            "reply_p99": percentile(self.reply_latencies, 99),
            "server_cpu_per_request": self.cpu_per_request,
        }

    @property
    def cpu_per_request(self) -> float:
        return self.server_cpu / self.requests if self.requests else float("nan")


@dataclass(frozen=True)
class Request:
    body: bytes
    token: str
    timestamp: int


def requests_for(slack: SlackStandIn, book: Book, count: int, offset: int = 0) -> list[Request]:
    """`count` signed `/touch` commands logging touches, spread over the book's clients."""
    clients = names(book)
    reps = book.rep_ids()
    out = []
    now = int(time.time())
    for i in range(offset, offset + count):
        text = _TEMPLATES[i % len(_TEMPLATES)].format(name=clients[(i * 7919) % len(clients)])
        url = slack.response_url(f"lat-{i}")
        body = slash_command_body(
            command="/touch",
            text=text,
            user_id=reps[i % len(reps)],
            team_id=book.team_id,
            response_url=url,
        )
        out.append(Request(body.encode(), url.rsplit("/", 1)[1], now))
    return out


def load(port: int, batch: Sequence[Request], concurrency: int, timeout: float = 30.0) -> Load:
    """Post `batch` with `concurrency` closed-loop senders; time each request to its answer."""
    result = Load(concurrency)
    lock = threading.Lock()
    counter = itertools.count()
    start_gate = threading.Barrier(concurrency + 1)

    def sender() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        start_gate.wait()
        mine: list[float] = []
        errors: Counter[str] = Counter()
        sent: dict[str, float] = {}
        answered: dict[str, float] = {}
        while True:
            with lock:
                i = next(counter)
            if i >= len(batch):
                break
            request = batch[i]
            headers = sign(SECRET, request.body.decode(), request.timestamp)
            started = time.perf_counter()
            sent[request.token] = started
            try:
                connection.request("POST", "/slack/events", request.body, headers)
                response = connection.getresponse()
                if response.read():
                    answered[request.token] = time.perf_counter()
                elapsed = time.perf_counter() - started
                if response.status == 200:
                    mine.append(elapsed)
                    errors["200"] += 1
                else:
                    errors[str(response.status)] += 1
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException) as error:
                errors[type(error).__name__] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.close()
        with lock:
            result.latencies += mine
            result.statuses.update(errors)
            result.sent_at.update(sent)
            result.answered_at.update(answered)

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    result.wall = time.perf_counter() - began
    result.errors = sum(n for status, n in result.statuses.items() if status != "200")
    return result


def collect_replies(slack: TimedStandIn, result: Load, wait: float = 60.0) -> None:
    """Wait (bounded) for the replies to every acked request, in its ack or by its
    response_url; note their latency."""
    deadline = time.monotonic() + wait
    expected = set(result.sent_at) - result.answered_at.keys()
    while time.monotonic() < deadline:
        if expected <= slack.arrivals.keys():
            break
        time.sleep(0.05)
    arrived = {t: slack.arrivals[t] for t in expected if t in slack.arrivals}
    arrived |= result.answered_at
    result.replies = len(arrived)
    result.reply_latencies = [arrived[t] - result.sent_at[t] for t in arrived]


@contextlib.contextmanager
def database(kind: str, tmp: Path, book: Book) -> Iterator[str]:
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'latency.db'}"
        seed(url, book)
        yield url
        return
    with postgres_database() as url:
        seed(url, book)
        yield url


def start_touchbase(url: str, slack_url: str, tmp: Path, name: str) -> Server:
    port = free_port()
    argv = [
        *touchbase_command(),
        "serve",
        "--no-scheduler",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    return start_server(argv, port=port, env=app_env(url, slack_url), log=tmp / f"{name}.log")


def start_bare(slack_url: str, tmp: Path) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "bench.bare_bolt", "--port", str(port)]
    return start_server(argv, port=port, env=app_env("sqlite://", slack_url), log=tmp / "bare.log")


def run(
    databases: Sequence[str] = ("sqlite", "postgresql"),
    levels: Sequence[int] = LEVELS,
    requests: int = 2000,
    *,
    clients: int = 1000,
    reps: int = 100,
    warmup: int = 100,
) -> Section:
    results: dict[str, dict[int, dict[str, Load]]] = {}
    skipped: list[str] = []
    now = dt.datetime.now(dt.UTC)
    # Profiles refreshed an hour ago: /touch makes no users.info calls, as in steady state.
    book = Book(clients=clients, reps=reps, now=now, history_days=0, snoozes=False)
    with scratch_dir() as tmp, TimedStandIn(team_id=TEAM) as slack:
        for n, user_id in enumerate(book.rep_ids()):
            slack.add_user(user_id, name=f"rep{n}", tz="Europe/London")
        offset = itertools.count(step=requests + warmup)
        with running(start_bare(slack.api_url, tmp)) as bare:
            for kind in databases:
                if kind == "postgresql" and not postgres_available():
                    skipped.append("PostgreSQL (no server at the configured URL)")
                    continue
                with (
                    database(kind, tmp, book) as url,
                    running(start_touchbase(url, slack.api_url, tmp, f"touchbase-{kind}")) as app,
                ):
                    for server in (bare, app):
                        load(server.port, requests_for(slack, book, warmup, next(offset)), 10)
                    results[kind] = {}
                    for level in levels:
                        pair: dict[str, Load] = {}
                        for label, server in (("bare", bare), ("touchbase", app)):
                            batch = requests_for(slack, book, requests, next(offset))
                            cpu = process_cpu_seconds(server.process.pid)
                            pair[label] = load(server.port, batch, level)
                            if label == "touchbase":
                                collect_replies(slack, pair[label])
                            pair[label].server_cpu = process_cpu_seconds(server.process.pid) - cpu
                        results[kind][level] = pair
                        t, b = pair["touchbase"], pair["bare"]
                        print(
                            f"  /touch {kind:<10} {level:>2} senders: p50 {ms(t.p(50))} "
                            f"p99 {ms(t.p(99))} ({t.throughput:.0f}/s, {t.errors} errors; "
                            f"replies {t.replies}) | bare p99 {ms(b.p(99))} ({b.throughput:.0f}/s)",
                            flush=True,
                        )
    return report(
        results, requests=requests, clients=clients, reps=reps, warmup=warmup, skipped=skipped
    )


def report(
    results: dict[str, dict[int, dict[str, Load]]],
    *,
    requests: int,
    clients: int,
    reps: int,
    warmup: int = 100,
    skipped: Sequence[str] = (),
) -> Section:
    section = Section(
        "/touch latency over HTTP, closed loop (saturation)",
        intro=[
            f"`touchbase serve --no-scheduler` (waitress, {SERVER_THREADS} threads) as a "
            "subprocess over a "
            f"seeded book ({clients:,} clients, {reps} reps, ~20 touches each), driven with "
            f"signed `/touch <client> <note>` commands that each log a touch; {requests:,} "
            "requests per level from closed-loop senders (one thread and one keep-alive "
            f"connection each, no think time), after {warmup} warm-up requests. Latency is the "
            "time to the HTTP 200 ack. The baseline is a bare Bolt app whose handler only acks "
            "(`bench/bare_bolt.py`), on the same waitress server and threads, measured "
            "back to back with each level. *Replies* counts the replies, in the ack or posted "
            "to the response_url at the Slack stand-in. Closed-loop senders measure saturation, "
            "not what a rep feels at a given rate: see the open-loop table for that.",
        ],
        data={
            kind: {
                level: {k: v.summary() for k, v in pair.items()} for level, pair in levels.items()
            }
            for kind, levels in results.items()
        },
    )
    table = Table(
        [
            "Database",
            "Senders",
            "p50",
            "p95",
            "p99",
            "Bare Bolt p50 / p95 / p99",
            "p99 ratio",
            "Throughput (bare)",
            "Errors (bare)",
            "Acks > 3 s",
            "Server CPU per request (bare)",
            "Replies",
            "Reply p50 / p99",
        ]
    )
    for kind, levels in results.items():
        for level, pair in levels.items():
            t, b = pair["touchbase"], pair["bare"]
            table.add(
                "SQLite" if kind == "sqlite" else "PostgreSQL",
                level,
                ms(t.p(50)),
                ms(t.p(95)),
                ms(t.p(99)),
                f"{ms(b.p(50))} / {ms(b.p(95))} / {ms(b.p(99))}",
                times(ratio(t.p(99), b.p(99))),
                f"{t.throughput:,.0f}/s ({b.throughput:,.0f}/s)",
                f"{t.errors} ({b.errors})",
                t.late,
                f"{ms(t.cpu_per_request)} ({ms(b.cpu_per_request)})",
                f"{t.replies:,}/{len(t.sent_at):,}",
                " / ".join(ms(percentile(t.reply_latencies, q)) for q in (50, 99)),
            )
    section.tables.append(("", table))
    for note in skipped:
        section.notes.append(f"Skipped: {note}.")
    sqlite = results.get("sqlite", {})
    if TARGET_LEVEL in sqlite:
        t, b = sqlite[TARGET_LEVEL]["touchbase"], sqlite[TARGET_LEVEL]["bare"]
        section.checks += [
            Check(
                f"p99 < {TARGET_P99 * 1000:.0f} ms at {TARGET_LEVEL} senders (SQLite)",
                ms(t.p(99)),
                t.p(99) < TARGET_P99,
            ),
            Check(
                f"p99 ≤ {TARGET_RATIO}× bare Bolt at {TARGET_LEVEL} senders (SQLite)",
                f"{times(ratio(t.p(99), b.p(99)))} ({ms(t.p(99))} vs {ms(b.p(99))})",
                ratio(t.p(99), b.p(99)) <= TARGET_RATIO,
            ),
        ]
    for kind, levels in results.items():
        if ERROR_LEVEL in levels:
            t = levels[ERROR_LEVEL]["touchbase"]
            name = "SQLite" if kind == "sqlite" else "PostgreSQL"
            section.checks += [
                Check(
                    f"zero errors at {ERROR_LEVEL} senders ({name})",
                    f"{t.errors} of {num(t.requests)}",
                    t.errors == 0,
                ),
                Check(
                    f"no ack slower than Slack's 3 s at {ERROR_LEVEL} senders ({name})",
                    f"{t.late} of {num(t.requests)} (max {ms(max(t.latencies, default=0))})",
                    t.late == 0,
                ),
            ]
    return section


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.touch_latency")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)))
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=1000)
    args = parser.parse_args(argv)
    section = run(
        args.databases.split(","),
        [int(n) for n in args.levels.split(",")],
        args.requests,
        clients=args.clients,
    )
    print(section.markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
