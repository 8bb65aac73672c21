"""Parse the text after `/touch` into a command. Pure: `today` is the rep's local date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.core.dates import BadDate, everyday_sense, parse_iso_date, parse_past_day
from bot.core.model import Tier
from bot.core.user_text import USER_ID, clean_line, name_fits


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

_MENTION = re.compile(rf"^<@({USER_ID})(?:\|[^>]*)?>$")
# Phones turn "straight" quotes into “curly” ones; both kinds quote a name.
_QUOTE_MARKS = '"“”'
_OPTIONS = frozenset({"renews", "tier", "owner"})


def parse(text: str, today: dt.date) -> Command:
    # The command is one line; control characters (NUL, say) can't be kept, so they are spaces.
    text = clean_line(text)
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
            return Show(tail.strip(_QUOTE_MARKS))
        case "show":
            return Usage("show")
        case "edit" if tail:
            return EditClient(tail.strip(_QUOTE_MARKS))
        case "edit":
            return Usage("edit")
        case "add" if tail:
            return _add(tail)
        case "add":
            # Not the log-touch form: the rep asked to add a client and gave no name.
            return Usage("add", "name")
    day = parse_past_day(head, today)
    if day is not None and everyday_sense(head, tail.partition(" ")[0]):
        # "sat down with the owner", "sun damage to the roof": no day.
        day = None
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


def _words(text: str) -> list[tuple[str, bool]] | None:
    """Words, with a "quoted run" kept as one word, each with whether it was quoted.

    Only double quotes group words: an apostrophe is part of a name (O'Brien, Macy's).
    None when a quote is not closed.
    """
    words: list[tuple[str, bool]] = []
    rest = text.strip()
    while rest:
        if rest[0] in _QUOTE_MARKS:
            end = next((i for i, ch in enumerate(rest[1:], 1) if ch in _QUOTE_MARKS), -1)
            if end == -1:
                return None
            if quoted := " ".join(rest[1:end].split()):
                words.append((quoted, True))
            rest = rest[end + 1 :].lstrip()
        else:
            word, _, rest = rest.partition(" ")
            words.append((word, False))
            rest = rest.lstrip()
    return words


def _add(tail: str) -> Command:
    words = _words(tail)
    if words is None:
        return Usage("add", "quotes")
    name_words: list[str] = []
    renewal: dt.date | None = None
    tier: Tier | None = None
    owner: str | None = None
    i = 0
    while i < len(words):
        word, quoted = words[i]
        option = word.lower()
        # The name comes first, so a leading "Tier" or "Owner" is part of it (Tier One Roofing).
        if not quoted and name_words and option in _OPTIONS and i + 1 < len(words):
            value = words[i + 1][0]
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
        if renewal is not None or tier is not None or owner is not None:
            # A name must come before the options; a stray word after them is a mistake.
            return Usage("add", "order")
        name_words.append(word)
        i += 1
    if not name_words:
        return Usage("add", "name")
    name = " ".join(name_words)
    if not name_fits(name):
        return Usage("add", "long")
    return AddClient(name, renewal, tier, owner)
