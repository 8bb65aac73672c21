"""What every benchmark shares: statistics, processes, ports, databases and the report model."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import math
import os
import platform
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TEAM = "T0BENCH"
TOKEN = "xoxb-bench"
SECRET = "bench-signing-secret"
# The local PostgreSQL server; the benchmark creates and drops its own database on it.
POSTGRES_ADMIN_URL = os.environ.get(
    "TOUCHBASE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
# Its own name, so that benchmarks run side by side from several checkouts don't drop each
# other's database.
POSTGRES_BENCH_DB = os.environ.get("TOUCHBASE_BENCH_POSTGRES_DB", "touchbase_bench")


# --------------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) with linear interpolation between ranks, like numpy's."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline and not math.isnan(baseline) else math.nan


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB.

    Linux's VmHWM, which starts afresh at exec; ru_maxrss would carry over the parent's peak
    from the fork, so a small child of a big parent would report the parent's size.
    """
    with contextlib.suppress(OSError, StopIteration, ValueError):
        line = next(
            line
            for line in Path("/proc/self/status").read_text().splitlines()
            if line.startswith("VmHWM:")
        )
        return int(line.split()[1]) / 1024
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / (1024 * 1024)


# --------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    if math.isnan(seconds):
        return "–"
    value = seconds * 1000
    return (
        f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    )


def secs(seconds: float) -> str:
    if math.isnan(seconds):
        return "–"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def times(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.2f}×"


def num(value: float, digits: int = 0) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "–"
    return f"{value:,.{digits}f}"


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([str(c) for c in cells])

    def markdown(self) -> str:
        def line(cells: Sequence[str]) -> str:
            return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

        out = [line(self.headers), "|" + "|".join("---" for _ in self.headers) + "|"]
        out += [line(r) for r in self.rows]
        return "\n".join(out)


@dataclass
class Check:
    """One target: what it asks, the figure measured, and whether it is met."""

    target: str
    measured: str
    met: bool | None  # None: could not be measured


@dataclass
class Section:
    title: str
    intro: list[str] = field(default_factory=list)
    tables: list[tuple[str, Table]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    # Raw figures, for tests and for anyone scripting the benchmarks.
    data: dict[str, Any] = field(default_factory=dict)

    def markdown(self) -> str:
        out = [f"## {self.title}", ""]
        for paragraph in self.intro:
            out += [paragraph, ""]
        for caption, table in self.tables:
            if caption:
                out += [caption, ""]
            out += [table.markdown(), ""]
        for note in self.notes:
            out += [f"- {note}"]
        if self.notes:
            out.append("")
        return "\n".join(out)


def machine() -> dict[str, str]:
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    info = {
        "cores": str(os.cpu_count()),
        "cpu": cpu or "unknown",
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "sqlite": sqlite3.sqlite_version,
    }
    with contextlib.suppress(OSError):
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        info["memory"] = f"{mem_kb / 1024 / 1024:.0f} GB"
    version = postgres_version()
    if version:
        info["postgresql"] = version
    return info


def render(sections: Sequence[Section], *, quick: bool, started: dt.datetime, wall: float) -> str:
    info = machine()
    title = "# Benchmarks" + (" (quick)" if quick else "")
    out = [
        title,
        "",
        "Generated by `make bench"
        + ("-quick" if quick else "")
        + "` (`python -m bench"
        + (" --quick" if quick else "")
        + "`); do not edit by hand. Every figure is measured side by side with its baseline "
        "(the floor) in the same run, on the same machine. Studies run by hand, with their "
        "profiles (/touch over HTTP, the name index), are in [performance.md](performance.md).",
        "",
    ]
    if quick:
        out += [
            "**Quick run**: small sizes, few requests and repeats, SQLite only for latency — "
            "a smoke check of the benchmarks, not figures to quote. `make bench` gives the "
            "real ones.",
            "",
        ]
    out += [
        f"- Date: {started:%Y-%m-%d %H:%M} UTC (took {wall / 60:.1f} min)",
        f"- Machine: {info['cores']} cores ({info['cpu']}), {info.get('memory', '?')} RAM, "
        f"{info['os']}",
        f"- Python {info['python']}, SQLite {info['sqlite']}"
        + (f", PostgreSQL {info['postgresql']}" if "postgresql" in info else ""),
        "- Medians over the repeats shown; latencies as p50 / p95 / p99 over every request.",
        "- Noise: the machine is shared (other test suites may run at the same time), so "
        "absolute figures move between runs; the ratios against the same-run baselines are "
        "the steadier signal.",
        "",
    ]
    checks = [(s.title, c) for s in sections for c in s.checks]
    if checks:
        summary = Table(["Benchmark", "Target", "Measured", "Met"])
        for title_, check in checks:
            met = "n/a" if check.met is None else "yes" if check.met else "**no**"
            summary.add(title_, check.target, check.measured, met)
        out += ["## Targets", "", summary.markdown(), ""]
    out += [s.markdown() for s in sections]
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------------------------
# Processes and ports
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def touchbase_command() -> list[str]:
    """`touchbase` from this interpreter's environment (falls back to `python -m bot`)."""
    script = Path(sys.executable).with_name("touchbase")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def app_env(database_url: str, slack_api_url: str, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "TOUCHBASE_", "DATABASE_URL", "PORT"))
    }
    env.update(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack_api_url,
        DATABASE_URL=database_url,
        PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    )
    env.update(extra)
    return env


