"""Picking up where the rep left off: what the last conversation with a client was about, what
the rep promised, and how much of it a rep may be reminded of. Pure.

A morning note or a Home-tab row says "Last talked 12 Jul: lunch with the owner, expansion
plans", follows it with a question ("Ask how the expansion went."), and reminds a promise in
the words that made it. Each comes only from a note the reader may read (bot.core.privacy):
even the topic of a note kept from them would tell its content.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

from bot.core.classify import strip_override
from bot.core.dates import find_promise
from bot.core.model import Client, Touch, WorkspaceSettings
from bot.core.privacy import Reader, is_removed_note, may_read


class Topic(enum.StrEnum):
    """Something in a client's life a rep can ask about next time."""

    CLAIM = "claim"
    FAMILY = "family"
    EXPANSION = "expansion"
    MOVE = "move"
    HIRE = "hire"
    PREMISES = "premises"
    VEHICLE = "vehicle"
    EVENT = "event"


def _words(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE)


# The first that matches wins, in this order: a claim or a family event matters more to the
# client than the business news beside it.
_TOPICS: tuple[tuple[Topic, re.Pattern[str]], ...] = (
    (
        Topic.CLAIM,
        _words(
            r"(?<!no )claims?",
            r"accident",
            r"(?:storm|water|fire|flood) damage",
            r"flood(?:ed|ing)?",
            r"break-?in",
            r"burglary",
            r"theft",
        ),
    ),
    (
        Topic.FAMILY,
        _words(
            r"baby",
            r"wedding",
            r"(?:got|getting) married",
            r"engaged",
            r"graduat\w*",
            r"retir(?:e|es|ed|ing|ement)",
            r"grand(?:child|children|son|daughter|baby)",
        ),
    ),
    (
        Topic.EXPANSION,
        _words(
            r"expan(?:d|ds|ded|ding|sion|sions)",
            r"(?:second|third|another) (?:location|site|store|shop|branch|office|restaurant)",
            r"new branch",
        ),
    ),
    (
        Topic.MOVE,
        _words(
            r"moving(?! (?:forward|on|ahead|along))",
            r"mov(?:e|ed) (?:to|into)",
            r"the move",
            r"relocat\w*",
        ),
    ),
    (
        Topic.HIRE,
        _words(
            r"new hires?",
            r"hir(?:ed|ing)",
            r"new (?:employee|staff|manager|chef|driver|partner|recruit)s?",
            r"onboarding",
        ),
    ),
    (
        Topic.PREMISES,
        _words(
            r"new (?:office|offices|premises|building|warehouse|shop|store|site|location|space|"
            r"unit|kitchen|clinic|studio|restaurant|plant|factory)",
            r"renovat\w*",
            r"remodel\w*",
            r"refit",
        ),
    ),
    (
        Topic.VEHICLE,
        _words(
            r"new (?:truck|van|car|vehicle|trailer|boat|vessel|lorry|bus|forklift)s?",
            r"(?:bought|buying|purchased|leased|leasing) (?:\w+ ){0,2}"
            r"(?:trucks?|vans?|cars?|vehicles?|trailers?|boats?|vessels?|lorr(?:y|ies))",
        ),
    ),
    (
        Topic.EVENT,
        _words(
            r"events?",
            r"conference",
            r"trade ?show",
            r"expo",
            r"fundraiser",
            r"gala",
            r"open house",
            r"grand opening",
            r"launch(?:ed|ing)?",
            r"festival",
        ),
    ),
)


def topic(note: str) -> Topic | None:
    """The first topic the note names that a rep can ask about, if any."""
    return next((found for found, pattern in _TOPICS if pattern.search(note)), None)


# What is left at the edge of a note once its follow-up phrase is cut out: "…, will".
_DANGLING = re.compile(r"(?:[\s,;:.\-–—]|\b(?:and|then|will|to)\b)+$", re.IGNORECASE)


def promised(note: str, day: dt.date, date_order: str = "MDY") -> str | None:
    """What a promise was about: the note without its follow-up phrase ("sent the quote for the
    new truck" of "sent the quote for the new truck, follow up friday"), or None when the
    note is nothing but the promise. `day` is the day the note was written."""
    text = strip_override(note)[0]
    found = find_promise(text, day, date_order)
    if found is not None:
        text = text[: found.start] + " " + text[found.end :]
    left = _DANGLING.sub("", " ".join(text.split())).strip(" ,;:.-–—")
    return left or None


@dataclass(frozen=True)
class Recall:
    """What one rep may be reminded of about one client. Empty when there is nothing, or
    nothing they may read."""

    # The last value-adding contact: its day in the reader's zone, and its note.
    last_day: dt.date | None = None
    last_note: str | None = None
    # What the open promise was about, from the note that made it.
    promised: str | None = None
    # The promise was made in that same last contact: say it once.
    promise_is_last: bool = False

    @property
    def topic(self) -> Topic | None:
        return topic(self.last_note) if self.last_note else None


def recall(
    client: Client,
    reader_id: str,
    settings: WorkspaceSettings,
    *,
    last_value: Touch | None,
    promise: Touch | None,
    tz: dt.tzinfo,
) -> Recall:
    """What the reader may be reminded of, from the client's last value-adding touch and the
    touch that made its open promise.

    Read as the client's owner, the note's author or a colleague, never as an admin: the
    morning note and the Home tab come unasked, and an admin's right to read every note is for
    looking on purpose (where it is audited)."""
    reader = Reader(reader_id)

    def readable(touch: Touch | None) -> Touch | None:
        if touch is None or is_removed_note(touch.note):
            return None
        return touch if may_read(touch, reader, client, settings) else None

    last, made = readable(last_value), readable(promise)
    if last is None and made is None:
        return Recall()
    return Recall(
        last_day=last.occurred_at.astimezone(tz).date() if last else None,
        last_note=" ".join(strip_override(last.note)[0].split()) if last else None,
        promised=(
            promised(made.note, made.occurred_at.astimezone(tz).date(), settings.date_order)
            if made
            else None
        ),
        promise_is_last=last is not None and made is not None and last.id == made.id,
    )
