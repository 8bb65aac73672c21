"""Parse the text after `/touch` into a command. Pure: `today` is the rep's local date."""

from __future__ import annotations

import datetime as dt
import re
import shlex
from dataclasses import dataclass

from bot.core.dates import BadDate, parse_iso_date, parse_past_day
from bot.core.model import Tier


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class OpenForm:
    """`/touch` with nothing after it: open the log-touch form."""


@dataclass(frozen=True)
class Undo:
    pass


@dataclass(frozen=True)
class Show:
    query: str


@dataclass(frozen=True)
class ListDue:
    pass


@dataclass(frozen=True)
class Pause:
    until: dt.date | None


@dataclass(frozen=True)
class Resume:
    pass


@dataclass(frozen=True)
class AddClient:
    name: str
    renewal_date: dt.date | None = None
    tier: Tier | None = None
    owner_id: str | None = None


@dataclass(frozen=True)
class EditClient:
    query: str


@dataclass(frozen=True)
class Log:
    """`/touch [day] <client> <note>`: `rest` still holds the client and the note."""

    rest: str
    day: dt.date | None


@dataclass(frozen=True)
class Usage:
    """The command was recognised but its arguments were not; `topic` names which usage to show."""

    topic: str
    problem: str | None = None


@dataclass(frozen=True)
class FutureDay:
    day: dt.date


Command = (
    Help
    | OpenForm
    | Undo
    | Show
    | ListDue
    | Pause
    | Resume
    | AddClient
    | EditClient
    | Log
    | Usage
    | BadDate
    | FutureDay
)

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def parse(text: str, today: dt.date) -> Command:
    text = " ".join(text.split())
    if not text:
        return OpenForm()
    head, _, tail = text.partition(" ")
    match head.lower():
        case "help" | "?" | "-h" | "--help":
            return Help()
        case "undo":
            return Undo() if not tail else Usage("undo")
        case "list":
            return ListDue()
        case "resume":
            return Resume()
        case "pause":
            return _pause(tail, today)
        case "show" if tail:
            return Show(tail.strip('"'))
        case "show":
            return Usage("show")
        case "edit" if tail:
            return EditClient(tail.strip('"'))
        case "edit":
            return Usage("edit")
        case "add" if tail:
            return _add(tail)
        case "add":
            return OpenForm()
    day = parse_past_day(head, today)
    if isinstance(day, BadDate):
        return day
    if day is None:
        return Log(text, None)
    if day > today:
        return FutureDay(day)
    if not tail:
        return Usage("log", "client")
    return Log(tail, day)


def _pause(tail: str, today: dt.date) -> Command:
    if not tail:
        return Pause(None)
    words = tail.split()
    if len(words) != 2 or words[0].lower() != "until":
        return Usage("pause")
    until = parse_iso_date(words[1])
    if until is None:
        return Usage("pause", "date")
    if isinstance(until, BadDate):
        return until
    if until <= today:
        return Usage("pause", "past")
    return Pause(until)


def _add(tail: str) -> Command:
    try:
        words = shlex.split(tail)
    except ValueError:
        return Usage("add", "quotes")
    name_words: list[str] = []
    renewal: dt.date | None = None
    tier: Tier | None = None
    owner: str | None = None
    i = 0
    while i < len(words):
        word = words[i]
        option = word.lower()
        if option in {"renews", "tier", "owner"} and i + 1 < len(words):
            value = words[i + 1]
            if option == "renews":
                parsed = parse_iso_date(value)
                if parsed is None:
                    return Usage("add", "renews")
                if isinstance(parsed, BadDate):
                    return parsed
                renewal = parsed
            elif option == "tier":
                if value.upper() not in Tier.__members__:
                    return Usage("add", "tier")
                tier = Tier(value.upper())
            else:
                mention = _MENTION.match(value)
                if not mention:
                    return Usage("add", "owner")
                owner = mention.group(1)
            i += 2
            continue
        if renewal or tier or owner:
            # A name must come before the options; a stray word after them is a mistake.
            return Usage("add", "order")
        name_words.append(word)
        i += 1
    if not name_words:
        return Usage("add", "name")
    return AddClient(" ".join(name_words), renewal, tier, owner)