def http_status(port: int, path: str, timeout: float = 1.0) -> int | None:
    """The status of GET path on 127.0.0.1:port, or None when nothing answers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        connection.close()


@dataclass
class Server:
    """A server subprocess this benchmark started; stopped by its own pid, never by name."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path
    started_at: float
    ready_after: float = math.nan

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_server(
    argv: Sequence[str],
    *,
    port: int,
    env: Mapping[str, str],
    log: Path,
    ready_path: str = "/healthz",
    timeout: float = 60.0,
    poll: float = 0.005,
) -> Server:
    """Start a server and wait for the first 200 on `ready_path`; `ready_after` is that time."""
    with log.open("ab") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(argv), env=dict(env), stdout=out, stderr=subprocess.STDOUT, cwd=REPO
        )
    server = Server(process, port, log, started)
    deadline = started + timeout
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{argv[0]} exited with {process.returncode}:\n{server.tail()}")
        if http_status(port, ready_path, timeout=0.5) == 200:
            server.ready_after = time.perf_counter() - started
            return server
        time.sleep(poll)
    server.stop()
    raise RuntimeError(f"{' '.join(argv)} did not answer {ready_path} in {timeout}s")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    try:
        yield server
    finally:
        server.stop()


def run_worker(module: str, args: Sequence[str], *, timeout: float = 3600) -> dict[str, Any]:
    """Run `python -m module args` in a fresh interpreter; it prints one JSON object last."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")},
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"{module} printed no result:\n{done.stdout[-2000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


# --------------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------------


def cache_dir() -> Path:
    """Seeded databases are kept here between runs (TOUCHBASE_BENCH_CACHE overrides)."""
    path = Path(
        os.environ.get("TOUCHBASE_BENCH_CACHE") or Path(tempfile.gettempdir()) / "touchbase-bench"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def schema_head() -> str:
    """The Alembic head revision, so cached databases are rebuilt when the schema changes."""
    from alembic.script import ScriptDirectory

    from bot.db.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return head or "base"


def postgres_version() -> str | None:
    try:
        import psycopg

        with psycopg.connect(_libpq(POSTGRES_ADMIN_URL), connect_timeout=2) as connection:
            row = connection.execute("SHOW server_version").fetchone()
            return str(row[0]).split()[0] if row else None
    except Exception:
        return None


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def postgres_available() -> bool:
    return postgres_version() is not None


@contextlib.contextmanager
def postgres_database(name: str = POSTGRES_BENCH_DB) -> Iterator[str]:
    """A fresh database on the local server (created and dropped with autocommit); its URL.

    The test suite's own database (`test`) is left alone.
    """
    import psycopg
    from psycopg import sql

    admin = _libpq(POSTGRES_ADMIN_URL)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base, _, _ = admin.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextlib.contextmanager
def scratch_dir(prefix: str = "touchbase-bench-") -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


class StatementCounter:
    """Counts the SQL statements an engine sends (SQLAlchemy's before_cursor_execute)."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.count = 0
        self.statements: list[str] = []
        self._engine = engine
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.count += 1
        self.statements.append(statement.split(None, 1)[0].upper() if statement else "")

    def reset(self) -> None:
        self.count = 0
        self.statements.clear()

    def close(self) -> None:
        from sqlalchemy import event

        event.remove(self._engine, "before_cursor_execute", self._seen)
