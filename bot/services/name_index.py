"""Each process's name index: a Book of each workspace's active clients, kept current.

A command reads the workspace's book version (one primary-key lookup). When it has moved since
the Book was last brought up to date, only the clients changed since are read and put into it
or dropped from it: every client write bumps the version (bot.db.repository.clients), in
whichever process it happens. An erased client leaves no row to read, so when the Book then
holds more clients than the workspace has, the ones gone are dropped by their IDs.

The Books of the workspaces used least recently are let go past MAX_WORKSPACES, and a Book is
held by one command at a time (matching is CPU work that the GIL runs one at a time anyway).
A Book keeps only what matching needs, not the clients: while a command holds it, the few
clients its answer names are read by ID in the command's session.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy.orm import Session

from bot.core.matching import Book
from bot.core.model import Client, Status
from bot.db import repository as repo

MAX_WORKSPACES = 16


@dataclass
class _Kept:
    book: Book = field(default_factory=Book)
    version: int = -1
    lock: threading.Lock = field(default_factory=threading.Lock)


_kept: OrderedDict[str, _Kept] = OrderedDict()
_kept_lock = threading.Lock()


@contextmanager
def current(session: Session, team_id: str) -> Iterator[Book]:
    """The workspace's Book as of this session's read of its version, held while in use."""
    with _kept_lock:
        kept = _kept.setdefault(team_id, _Kept())
        _kept.move_to_end(team_id)
        while len(_kept) > MAX_WORKSPACES:
            _kept.popitem(last=False)
    with kept.lock:
        version = repo.book_version(session, team_id)
        if version != kept.version:
            _catch_up(session, team_id, kept, version)
        kept.book.read = partial(repo.clients_by_id, session, team_id)
        try:
            yield kept.book
        finally:
            kept.book.read = None


def _catch_up(session: Session, team_id: str, kept: _Kept, version: int) -> None:
    if version < kept.version:  # not this workspace's past: read it afresh
        kept.book, kept.version = Book(), -1
    if kept.version < 0:
        # The whole book, a row at a time: no Client is made, and none is held.
        for key, names in repo.active_client_names(session, team_id):
            kept.book.put(key, names)
    else:
        for client in repo.clients_changed_since(session, team_id, kept.version):
            put(kept.book, client)
    if len(kept.book) > repo.count_active_clients(session, team_id):
        for gone in set(kept.book.ids()) - repo.active_client_ids(session, team_id):
            kept.book.drop(gone)
    kept.version = version


def put(book: Book, client: Client) -> None:
    """Put a client as the database read it into a workspace's Book."""
    if client.status is Status.ACTIVE:
        book.put(client.id, client.names)
    else:
        book.drop(client.id)


def forget() -> None:
    """Let every Book go (tests that replace the database under a process)."""
    with _kept_lock:
        _kept.clear()
