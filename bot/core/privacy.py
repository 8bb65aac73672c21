"""Who may read a note, and the other privacy decisions. Pure.

One rule for every surface that shows a note (`/touch show`, the client view, and any surface
to come, such as the digest's "last talked" line or a calendar feed): call `may_read`, or
`readable` for a list of touches. A note is readable by its author, the client's owner and
admins; everyone else reads it too unless the touch is private or the workspace keeps notes to
owners (`notes_visible_to = owners`). CLI exports are the operator's and hold everything.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.core.model import Client, NoteReaders, Touch, WorkspaceSettings

# `#private` anywhere in a `/touch` note makes the touch private.
_PRIVATE = re.compile(r"(?<!\w)#private\b", re.IGNORECASE)


@dataclass(frozen=True)
class Reader:
    """Who is looking: a Slack user, and whether they are a Touchbase admin."""

    user_id: str
    admin: bool = False


def may_read(touch: Touch, reader: Reader, client: Client, settings: WorkspaceSettings) -> bool:
    """Whether `reader` may read `touch`'s note; `client` is the touch's client."""
    if reader.admin or reader.user_id in {touch.rep_id, client.owner_id}:
        return True
    return not touch.private and settings.notes_visible_to is NoteReaders.TEAM


def visible_note(
    touch: Touch, reader: Reader, client: Client, settings: WorkspaceSettings
) -> str | None:
    """The note as `reader` may see it: its text, or None where "🔒 private note" goes."""
    return touch.note if may_read(touch, reader, client, settings) else None


def admin_only(touch: Touch, reader: Reader, client: Client, settings: WorkspaceSettings) -> bool:
    """Whether `reader` reads this note only because they are an admin: such reads are audited."""
    plain = dataclasses.replace(reader, admin=False)
    return reader.admin and not may_read(touch, plain, client, settings)


@dataclass(frozen=True)
class Readable:
    """Touches as one reader may see them. A hidden note's text is gone, not merely flagged, so
    no surface can show it by mistake."""

    touches: tuple[Touch, ...]
    # Touches whose note this reader may not read: shown as "🔒 private note", with the date.
    hidden: frozenset[int]
    # Touches whose note the reader reads only as an admin.
    admin_only: frozenset[int]


def readable(
    touches: Iterable[Touch], reader: Reader, client: Client, settings: WorkspaceSettings
) -> Readable:
    shown, hidden, admin = [], set(), set()
    for touch in touches:
        if may_read(touch, reader, client, settings):
            shown.append(touch)
            if admin_only(touch, reader, client, settings):
                admin.add(touch.id)
        else:
            shown.append(dataclasses.replace(touch, note=""))
            hidden.add(touch.id)
    return Readable(tuple(shown), frozenset(hidden), frozenset(admin))


def strip_private(note: str) -> tuple[str, bool]:
    """The note without its `#private` tags, and whether it had one."""
    if not _PRIVATE.search(note):
        return note, False
    return re.sub(r"\s{2,}", " ", _PRIVATE.sub("", note)).strip(), True


# Retention


def removed_note(days: int) -> str:
    """What a note's text becomes once it is older than the workspace keeps notes. Stored, not
    shown through bot.ui.text, because it replaces the note in the database."""
    return f"(note removed after {days} days)"


def is_removed_note(note: str) -> bool:
    """Whether a note's text is gone (`removed_note`): nothing to quote or remind of."""
    return _REMOVED.fullmatch(note) is not None


_REMOVED = re.compile(re.escape(removed_note(0)).replace("0", r"\d+"))


def retention_cutoff(now: dt.datetime, days: int) -> dt.datetime:
    """Touches that happened before this instant lose their note's text."""
    return now - dt.timedelta(days=days)


# Finding the client an erasure or an access request is about


def _fold(name: str) -> str:
    return " ".join(name.casefold().split())


def named(clients: Sequence[Client], name: str) -> list[Client]:
    """The client, archived or not, whose name is exactly `name` (ignoring case and spacing);
    failing that, those with it as an alias. Never a prefix or a guess: an erasure must name
    its client."""
    key = _fold(name)
    by_name = [c for c in clients if _fold(c.name) == key]
    return by_name or [c for c in clients if any(_fold(a) == key for a in c.aliases)]
