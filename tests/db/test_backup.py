"""`touchbase db backup` and `touchbase db restore` on the embedded SQLite database, as an
operator runs them: real processes, one of them writing or serving meanwhile."""

from __future__ import annotations

import datetime as dt
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from bot import cli
from bot.core.model import Kind, NewTouch, Source
from bot.db import migrate
from bot.db import repository as repo
from bot.db.engine import Database
from tests.helpers import TEAM, add_client

NOTE = "called about their renewal"


def touchbase(args: list[str], url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATABASE_URL": url},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite file of its own: these commands are for the embedded database, even
    when the suite runs on PostgreSQL."""
    url = f"sqlite:///{tmp_path / 'touchbase.db'}"
    db = Database.from_url(url)
    migrate.upgrade(db.engine)
    db.dispose()
    return url


def touch_ids(path: Path) -> set[int]:
    with closing(sqlite3.connect(path)) as copy:
        return {row[0] for row in copy.execute("SELECT id FROM touch")}


def integrity(path: Path) -> str:
    with closing(sqlite3.connect(path)) as copy:
        result: str = copy.execute("PRAGMA integrity_check").fetchone()[0]
        return result


@pytest.mark.slow
def test_a_backup_while_touches_are_logged_holds_every_touch_committed_before_it(
    sqlite_url: str, tmp_path: Path
) -> None:
    db = Database.from_url(sqlite_url)  # a Touchbase process with the file open, writing
    client = add_client(db, "Acme Insurance Group")
    start = dt.datetime(2026, 11, 23, 15, tzinfo=dt.UTC)
    # A book big enough that the copy takes a while.
    with db.transaction(write=True) as session:
        repo.add_touches(
            session,
            [
                NewTouch(TEAM, client.id, "U0SAM", start, start, NOTE * 20, Kind.VALUE, Source.DEMO)
                for _ in range(20_000)
            ],
        )
    committed: list[int] = []
    failures: list[BaseException] = []
    stop = threading.Event()

    def writer() -> None:
        while not stop.is_set():
            touch = NewTouch(TEAM, client.id, "U0SAM", start, start, NOTE, Kind.VALUE, Source.SLASH)
            try:
                with db.transaction(write=True) as session:
                    touch_id = repo.add_touch(session, touch).id
            except BaseException as error:
                failures.append(error)
                return
            committed.append(touch_id)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(committed) < 20:
            time.sleep(0.01)
        before = set(committed)
        backup = tmp_path / "backups" / "touchbase-backup.db"
        backup.parent.mkdir()
        result = touchbase(["db", "backup", str(backup)], sqlite_url, tmp_path)
        during = len(committed) - len(before)
    finally:
        stop.set()
        thread.join()
        db.dispose()
    assert result.returncode == 0, result.stderr
    assert str(backup) in result.stdout
    assert failures == []
    assert during > 0, "the writer was held up for the whole backup"
    assert integrity(backup) == "ok"
    assert before <= touch_ids(backup)
    assert list(backup.parent.iterdir()) == [backup]  # one file, nothing left half-written


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def serving(sqlite_url: str, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """`touchbase serve` on the database, answering its liveness probe."""
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": sqlite_url,
        "SLACK_BOT_TOKEN": "xoxb-backup-test",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",  # never called
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--no-scheduler", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, "serve exited"
            assert time.monotonic() < deadline, "serve never answered /healthz"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def clients(url: str) -> list[str]:
    db = Database.from_url(url)
    try:
        with db.transaction() as session:
            return sorted(c.name for c in repo.active_clients(session, TEAM))
    finally:
        db.dispose()


@pytest.mark.slow
def test_restore_refuses_while_serve_has_the_database_open_then_puts_the_copy_back(
    sqlite_url: str, tmp_path: Path, serving: subprocess.Popen[str]
) -> None:
    db = Database.from_url(sqlite_url)
    add_client(db, "Acme Insurance Group")
    db.dispose()
    backup = tmp_path / "backup.db"
    assert touchbase(["db", "backup", str(backup)], sqlite_url, tmp_path).returncode == 0
    db = Database.from_url(sqlite_url)
    add_client(db, "Brightside Bakery")  # after the backup: the restore takes it away
    db.dispose()

    refused = touchbase(["db", "restore", str(backup), "--yes"], sqlite_url, tmp_path)
    assert refused.returncode == 2
    [line] = refused.stderr.splitlines()
    assert line.startswith("touchbase: another Touchbase process has ")
    assert clients(sqlite_url) == ["Acme Insurance Group", "Brightside Bakery"]

    serving.terminate()
    serving.wait(timeout=10)
    unsure = touchbase(["db", "restore", str(backup)], sqlite_url, tmp_path)
    assert unsure.returncode == 2
    assert "--yes" in unsure.stderr
    assert clients(sqlite_url) == ["Acme Insurance Group", "Brightside Bakery"]

    restored = touchbase(["db", "restore", str(backup), "--yes"], sqlite_url, tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert clients(sqlite_url) == ["Acme Insurance Group"]
    assert integrity(Path(sqlite_url.removeprefix("sqlite:///"))) == "ok"


def test_restore_refuses_a_file_that_is_not_a_touchbase_database(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    garbage = tmp_path / "notes.txt"
    garbage.write_text("not a database")
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    for source in (garbage, empty, tmp_path / "missing.db"):
        assert cli.main(["db", "restore", str(source), "--yes"]) == 1, source
        [line] = capsys.readouterr().err.splitlines()
        assert line.startswith("touchbase: ") and str(source) in line


@pytest.mark.parametrize(
    ("args", "tool"),
    [(["db", "backup", "nightly.dump"], "pg_dump"), (["db", "restore", "x.dump"], "pg_restore")],
)
def test_on_postgresql_the_commands_say_what_to_run_instead(
    args: list[str],
    tool: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://touchbase@db.example.com/touchbase")
    assert cli.main(args) == 1
    out = capsys.readouterr().out
    assert tool in out
    assert args[-1] in out
    assert '"$DATABASE_URL"' in out
