"""Where a `/touch` over HTTP spends the server's CPU: the real WSGI app of `touchbase serve`,
in this process, against bare Bolt's (`bench/bare_bolt.py`), with the statements and pool
checkouts each `/touch` makes counted by SQLAlchemy's event hooks.

The requests go straight to the WSGI callables (no socket, no waitress: both servers pay that
alike), one at a time, over a seeded 1,000-client book; CPU is this process's CPU time (every
thread's) per request, the best of five rounds. `--profile` runs one more round under cProfile
with the listener pool and the deadline pool run inline (so the one thread profiled sees all
the work) and prints where the time went, by package and by function.

    python -m bench.serve_profile --database sqlite [--profile]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import cProfile
import datetime as dt
import io
import os
import pstats
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from sqlalchemy import event

from bench import bare_bolt
from bench.common import SECRET, TEAM, TOKEN, median, postgres_database, scratch_dir
from bench.seed import Book, seed
from bench.touch_latency import Request, TimedStandIn, requests_for
from bot.devtools.slack_requests import sign

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

P = ParamSpec("P")
T = TypeVar("T")
ROUNDS = 5


class Inline(Executor):
    """Runs each task at once on the submitting thread, so one profiler sees it."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def environ(request: Request) -> dict[str, Any]:
    headers = sign(SECRET, request.body.decode(), request.timestamp)
    env: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": headers.pop("Content-Type", "application/x-www-form-urlencoded"),
        "CONTENT_LENGTH": str(len(request.body)),
        "wsgi.input": io.BytesIO(request.body),
        "REMOTE_ADDR": "127.0.0.1",
    }
    env.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()})
    return env


def drive(wsgi: WSGIApplication, batch: Iterable[Request]) -> list[bytes]:
    """Each request's answer, after checking it is a 200."""
    answers, statuses = [], []

    def start_response(status: str, _headers: Any, _exc_info: Any = None) -> Any:
        statuses.append(status)

    for request in batch:
        body = b"".join(wsgi(environ(request), start_response))
        assert statuses.pop() == "200 OK", body
        answers.append(body)
    return answers


@contextlib.contextmanager
def database(kind: str, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'profile.db'}"
    else:
        with postgres_database() as url:
            yield url


def run(kind: str, requests: int, profile: bool) -> None:
    book = Book(clients=1000, reps=100, now=dt.datetime.now(dt.UTC), history_days=0)
    with scratch_dir() as tmp, TimedStandIn(team_id=TEAM) as slack, database(kind, tmp) as url:
        for n, user_id in enumerate(book.rep_ids()):
            slack.add_user(user_id, name=f"rep{n}", tz="Europe/London")
        seed(url, book)
        os.environ.update(
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
            DATABASE_URL=url,
        )
        from bot.cli import build_deps
        from bot.config import load
        from bot.slack import deadline
        from bot.slack.app import create_app
        from bot.slack.web import create_wsgi_app

        deps = build_deps(load(os.environ))
        inline = Inline() if profile else None
        if profile:
            deadline._THREADS = Inline()  # type: ignore[assignment]
        wsgi = create_wsgi_app(
            create_app(deps, listener_executor=inline), deps.db, signing_secret=SECRET
        )
        bare = bare_bolt.create_wsgi_app(SECRET, slack.api_url, TOKEN)
        statements: collections.Counter[str] = collections.Counter()
        checkouts, transactions, pings = [0], [0], [0]

        @event.listens_for(deps.db.engine, "before_cursor_execute")
        def _count(*args: Any) -> None:
            statements[" ".join(str(args[2]).split())[:100]] += 1

        @event.listens_for(deps.db.engine, "checkout")
        def _checkout(*_: Any) -> None:
            checkouts[0] += 1

        @event.listens_for(deps.db.engine, "begin")
        def _begin(connection: Any) -> None:
            # On PostgreSQL a transaction costs a BEGIN and a COMMIT round trip; autocommit none.
            autocommit = connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
            transactions[0] += not autocommit

        ping = deps.db.engine.dialect.do_ping

        def counted_ping(dbapi_connection: Any) -> bool:
            pings[0] += 1
            return ping(dbapi_connection)

        deps.db.engine.dialect.do_ping = counted_ping  # type: ignore[method-assign]

        offset = iter(range(0, 10**9, 100_000))
        drive(wsgi, requests_for(slack, book, 100, next(offset)))  # warm: the index, the pools
        drive(bare, requests_for(slack, book, 100, next(offset)))
        statements.clear()
        checkouts[0] = transactions[0] = pings[0] = 0
        ours, theirs = [], []
        for _ in range(ROUNDS):
            batch = requests_for(slack, book, requests, next(offset))
            started = time.process_time()
            answers = drive(wsgi, batch)
            ours.append((time.process_time() - started) / requests)
            batch = requests_for(slack, book, requests, next(offset))
            started = time.process_time()
            drive(bare, batch)
            theirs.append((time.process_time() - started) / requests)
        assert all(b"Logged a touch" in answer for answer in answers)
        done = ROUNDS * requests
        print(
            f"{kind}: /touch {median(ours) * 1000:.2f} ms CPU per request (best "
            f"{min(ours) * 1000:.2f}), bare Bolt {median(theirs) * 1000:.3f} ms (best "
            f"{min(theirs) * 1000:.3f}); rounds: {', '.join(f'{x * 1000:.2f}' for x in ours)} ms"
        )
        print(f"pool checkouts per /touch: {checkouts[0] / done:.2f}, pings {pings[0] / done:.2f}")
        print(f"transactions with BEGIN and COMMIT per /touch: {transactions[0] / done:.2f}")
        print(f"statements per /touch: {sum(statements.values()) / done:.2f}")
        for statement, count in statements.most_common():
            print(f"  {count / done:5.2f}  {statement}")
        if profile:
            report(wsgi, requests_for(slack, book, requests, next(offset)))
        deps.db.dispose()


def report(wsgi: WSGIApplication, batch: Sequence[Request]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    drive(wsgi, batch)
    profiler.disable()
    stats = pstats.Stats(profiler)
    by_area: collections.Counter[str] = collections.Counter()
    for (path, _, name), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        by_area[area(path, name)] += own
    total = sum(by_area.values())
    print(f"\nOwn time by area, under cProfile ({total / len(batch) * 1000:.2f} ms a request):")
    for key, seconds in by_area.most_common(15):
        print(f"  {seconds / total:6.1%}  {key}")
    print("\nCumulative time of Touchbase's own steps (share of the request):")
    root = "/bot/"
    rows = [
        (cumulative, f"{Path(path).parent.name}/{Path(path).name}:{name}")
        for (path, _, name), (_, _, _, cumulative, _) in stats.stats.items()  # type: ignore[attr-defined]
        if root in path and "/site-packages/" not in path
    ]
    wall = max(cumulative for cumulative, _ in rows)
    for cumulative, where in sorted(rows, reverse=True)[:30]:
        print(f"  {cumulative / wall:6.1%}  {where}")


def area(path: str, name: str) -> str:
    if "/site-packages/" in path:
        return path.split("/site-packages/")[1].split("/")[0]
    if "/bot/" in path:
        return "bot/" + path.split("/bot/", 1)[1].split("/")[0]
    if path == "~":
        return f"built-in {name}"
    return "stdlib"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.serve_profile")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    run(args.database, args.requests, args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
