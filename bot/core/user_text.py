"""Text people give us, made fit to keep: one cleaning and one limit on every path (`/touch`,
the forms, CSV import, Slack profiles), so what SQLite takes PostgreSQL takes too.

PostgreSQL can't store NUL in text at all, and other control characters are junk from copy and
paste. A name loses them to spaces; a note keeps its line breaks and tabs and drops the rest.
"""

from __future__ import annotations

import re

from bot.core.model import MAX_NAME

# C0 and C1 controls, DEL, and lone surrogates (which no database's UTF-8 encoding takes).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# The same, but for the line break and the tab.
_NOTE_JUNK = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

# A Slack user ID, as mentioned in `/touch add` or given in a CSV file; the database keeps
# IDs in 32 characters, and Slack's are shorter still.
USER_ID = r"[UW][A-Z0-9]{2,31}"
# A channel's ID (public C…, private G…): a recap channel is named by ID, never by name.
CHANNEL_ID = r"[CG][A-Z0-9]{2,31}"


def is_user_id(value: str) -> bool:
    return re.fullmatch(USER_ID, value) is not None


def is_channel_id(value: str) -> bool:
    return re.fullmatch(CHANNEL_ID, value) is not None


def clean_line(raw: str) -> str:
    """A name, or anything typed on one line: controls become spaces, each run of spaces one,
    none at the ends."""
    return " ".join(_CONTROLS.sub(" ", raw).split())


def clean_note(raw: str) -> str:
    """A note: line breaks of any style become "\\n", tabs stay, other controls are dropped."""
    return _NOTE_JUNK.sub("", raw.replace("\r\n", "\n").replace("\r", "\n"))


def name_fits(name: str) -> bool:
    """Whether a client's name (or alias) fits: the database keeps it, and the case-blind key
    it is found by, in MAX_NAME characters each. Folding can lengthen a name: "ß" is "ss"."""
    return len(name.casefold()) <= MAX_NAME
