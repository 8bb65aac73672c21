"""Every refusal from the core (bot.core.refusals), said in words: one place for "can't do that"."""

from __future__ import annotations

import datetime as dt

from bot.core.dates import BadDate, FollowUpInPast
from bot.core.matching import Ambiguous, NoMatch
from bot.core.plan import MAX_NOTE
from bot.core.refusals import (
    ClientGone,
    DayInFuture,
    EmptyNote,
    NotAllowed,
    NoteTooLong,
    Refusal,
)
from bot.ui import text
from bot.ui.blocks import Message, plain


def refusal_message(refusal: Refusal, today: dt.date, *, verb: str = "log") -> Message:
    """What to tell the rep. `verb` names the `/touch` command that looked a client up, so a
    name that fits several clients can say how to try again."""
    match refusal:
        case Ambiguous(query=query, candidates=candidates, note=note, more=more):
            if verb != "log":
                return plain(text.which_client(query, candidates, more, verb))
            # Logging offers pick buttons; only a note over the limit ends here.
            return plain(text.note_too_long(len(note), MAX_NOTE))
        case NoMatch(query=query, closest=closest):
            return plain(text.no_match(query, closest))
        case EmptyNote(client=client):
            return plain(text.empty_note(client))
        case NoteTooLong(length=length):
            return plain(text.note_too_long(length, MAX_NOTE))
        case DayInFuture(day=day):
            return plain(text.day_in_future(day, today))
        case BadDate(text=bad):
            return plain(text.bad_date(bad))
        case FollowUpInPast(day=day):
            return plain(text.follow_up_in_past(day, today))
        case ClientGone():
            return plain(text.CLIENT_GONE)
        case NotAllowed(client=client, owner_name=owner_name):
            return plain(text.not_allowed(client, owner_name))
    raise AssertionError(f"unhandled refusal {refusal!r}")
