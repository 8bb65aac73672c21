"""The embedded SQLite database's file: an online backup, a restore, and the lock that tells a
restore whether a Touchbase process has the file open.

Each Touchbase process that opens the file holds a shared advisory lock (flock) on
`<file>.lock` while its Database lives (bot.db.engine), and so does a backup. A restore takes
it exclusively and never waits: while anyone holds it, the restore refuses.

Both copies use SQLite's online backup API (sqlite3's Connection.backup), one step in one
read transaction: a consistent snapshot of every transaction committed before it began, while
writers carry on (the database is in WAL mode).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import weakref
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy.engine import URL

# How long a copy waits for a writer's lock (in WAL mode readers don't wait at all).
BUSY_TIMEOUT = 5


class InUse(Exception):
    """Another Touchbase process has the database open (or is restoring it)."""


class NotACopy(Exception):
    """The file to restore is not a sound Touchbase database."""


def path_of(url: URL) -> Path | None:
    """The file behind a SQLite URL; None for another database or an in-memory one."""
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


def _lock_file(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _lock(path: Path, mode: int) -> int | None:
    """The descriptor holding the lock on `path`'s lock file in `mode`, without waiting; InUse
    if it is held the other way. None if there is no lock file to be had (no such directory,
    no permission): SQLite itself says so when it opens the database."""
    try:
        fd = os.open(_lock_file(path), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        return None
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        if mode == fcntl.LOCK_SH:
            raise InUse(f"{path} is being restored; start again once that is done") from None
        raise InUse(
            f"another Touchbase process has {path} open; stop every one (serve, scheduler, any "
            "other command), then restore again"
        ) from None
    return fd


def share(owner: object, path: Path) -> Callable[[], None]:
    """Hold the shared lock on `path` until the returned function is called or `owner` is
    garbage-collected. InUse while a restore holds it."""
    fd = _lock(path, fcntl.LOCK_SH)
    if fd is None:
        return lambda: None
    return weakref.finalize(owner, os.close, fd)


@contextmanager
def _holding(path: Path, mode: int) -> Iterator[None]:
    fd = _lock(path, mode)
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)


def _open(path: Path, *, read_only: bool) -> sqlite3.Connection:
    """A connection to an existing file (never one created by opening it)."""
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    mode = "ro" if read_only else "rw"
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=BUSY_TIMEOUT)


def backup(source: Path, target: Path) -> None:
    """Copy the live database `source` to `target`, as one self-contained file checked with
    PRAGMA integrity_check. It is written beside `target` first, then renamed over it, so
    `target` is never half-written."""
    partial = target.with_name(f".{target.name}.partial")
    try:
        with (
            closing(_open(source, read_only=False)) as live,
            _holding(source, fcntl.LOCK_SH),
            closing(sqlite3.connect(partial)) as copy,
        ):
            live.backup(copy)
            # One file, without a write-ahead log beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
            _check(copy, source)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def restore(source: Path, target: Path) -> None:
    """Replace the database `target` with the copy `source`. InUse while any Touchbase
    process has `target` open; NotACopy when `source` is no sound Touchbase database."""
    try:
        copy = _open(source, read_only=True)
    except (FileNotFoundError, sqlite3.Error) as error:
        raise NotACopy(str(error)) from None
    with closing(copy):
        _check(copy, source)
        with (
            _holding(target, fcntl.LOCK_EX),
            closing(sqlite3.connect(target, timeout=BUSY_TIMEOUT)) as live,
        ):
            copy.backup(live)


def _check(connection: sqlite3.Connection, name: Path) -> None:
    """NotACopy unless the database passes its integrity check and has Touchbase's schema."""
    try:
        [(verdict,)] = connection.execute("PRAGMA integrity_check").fetchall()
        schema = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
    except (sqlite3.Error, ValueError) as error:
        raise NotACopy(f"{name} isn't a sound SQLite database ({error})") from None
    if verdict != "ok":
        raise NotACopy(f"{name} fails SQLite's integrity check: {verdict}")
    if schema is None:
        raise NotACopy(f"{name} has no Touchbase schema")
