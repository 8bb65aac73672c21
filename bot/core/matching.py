"""Find which client a rep means, wherever their text names it.

Names are compared folded: case, accents and punctuation don't matter, "&" is "and", the usual
abbreviations (apts, assoc, bros, co, corp, inc, intl, mgmt, svcs…) are their words, a name's
legal ending (Inc, LLC, Co…) and a leading "The" may be left out, and words may be typed apart
or together ("o brien", "harborview"). Every match is on whole words.

How sure a mention is decides what happens, precision first:

- *sure*: a whole name or alias, word for word ("precision machining", "aig");
- *good*: a name typed with other spacing ("harbor view"), the first words of a name that are
  no everyday word ("reyes", "golden gate"), a slip in a whole name at the start
  ("acme insurnce group"), or the start of a name's first word at the start ("bright");
- *weak*: an everyday word that starts a name ("renewal", "summit"), a short start ("ac"), or
  a word inside a name at the start ("star").

Longer mentions win over the shorter ones inside them, surer over weaker. One client named
surely or well is logged; two are asked about; only weak mentions are asked about too; with
none, a confident fuzzy match of the first words, a typo ("nrthwind"), is logged, and else the
closest names are offered. Everyday words at the start ("the", "renewal", "called") never
match by prefix or by spelling.
"""

from __future__ import annotations

import bisect
import contextlib
import enum
import functools
import heapq
import itertools
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import OSA

from bot.core.model import Client, name_key

# Scores are rapidfuzz ratios from 0 to 100. A fuzzy match must be confident and clearly ahead
# of the next best client, so a typo lands on the right client but a guess never does.
CONFIDENT = 85.0
CLEAR_LEAD = 8.0
CLOSEST = 55.0
# Clients offered when a name fits several; the rest are counted in `Ambiguous.more`. Slack
# allows 25 buttons in a row; a few more than a handful is as many as anyone reads.
MAX_CANDIDATES = 8
# The least rapidfuzz partial ratio for a typo'd name to be offered in a picker ("nrthwind").
FUZZY_OPTION = 75.0
SHORTER_SPAN_MARGIN = 3.0
# The leading words of unquoted text are scored as that many spans, longest first.
FUZZY_SPANS = 4
# A whole multi-word name typed with a slip ("acme insurnce group") beats a shorter name matched
# exactly ("Acme"), and a prefix ("northwind tradrs" is not Northwind with the note "tradrs").
# The bar is higher than CONFIDENT, and the words past the shorter name must match well too, so
# "smith card" stays with Smith rather than going to Smith Cars.
TYPO = 90.0
TYPO_TAIL = 85.0
# A prefix of a name's first word matches from this many letters ("fab"); shorter ones ask.
MIN_PREFIX = 3
# A name's first word alone names it from this many letters ("reyes", not "ab").
MIN_PARTIAL = 4

# Phones turn "straight" quotes into “curly” ones, so both kinds open and close a name.
_QUOTE_MARKS = '"“”'


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words of a rep's note: they never start a match by prefix, by spelling or by a word inside a
# name. Little words, the words reps write about their work, and first names.
STOP = _word_set(
    """
    a about above after again against all also am an and any are as at away back be because
    been before being below between both but by can could did do does doing done down during
    each either else even ever every few for from further get got had has have having he her
    here hers him his how i if in into is it its just last let like me might more most much
    must my near need next no not now of off on once one only or other our ours out over
    own per please re same she should since so some still such than that the their them then
    there these they this those through thru to too two under until up upon us very via w was
    we well were what when where which while who whom why will with within without would yet
    you your yours new old big small good great best first second third quick fast full half
    whole sure today tomorrow yesterday morning afternoon evening night week month year day
    time call calls called calling phone phoned rang ring spoke speak talked talk chat chatted
    text texted email emailed mail mailed sent send sending met meet meeting meetings mtg lunch
    dinner coffee breakfast drinks visit visited visiting stopped dropped went came left asked
    told said wants wanted needs needed gave give sat review reviewed reviewing renewal
    renewals renew renews renewed claim claims policy policies quote quotes quoted invoice
    invoices bill billing payment payments premium paperwork docs documents forms form cover
    coverage certificate certificates cert certs card cards follow followed following check
    checked circle touch base ping pinged remind reminded owner owners manager team office
    staff folks crew board cfo ceo gm director site tour account accounts client clients
    customer customers fyi update updated note notes help helped issue issues problem problems
    question questions voicemail vm message insurance
    dave david mike michael jim james john jon joe jose bob robert bill will william tom
    thomas dan daniel chris matt matthew mark paul peter steve steven sam sarah maria mary
    jan june april may jen jennifer jess jessica kate katie amy anna ann anne lisa linda
    susan karen nancy betty helen emma olivia sophia mia ella grace lily rob rick nick tony
    frank fred gary greg jack jake ben andy alex sean ryan eric kevin brian scott jeff tim
    kim lee
    monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays
    thursdays fridays saturdays sundays mon tue tues wed weds thu thur thurs fri sat sun
    january february march april june july august september october november december jan
    feb mar apr jun jul aug sep sept oct nov dec
    """
)
# Everyday words that businesses take as names: alone, they name a client only where the text
# clearly uses them as a name ("summit called", "w/ anchor"), never by prefix or spelling.
EVERYDAY = _word_set(
    """
    group company services partners holdings associates family home north south east west
    northern southern eastern western central upper lower city county state country national
    american united global international metro metropolitan valley river lake lakes park
    mountain mountains hill hills ridge peak summit bay harbor port coast coastal pacific
    atlantic island beach creek springs spring falls forest woods wood field fields garden
    gardens meadow grove oak pine cedar maple willow elm birch rose sun star stars moon sky
    blue green red black white gold golden silver grey gray orange royal premier prime elite
    quality superior standard classic modern advanced professional express precision liberty
    heritage freedom anchor harvest main market street avenue square bridge gate tower plaza
    center centre fresh start choice smart bright clear true pure simple solid strong safe
    secure trust trusted
    """
)
COMMON = STOP | EVERYDAY

# Words that say what happened, right after a name: "summit called" names Summit.
_VERBS = _word_set(
    """
    called calls phoned rang emailed texted mailed messaged sent signed paid asked wants
    wanted needs needed said says told came stopped dropped met visited reviewed renewed
    renewing renews cancelled canceled filed reported complained confirmed replied responded
    agreed declined moved opened closed hired bought sold is was has had will would lunch
    """
)

# Words before a name that show it is one: "w/ anchor", "at summit", "sent summit".
_POINTERS = _word_set(
    """
    w with at to for from by of called emailed texted phoned visited met sent mailed re about
    """
)

# Abbreviations and spellings read as one word; and the legal endings a name may drop.
_CANONICAL = {
    "apartment": "apts",
    "apartments": "apts",
    "apt": "apts",
    "association": "assoc",
    "assn": "assoc",
    "associates": "assoc",
    "brothers": "bros",
    "company": "co",
    "corporation": "corp",
    "incorporated": "inc",
    "international": "intl",
    "management": "mgmt",
    "mgt": "mgmt",
    "services": "svcs",
    "service": "svcs",
    "svc": "svcs",
    "limited": "ltd",
    "street": "st",
    "saint": "st",
    "avenue": "ave",
    "center": "ctr",
    "centre": "ctr",
    "mountain": "mtn",
    "harbour": "harbor",
    "veterinary": "vet",
    "cooperative": "coop",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
}
_PHRASES = {("homeowners", "assoc"): "hoa", ("home", "owners", "assoc"): "hoa"}
_LEGAL = frozenset({"inc", "llc", "ltd", "co", "corp", "plc", "lp", "llp", "pllc", "pc"})
# Apostrophes and dots vanish inside a word (O'Brien, J.R.); other marks separate words.
_VANISH = re.compile(r"['’‘`.]|(?<=\w)-(?=\w)")
_SPLIT = re.compile(r"[^0-9a-z]+")
_SEPARATORS = " :;,-–—"


def _fold_word(raw: str) -> list[str]:
    """One typed word as the words it is compared by: 'O'Brien' -> ['obrien'], 'a&b' ->
    ['a', 'and', 'b'], 'Apts.' -> ['apts']."""
    if not raw.isascii():
        raw = unicodedata.normalize("NFKD", raw)
        raw = "".join(ch for ch in raw if not unicodedata.combining(ch))
    text = _VANISH.sub("", raw.casefold().replace("&", " and "))
    return [_CANONICAL.get(w, w) for w in _SPLIT.split(text) if w]


def fold(text: str) -> tuple[str, ...]:
    """A name or phrase as its folded words."""
    words = [w for raw in text.split() for w in _fold_word(raw)]
    for phrase, short in _PHRASES.items():
        n = len(phrase)
        i = 0
        while i + n <= len(words):
            if tuple(words[i : i + n]) == phrase:
                words[i : i + n] = [short]
            i += 1
    return tuple(words)


def _core(words: tuple[str, ...]) -> tuple[str, ...]:
    """A name without a leading "the" or trailing legal endings, if anything is left."""
    core = list(words)
    if len(core) > 1 and core[0] == "the":
        core = core[1:]
    while len(core) > 1 and core[-1] in _LEGAL:
        core = core[:-1]
    return tuple(core)


@dataclass(frozen=True)
class Match:
    client: Client
    note: str


@dataclass(frozen=True)
class Ambiguous:
    """Several clients fit, or only weakly; the rep picks one. `note` is what to log. At most
    MAX_CANDIDATES are offered; `more` counts the others that fit too."""

    query: str
    candidates: tuple[Client, ...]
    note: str
    more: int = 0


@dataclass(frozen=True)
class NoMatch:
    query: str
    closest: tuple[Client, ...]


MatchResult = Match | Ambiguous | NoMatch


class Sureness(enum.IntEnum):
    WEAK = 1
    GOOD = 2
    SURE = 3


# The book, folded once and changed client by client

# Where several clients are offered, they come in their book's order: the order given to the
# plain matcher, the name key (as the database sorts them) in a workspace's kept index.
Rank = tuple[str, int]

# What a table of a Book holds for an entry: the key of the one client found by it (most
# entries), or the keys of several in the order they were put. No list or set per entry.
_Keys: TypeAlias = "int | array[int]"
# A dropped client's runs in the fuzzy part.
_GONE = -1


def _keys(held: _Keys | None) -> Sequence[int]:
    if held is None:
        return ()
    return (held,) if isinstance(held, int) else held


def _add(table: dict[str, _Keys], entry: str, key: int) -> None:
    held = table.get(entry)
    if held is None:
        table[entry] = key
    elif isinstance(held, int):
        if held != key:
            table[entry] = array("q", (held, key))
    elif held[-1] != key:
        held.append(key)


def _remove(table: dict[str, _Keys], entry: str, key: int) -> None:
    held = table.get(entry)
    if held is None or isinstance(held, int):
        if held == key:
            del table[entry]
        return
    with contextlib.suppress(ValueError):
        held.remove(key)
    if len(held) == 1:
        table[entry] = held[0]


class BookBehind(LookupError):
    """A client the kept Book names was gone when its row was read: erased by another process
    after this command read the book's version. Reading the version again catches up."""


class Book:
    """A workspace's active clients, folded for matching. Kept up to date one client at a time
    (`put`, `drop`), it answers exactly as a book folded afresh from the same clients.

    It keeps what matching needs and no more: each client's names, and tables from the letters
    of a name (without spaces), the first words of names and every word to the clients they
    name. A whole name's exact words, or a quoted name, are found among the clients with the
    same letters by folding their names again. A kept Book holds no Client: the few a question
    answers with are read through `read` (by key), which its keeper sets while it is in use;
    `Book.of` holds the clients it is given.

    The fuzzy part (for typos and names never typed whole) is built on the first question
    that needs it, then kept up to date with each client put or dropped.
    """

    def __init__(self, read: Callable[[Sequence[int]], Mapping[int, Client]] | None = None):
        self.read = read
        self._held: dict[int, Client] | None = None
        # A name alone, or the name and its aliases.
        self._names: dict[int, str | tuple[str, ...]] = {}
        # Whole names (and their cores) by their letters without spaces.
        self._spaced: dict[str, _Keys] = {}
        # The first words of names (fewer than all), by their letters: "reyes", "golden gate".
        self._partial: dict[str, _Keys] = {}
        # Every word of every name, for a word that starts the text ("star").
        self._anywhere: dict[str, _Keys] = {}
        # First words of names, for prefixes ("bright"), and the same words sorted.
        self._firsts: dict[str, _Keys] = {}
        self.first_words: list[str] = []
        self._lengths: Counter[int] = Counter()
        self._fuzzy: _Fuzzy | None = None

    @classmethod
    def of(cls, clients: Sequence[Client]) -> Book:
        """The plain matcher's book: the clients as given, in that order, known by position."""
        book = cls()
        book._held = dict(enumerate(clients))
        for n, client in book._held.items():
            book._put(n, client.names)
        return book

    def __len__(self) -> int:
        return len(self._names)

    def ids(self) -> list[int]:
        """The keys of the clients the book holds (client IDs, or positions in `Book.of`)."""
        return list(self._names)

    def names(self, key: int) -> tuple[str, ...]:
        held = self._names[key]
        return (held,) if isinstance(held, str) else held

    def __contains__(self, key: int) -> bool:
        return key in self._names

    def rank(self, key: int) -> Rank:
        if self._held is not None:
            return ("", key)
        return (name_key(self.names(key)[0]), key)

    def in_order(self, keys: Iterable[int]) -> list[int]:
        return sorted(set(keys), key=self.rank)

    def clients(self, keys: Sequence[int]) -> list[Client]:
        """The clients of `keys`, in that order."""
        if self._held is not None:
            return [self._held[k] for k in keys]
        if self.read is None:
            raise LookupError("a kept Book reads its clients through `read`, set while in use")
        found = self.read(keys)
        if gone := [k for k in keys if k not in found]:
            raise BookBehind(gone)
        return [found[k] for k in keys]

    def client(self, key: int) -> Client:
        return self.clients([key])[0]

    @property
    def longest(self) -> int:
        return max(self._lengths, default=1) + 2

    def put(self, key: int, names: tuple[str, ...]) -> None:
        """Add the client known by `key` (its ID) with these names (the name, then its aliases),
        or change it to them."""
        if self._held is not None:
            raise TypeError("Book.of is the plain matcher's, folded once; keep a Book() to put")
        self.drop(key)
        self._put(key, names)

    def _put(self, key: int, names: tuple[str, ...]) -> None:
        self._names[key] = names[0] if len(names) == 1 else names
        for table, entry in _entries(names):
            _add(self._tables[table], entry, key)
        for word in _firsts(names):
            if word not in self._firsts:
                bisect.insort(self.first_words, word)
            _add(self._firsts, word, key)
        self._lengths.update(_lengths(names))
        if self._fuzzy is not None:
            self._fuzzy.add(key, names)

    def drop(self, key: int) -> None:
        if key not in self._names:
            return
        names = self.names(key)
        del self._names[key]
        for table, entry in _entries(names):
            _remove(self._tables[table], entry, key)
        for word in _firsts(names):
            _remove(self._firsts, word, key)
            if word not in self._firsts:
                del self.first_words[bisect.bisect_left(self.first_words, word)]
        self._lengths.subtract(_lengths(names))
        self._lengths += Counter()  # drops the lengths no name has any more
        if self._fuzzy is not None:
            self._fuzzy.drop(key)
            if self._fuzzy.gone > len(self._names) + 64:
                self._fuzzy = None  # rebuilt when next needed, without the dropped entries

    @property
    def _tables(self) -> dict[str, dict[str, _Keys]]:
        return {"spaced": self._spaced, "partial": self._partial, "anywhere": self._anywhere}

    def spaced(self, letters: str) -> Sequence[int]:
        """Clients with a whole name (or its core) of these letters, however spaced."""
        return _keys(self._spaced.get(letters))

    def exact(self, words: tuple[str, ...]) -> list[int]:
        """Clients with a whole name (or its core) of exactly these words."""
        return [k for k in self.spaced("".join(words)) if words in _forms(self.names(k))]

    def folded(self, words: tuple[str, ...]) -> list[int]:
        """Clients with a name that folds to exactly these words (a quoted name)."""
        return [
            k for k in self.spaced("".join(words)) if any(fold(n) == words for n in self.names(k))
        ]

    def names_letters(self, letters: str, *, whole_only: bool = False) -> bool:
        """Whether a whole name (or its core), or else the first words of one, are `letters`."""
        return letters in self._spaced or (not whole_only and letters in self._partial)

    def partial(self, letters: str) -> Sequence[int]:
        return _keys(self._partial.get(letters))

    def anywhere(self, word: str) -> Sequence[int]:
        return _keys(self._anywhere.get(word))

    def first_word(self, word: str) -> Sequence[int]:
        """Clients with a name whose first word (after a leading "the") is `word`."""
        return _keys(self._firsts.get(word))

    @property
    def fuzzy(self) -> _Fuzzy:
        if self._fuzzy is None:
            self._fuzzy = _Fuzzy(self.names)
            for key in self._names:
                self._fuzzy.add(key, self.names(key))
        return self._fuzzy

    def slips(self, first: str | None, typed: Sequence[str], fewest: int = 2) -> set[int]:
        """Clients whose name of `fewest` to len(typed) words `typed` may start with a slip:
        those with such a name starting with the word `first`, or with no such word, a name
        whose whole scores TYPO against as many typed words (and perhaps others)."""
        fuzzy = self.fuzzy
        found: set[int] = set()
        if first is not None:
            for m in range(fewest, len(typed) + 1):
                found.update(fuzzy.by_first_word.get((first, m), ()))
            return {k for k in found if k in self._names}
        for m in range(2, len(typed) + 1):
            query = utils.default_process(" ".join(typed[:m]))
            # A ratio is at most 200 * shorter / (both lengths): only names of a length that
            # can score TYPO are read.
            for n in range(len(query) * 4 // 5, len(query) * 5 // 4 + 2):
                if (m, n) in fuzzy.by_words and 200 * min(len(query), n) >= TYPO * (len(query) + n):
                    found |= fuzzy.by_words[m, n].scoring(query, TYPO)
        return {k for k in found if k in self._names}

    def scored(self, queries: Sequence[str]) -> list[tuple[float, int, int]]:
        """(score, key, n) for each client scoring CLOSEST or more against the spans of text
        `queries`, longest first, scored by the n-th (see `_Fuzzy.best`)."""
        keys, scores, query_of = self.fuzzy.best(queries, CLOSEST, SHORTER_SPAN_MARGIN)
        return list(zip(scores.tolist(), keys.tolist(), query_of.tolist(), strict=True))

    def second_word(self, word: str) -> list[tuple[str, ...]]:
        """The names of clients with a name whose second word is `word` (casefolded), and
        perhaps of others, in the book's order."""
        found = (k for k in self.fuzzy.by_second_word.get(word, ()) if k in self._names)
        return [self.names(k) for k in self.in_order(found)]


def _forms(names: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Each name's folded words, and its core, once each."""
    forms: list[tuple[str, ...]] = []
    for name in names:
        words = fold(name)
        if words:
            forms += dict.fromkeys((words, _core(words)))
    return forms


def _entries(names: tuple[str, ...]) -> list[tuple[str, str]]:
    """(table, entry) for each place the client is found by in a Book."""
    out: list[tuple[str, str]] = []
    for name in names:
        words = fold(name)
        if not words:
            continue
        for form in dict.fromkeys((words, _core(words))):
            out.append(("spaced", "".join(form)))
            # A leading initial or two ("J.R. Whitfield") may be left out of the name.
            start = 1 if len(form) > 1 and len(form[0]) <= 2 else 0
            for s in dict.fromkeys((0, start)):
                for k in range(s + 1, len(form) if s == 0 else len(form) + 1):
                    out.append(("partial", "".join(form[s:k])))
        out += [("anywhere", word) for word in words]
    return out


def _firsts(names: tuple[str, ...]) -> set[str]:
    firsts = set()
    for name in names:
        words = fold(name)
        if words:
            firsts.add(words[0])
            if len(words) > 1 and words[0] == "the":
                firsts.add(words[1])
    return firsts


def _lengths(names: tuple[str, ...]) -> Counter[int]:
    return Counter(len(form) for form in _forms(names))


class _Fuzzy:
    """Names as rapidfuzz reads them, for scoring every client against a few spans of text at
    once, and for finding the few clients worth scoring one by one for a slip.

    Each client put adds a run of entries, one per name, to `names`; each span size k has its
    `_Level` of the names' first k words, deduplicated. A dropped client's run is marked gone.
    """

    def __init__(self, names_of: Callable[[int], tuple[str, ...]]) -> None:
        self._names_of = names_of
        self.names: list[str] = []
        self.run_start = array("i")
        self.run_key = array("q")
        self.gone = 0
        # Built with the names for the spans of unquoted text; a longer quoted name's on use.
        self._levels = {k: _Level() for k in range(1, FUZZY_SPANS + 1)}
        # By a name's count of words and its length as rapidfuzz reads it.
        self.by_words: dict[tuple[int, int], _Bucket] = {}
        # By a name's first word (casefolded) and its count of words.
        self.by_first_word: dict[tuple[str, int], array[int]] = {}
        self.by_second_word: dict[str, array[int]] = {}

    def add(self, key: int, names: tuple[str, ...]) -> None:
        self.run_start.append(len(self.names))
        self.run_key.append(key)
        for name in names:
            whole = utils.default_process(name)
            self.names.append(whole)
            words = name.split()
            for k, level in self._levels.items():
                level.add(words[:k], whole)
            self.by_words.setdefault((len(words), len(whole)), _Bucket()).add(whole, key)
            if words:
                first = (words[0].casefold(), len(words))
                self.by_first_word.setdefault(first, array("q")).append(key)
            if len(words) > 1:
                self.by_second_word.setdefault(words[1].casefold(), array("q")).append(key)

    def drop(self, key: int) -> None:
        # Found by numpy, which scans 100k keys in a fraction of a millisecond.
        (runs,) = np.nonzero(np.frombuffer(self.run_key, dtype=np.int64) == key)
        self.run_key[int(runs[0])] = _GONE
        self.gone += 1

    def _level(self, k: int) -> _Level:
        level = self._levels.get(k)
        if level is None:
            level = self._levels[k] = _Level()
            ends = [*self.run_start[1:], len(self.names)]
            for start, end, key in zip(self.run_start, ends, self.run_key, strict=True):
                if key == _GONE:
                    level.at.extend([-1] * (end - start))
                    continue
                for at, name in enumerate(self._names_of(key), start):
                    level.add(name.split()[:k], self.names[at])
        return level

    def best(
        self, queries: Sequence[str], cutoff: float, margin: float
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.intp]]:
        """Each client scoring `cutoff` or more, with its score and the query it was scored
        by. A client's score against a query of k words is its best rapidfuzz ratio over its
        names and their first k words. The longest query comes first and keeps its place
        unless a later one scores more than `margin` above it."""
        if not self.names:
            return np.empty(0, np.int64), np.empty(0, np.float64), np.empty(0, np.intp)
        typed = [utils.default_process(q) for q in queries]
        scores = process.cdist(typed, self.names, scorer=fuzz.ratio, dtype=np.float64)
        for row, query in zip(scores, queries, strict=True):
            level = self._level(len(query.split()))
            if level.strings:
                firsts = process.cdist(
                    [utils.default_process(query)],
                    level.strings,
                    scorer=fuzz.ratio,
                    dtype=np.float64,
                )[0]
                at = np.frombuffer(level.at, dtype=np.int32)
                np.maximum(row, np.where(at >= 0, firsts[at], -1.0), out=row)
        per_client = np.maximum.reduceat(
            scores, np.frombuffer(self.run_start, dtype=np.int32), axis=1
        )
        held = per_client[0].copy()
        query_of = np.zeros(len(held), np.intp)
        for n in range(1, len(queries)):
            better = per_client[n] > held + margin
            held[better] = per_client[n][better]
            query_of[better] = n
        keys = np.frombuffer(self.run_key, dtype=np.int64)
        kept = np.flatnonzero((keys != _GONE) & (held >= cutoff))
        return keys[kept], held[kept], query_of[kept]


class _Level:
    """The first k words of every name as rapidfuzz reads them, each distinct one once; `at`
    gives each name's entry, or -1 where it is the whole name."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self._index: dict[str, int] = {}
        self.at = array("i")

    def add(self, first: list[str], whole: str) -> None:
        typed = utils.default_process(" ".join(first))
        if typed == whole:
            self.at.append(-1)
            return
        n = self._index.get(typed)
        if n is None:
            n = self._index[typed] = len(self.strings)
            self.strings.append(typed)
        self.at.append(n)


class _Bucket:
    """Names of one count of words and one length (as rapidfuzz reads them), with their owners'
    keys and the letters each has, for scoring only the names that can reach a cutoff."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.owners = array("q")
        self.letters = array("Q")

    def add(self, whole: str, key: int) -> None:
        self.names.append(whole)
        self.owners.append(key)
        self.letters.append(_letters(whole))

    def scoring(self, typed: str, cutoff: float) -> set[int]:
        """The owners of the names whose ratio with `typed` is `cutoff` or more.

        A ratio is 100 * (1 - indel distance / both lengths), and each letter that one string
        has and the other lacks costs at least one insertion or deletion; so a name differing
        from `typed` in more letters than the cutoff allows can't reach it and isn't scored.
        Letters sharing a bit of the mask count once, which only lets more names through.
        """
        if not self.names:
            return set()
        differ = np.bitwise_count(
            np.frombuffer(self.letters, dtype=np.uint64) ^ np.uint64(_letters(typed))
        )
        allowed = (100 - cutoff) * (len(typed) + len(self.names[0])) / 100
        near = np.flatnonzero(differ <= allowed).tolist()
        hits = process.extract(
            typed, [self.names[n] for n in near], scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
        )
        return {self.owners[near[n]] for _, _, n in hits}


def _letters(text: str) -> int:
    """A mask of the letters `text` has, one bit per letter (several letters may share one)."""
    mask = 0
    for ch in set(text):
        mask |= 1 << (ord(ch) & 63)
    return mask


@functools.lru_cache(maxsize=8)
def _cached(clients: tuple[Client, ...]) -> Book:
    return Book.of(clients)


def book_of(clients: Sequence[Client] | Book) -> Book:
    """A Book of `clients`, folded once while they don't change."""
    return _book(clients)


def _book(clients: Sequence[Client] | Book) -> Book:
    if isinstance(clients, Book):
        return clients
    return _cached(tuple(clients))


# The text, as words that remember where they were typed


@dataclass(frozen=True)
class _Word:
    key: str
    # The same word without a possessive or plural "s" ("keystone's", "the delgados").
    bare: str | None
    start: int  # where its typed word starts and ends in the text
    end: int
    first: bool  # the first (or last) folded word of its typed word
    last: bool
    # Its typed word ends a phrase: "liberty," in "lunch w/ liberty, f/u mon".
    pause: bool = False


_RAW = re.compile(r"\S+")


def _words(text: str) -> list[_Word]:
    words: list[_Word] = []
    for raw in _RAW.finditer(text):
        parts = _fold_word(raw.group())
        possessive = re.search(r"['’]s\W*$", raw.group()) is not None
        for n, key in enumerate(parts):
            last = n == len(parts) - 1
            bare = key[:-1] if last and key.endswith("s") and (possessive or len(key) > 4) else None
            pause = last and raw.group()[-1] in ",;:.!?)"
            words.append(_Word(key, bare, raw.start(), raw.end(), n == 0, last, pause))
    # "homeowners association" is read as "hoa", as in names.
    for phrase, short in _PHRASES.items():
        n = len(phrase)
        i = 0
        while i + n <= len(words):
            if tuple(w.key for w in words[i : i + n]) == phrase:
                head, tail = words[i], words[i + n - 1]
                words[i : i + n] = [_Word(short, None, head.start, tail.end, True, True)]
            i += 1
    return words


@dataclass(frozen=True)
class _Mention:
    client: int
    sureness: Sureness
    start: int  # word indexes, end exclusive
    end: int


def _mentions(
    words: list[_Word], index: Book, lead: int, sure_only: Callable[[int, int], bool] | None = None
) -> list[_Mention]:
    """Every name in the text, whole words only; `lead` is the index of the leading word. Of a
    span `sure_only(start, end)` holds for, only the sure mentions."""
    found: list[_Mention] = []
    longest = index.longest
    for i, word in enumerate(words):
        if not word.first:
            continue
        letters = ""
        for j in range(i, min(len(words), i + longest)):
            letters += words[j].key
            if not words[j].last:
                continue
            only = sure_only is not None and sure_only(i, j + 1)
            bare = words[j].bare
            spans = [(letters, words[j].key)]
            if bare is not None:
                spans.append((letters[: -len(words[j].key)] + bare, bare))
            for key, last in spans:
                # Most spans are no name's letters, and name nobody: their words aren't read.
                if index.names_letters(key, whole_only=only):
                    exact = (*(w.key for w in words[i:j]), last)
                    found += _named(exact, key, index, words, i, j + 1, lead, only)
    return found


def _settled(words: list[_Word], index: Book, lead: int, text: str | None = None) -> list[_Mention]:
    """What `_settle` keeps of every mention in the text, and of a slip at its start (when
    `text` is given), without building the mentions it would drop for overlapping a sure one.

    Sure mentions settle first, so the sure ones kept don't depend on any weaker one; and a
    weaker mention overlapping a sure one kept is always dropped. A name's first word can
    name thousands of clients ("acme" in "acme dental group 12"), all of them dropped.
    """
    sure = _mentions(words, index, lead, lambda start, end: True)
    slip = None if text is None else _slip(text, words, sure, index, lead)
    if slip is not None:
        sure.append(slip)
    kept = {(m.start, m.end) for m in _settle(sure)}
    mentions = _mentions(
        words, index, lead, lambda start, end: any(s < end and start < e for s, e in kept)
    )
    if slip is not None:
        mentions.append(slip)
    return _settle(mentions)


def _named(
    exact: tuple[str, ...],
    letters: str,
    index: Book,
    words: list[_Word],
    start: int,
    end: int,
    lead: int,
    sure_only: bool = False,
) -> list[_Mention]:
    out: list[_Mention] = []
    everyday = len(exact) == 1 and exact[0] in COMMON
    noted = all(w in STOP for w in exact)
    spaced = index.spaced(letters)
    named = index.exact(exact) if spaced else []
    for client in named:
        sure = (
            Sureness.WEAK
            if everyday and not _clearly_a_name(words, start, end, lead)
            else (Sureness.SURE)
        )
        if sure is Sureness.SURE or not sure_only:
            out.append(_Mention(client, sure, start, end))
    if sure_only:
        return out
    for client in spaced:
        if client not in named:
            out.append(_Mention(client, Sureness.GOOD, start, end))
    partial = index.partial(letters)
    if partial:
        # The first words of a name: good when they are no everyday word, or when an everyday
        # word is clearly used as a name and names nobody else ("blue called", not "valley").
        # The first words of a name: good when they are no everyday word, or when an everyday
        # word (not a note's) names nobody else and is used as a name ("blue called").
        good = len(letters) >= MIN_PARTIAL and (
            not everyday
            or (
                exact[0] not in STOP
                and not _shared(exact[0], len(partial), index)
                and _clearly_a_name(words, start, end, lead)
            )
        )
        # A note's own words ("the", "renewal") don't even make a guess.
        if good or not noted or start == lead:
            for client in partial:
                out.append(_Mention(client, Sureness.GOOD if good else Sureness.WEAK, start, end))
    return out


def _shared(word: str, named: int, index: Book) -> bool:
    """Whether other clients' names have `word` too, anywhere, or a first word starting with it."""
    if len(index.anywhere(word)) > named:
        return True
    at = bisect.bisect_right(index.first_words, word)
    return at < len(index.first_words) and index.first_words[at].startswith(word)


def _clearly_a_name(words: list[_Word], start: int, end: int, lead: int) -> bool:
    """An everyday word used as a name: it leads and a verb follows ("summit called"), or a
    pointer comes before it and no more of a name after it ("w/ anchor re: the coi", not
    "called summit bank")."""
    after = words[end].key if end < len(words) else None
    if start == lead:
        return after is None or after in _VERBS
    ends = after is None or after in STOP or words[end - 1].pause
    return start > 0 and words[start - 1].key in _POINTERS and ends


def _leading_weak(words: list[_Word], index: Book, lead: int) -> list[_Mention]:
    """Weak guesses from the leading word: the start of a name's first word, or a word inside a
    name ("star"). An everyday word gives none."""
    if lead >= len(words) or not words[lead].first:
        return []
    key = words[lead].key
    if key in STOP or not key.isalpha():
        return []
    out = []
    at = bisect.bisect_left(index.first_words, key)
    prefixed: list[int] = []
    while at < len(index.first_words) and index.first_words[at].startswith(key):
        if index.first_words[at] != key:
            prefixed += index.first_word(index.first_words[at])
        at += 1
    # An everyday word starts a name only when used as one: "bright called".
    clear = not index.anywhere(key) and (
        key not in EVERYDAY or _clearly_a_name(words, lead, lead + 1, lead)
    )
    sure = Sureness.GOOD if len(key) >= MIN_PREFIX and clear else Sureness.WEAK
    out += [_Mention(c, sure, lead, lead + 1) for c in dict.fromkeys(prefixed)]
    inside = index.anywhere(key)
    out += [_Mention(c, Sureness.WEAK, lead, lead + 1) for c in inside]
    return out


# A typo of a name's first word: one letter wrong, missing, extra or swapped ("acem").
MIN_TYPO = 4


def _typos(words: list[_Word], index: Book, lead: int) -> list[_Mention]:
    """Good when one client's name starts with a word one slip away from a typed one that leads
    or follows a pointer ("acem called", "called mueller brothers"); weak when several do."""
    out: list[_Mention] = []
    for i, word in enumerate(words):
        at_lead = i == lead
        if not (at_lead or (i > 0 and words[i - 1].key in _POINTERS)):
            continue
        key = word.key
        if key in COMMON or not key.isalpha() or len(key) < MIN_TYPO + (not at_lead):
            continue
        near = process.extract(
            key, index.first_words, scorer=OSA.distance, score_cutoff=2, limit=None
        )
        clients = list(dict.fromkeys(c for w, d, _ in near if d == 1 for c in index.first_word(w)))
        # A long word must also be clear of every other name by two slips ("northwod").
        rivals = {c for w, d, _ in near if d == 2 and len(key) > 5 for c in index.first_word(w)}
        if len(clients) == 1 and not rivals - set(clients):
            out.append(_Mention(clients[0], Sureness.GOOD, i, i + 1))
        elif clients:
            out += [
                _Mention(c, Sureness.WEAK, i, i + 1) for c in dict.fromkeys([*clients, *rivals])
            ]
    return out


def _settle(mentions: list[_Mention]) -> list[_Mention]:
    """Keep the surest, longest mentions; drop any that overlaps one kept."""
    kept: list[_Mention] = []
    # The clients kept by span and sureness. A word can name thousands of clients, but the
    # spans are few: the mentions of one span (sorted together) are checked against the spans
    # kept, once, and then only against the clients kept for their own span.
    spans: dict[tuple[int, int, Sureness], set[int]] = {}
    ordered = sorted(mentions, key=lambda m: (-m.sureness, m.start - m.end, m.start))
    for own, same in itertools.groupby(ordered, key=lambda m: (m.start, m.end, m.sureness)):
        if any(span != own and span[0] < own[1] and own[0] < span[1] for span in spans):
            continue
        clients = spans.setdefault(own, set())
        for m in same:
            if m.client not in clients:
                kept.append(m)
                clients.add(m.client)
    return kept


def _note(text: str) -> str:
    return text.lstrip(_SEPARATORS)


def _split_quoted(text: str) -> tuple[str, str] | None:
    if not text or text[0] not in _QUOTE_MARKS:
        return None
    end = next((i for i, ch in enumerate(text[1:], 1) if ch in _QUOTE_MARKS), -1)
    if end == -1:
        return None
    return " ".join(text[1:end].split()), _note(" ".join(text[end + 1 :].split()))


def match_client(text: str, clients: Sequence[Client] | Book) -> MatchResult:
    """The client `text` names (all active clients of one workspace, or their Book), and the
    note to log.

    When the name leads the text, the note is what follows it; a name further on stays in the
    note, where it reads naturally.
    """
    index = _book(clients)
    quoted = _split_quoted(text)
    if quoted is not None:
        name, note = quoted
        if not name:
            # `""` names nobody; fuzzy scoring would call every client a perfect match.
            return NoMatch("", ())
        exact = index.folded(fold(name))
        if len(exact) == 1:
            return Match(index.client(exact[0]), note)
        return _fuzzy(name, note, index, words=None)

    text = " ".join(text.split())
    if not text:
        return NoMatch("", ())
    words = _words(text)
    # A leading "the" belongs to the name after it: "the reyes called".
    lead = 1 if len(words) > 1 and words[0].key == "the" and words[1].first else 0
    settled = _settled(words, index, lead, text)
    named = [m for m in settled if m.sureness >= Sureness.GOOD]
    if not named:
        weak = [*settled, *_leading_weak(words, index, lead)]
        named = [m for m in _settle(weak) if m.sureness >= Sureness.GOOD]
        if not named:
            weak += _typos(words, index, lead)
            named = [m for m in _settle(weak) if m.sureness >= Sureness.GOOD]
        if not named and weak:
            return _ask(_settle(weak), words, text, index, lead)
    if named:
        chosen = {m.client for m in named}
        if len(chosen) == 1:
            mention = min((m for m in named), key=lambda m: m.start)
            return Match(index.client(chosen.pop()), _rest(text, words, mention, lead))
        return _ask(named, words, text, index, lead)
    if lead < len(words) and words[lead].key in COMMON:
        # No client named, and an everyday word is no name to suggest adding.
        return NoMatch("", ())
    return _fuzzy(None, None, index, words=text.split())


def look_up(query: str, clients: Sequence[Client] | Book) -> Client | Ambiguous | NoMatch:
    """The client `/touch show` or `/touch edit` names. A lookup writes nothing, so a single
    weak candidate is taken, where logging a touch would ask first."""
    found = match_client(query, clients)
    if isinstance(found, Match):
        return found.client
    if isinstance(found, Ambiguous) and len(found.candidates) == 1 and not found.more:
        return found.candidates[0]
    return found


def _offer(query: str, candidates: Sequence[int], note: str, index: Book) -> Ambiguous:
    """The first MAX_CANDIDATES of `candidates` (keys, in order), the others counted."""
    shown = tuple(index.clients(candidates[:MAX_CANDIDATES]))
    return Ambiguous(query, shown, note, max(len(candidates) - MAX_CANDIDATES, 0))


def _rest(text: str, words: list[_Word], mention: _Mention, lead: int) -> str:
    """The note: what follows a leading name, or the whole text when the name is further on."""
    if mention.start != lead:
        return text
    return _note(text[words[mention.end - 1].end :])


def _ask(
    mentions: list[_Mention], words: list[_Word], text: str, index: Book, lead: int
) -> Ambiguous:
    candidates = index.in_order(m.client for m in mentions)
    spans = sorted({(m.start, m.end) for m in mentions})
    query = " / ".join(text[words[s].start : words[e - 1].end] for s, e in spans)
    leading = {(s, e) for s, e in spans} == {(spans[0][0], spans[0][1])} and spans[0][0] == lead
    note = _note(text[words[spans[0][1] - 1].end :]) if leading else text
    return _offer(query, candidates, note, index)


def _slip(
    text: str, words: list[_Word], mentions: list[_Mention], index: Book, lead: int
) -> _Mention | None:
    """A whole name of several words typed at the start with a slip ("acme insurnce group"),
    longer than any name matched there; sure, so it wins over the shorter name."""
    if lead != 0:
        return None
    typed = text.split()
    leading = [m for m in mentions if m.start == 0 and m.sureness is Sureness.SURE]
    n = max((len(text[: words[m.end - 1].end].split()) for m in leading), default=0)
    matched = [w.casefold().rstrip(":;,") for w in typed[:n]]
    scored: dict[int, tuple[float, int]] = {}
    maybe = index.slips(matched[0] if n else None, typed, max(n, 1) + 1)
    # Each candidate is scored alone and a tie for the best is no answer, so the order in which
    # they are scored doesn't matter.
    for i in maybe:
        for name in index.names(i):
            name_words = name.split()
            m = len(name_words)
            if not max(n, 1) < m <= len(typed) or [w.casefold() for w in name_words[:n]] != matched:
                continue
            whole = fuzz.ratio(" ".join(typed[:m]), name, processor=utils.default_process)
            tail = fuzz.ratio(
                " ".join(typed[n:m]), " ".join(name_words[n:]), processor=utils.default_process
            )
            held = scored.get(i)
            if whole >= TYPO and tail >= TYPO_TAIL and (held is None or whole > held[0]):
                scored[i] = (whole, m)
    if not scored:
        return None
    ranked = sorted(scored.items(), key=lambda s: -s[1][0])
    best, (top, m) = ranked[0]
    if len(ranked) > 1 and top - ranked[1][1][0] < CLEAR_LEAD:
        return None
    end = next(
        (k + 1 for k, w in enumerate(words) if w.last and len(text[: w.end].split()) == m), None
    )
    return None if end is None else _Mention(best, Sureness.SURE, 0, end)


def _fuzzy(
    name: str | None, note: str | None, index: Book, *, words: list[str] | None
) -> MatchResult:
    """Score each client by its best name or alias against the query (or its leading words)."""
    spans: list[tuple[str, str]] = []
    if words is None:
        assert name is not None and note is not None
        spans.append((name, note))
    else:
        for n in range(min(FUZZY_SPANS, len(words)), 0, -1):
            spans.append((" ".join(words[:n]), _note(" ".join(words[n:]))))

    # A query of k words is compared with each whole name and with the name's first k words,
    # so "nrthwind" finds "Northwind Traders". Longer spans come first and keep their place
    # unless a shorter one is clearly better, so a typo'd second word stays in the name.
    # A client scoring below CLOSEST can't change the answer (as a runner-up it trails a
    # confident match by far more than CLEAR_LEAD), so only the others are ranked.
    scored = index.scored([query for query, _ in spans])
    query_text = spans[-1][0] if words is not None else spans[0][0]
    if not scored:
        return NoMatch(query_text, ())
    confident = sum(score >= CONFIDENT for score, _, _ in scored)
    # Only the first few are offered: rank those tied with them or better, by score, then
    # name, then the book's order.
    bar = heapq.nlargest(MAX_CANDIDATES, (score for score, _, _ in scored))[-1]
    ranked = sorted(
        (s for s in scored if s[0] >= bar),
        key=lambda s: (-s[0], index.names(s[1])[0], index.rank(s[1])),
    )
    top_score, top, n = ranked[0]
    query, rest = spans[n]
    runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
    if top_score >= CONFIDENT and top_score - runner_up >= CLEAR_LEAD:
        return Match(index.client(top), rest)
    if confident > 1:
        shown = [key for score, key, _ in ranked[:MAX_CANDIDATES] if score >= CONFIDENT]
        more = max(confident - MAX_CANDIDATES, 0)
        return Ambiguous(query, tuple(index.clients(shown)), rest, more)
    closest = tuple(index.clients([key for _, key, _ in ranked[:3]]))
    return NoMatch(query_text, closest)


def name_spans(text: str, client: Client) -> list[tuple[int, int]]:
    """Where `text` names `client` (character offsets), so its words aren't read as dates."""
    index = Book.of([client])
    words = _words(text)
    return [(words[m.start].start, words[m.end - 1].end) for m in _mentions(words, index, -1)]


# Finding clients as the rep types in a picker, and in a message


def rank_clients(query: str, clients: Sequence[Client]) -> list[tuple[Client, str]]:
    """Clients for a picker, best first, each with the name or alias it was found by.

    Nothing typed: every client, in the order given. Otherwise a name or alias starting with
    the text first, then one with a word starting with it, then one containing it, then close
    spellings; ties go to the closer spelling, then the name.
    """
    typed = utils.default_process(query)
    if not typed:
        return [(c, c.name) for c in clients]
    ranked: list[tuple[int, float, str, Client, str]] = []
    for client in clients:
        (tier, closeness), name = max((_rank(typed, name), name) for name in client.names)
        if tier > 0 or closeness >= FUZZY_OPTION:
            ranked.append((-tier, -closeness, client.name.casefold(), client, name))
    ranked.sort(key=lambda r: r[:3])
    return [(client, name) for *_, client, name in ranked]


def _rank(typed: str, name: str) -> tuple[int, float]:
    """(how the name contains the typed text: 3 starts with, 2 a word starts with, 1 anywhere,
    0 not at all; how close the spelling is, 0 to 100)."""
    folded = utils.default_process(name)
    if folded.startswith(typed):
        tier = 3
    elif any(word.startswith(typed) for word in folded.split()):
        tier = 2
    elif typed in folded:
        tier = 1
    else:
        return 0, fuzz.partial_ratio(typed, folded)
    return tier, fuzz.ratio(typed, folded)


def mentioned_client(words: str, clients: Sequence[Client] | Book) -> Client | None:
    """The one client a message names surely or well, if only one is: a pasted email from Acme
    opens the form on Acme. Weak mentions, prefixes and typos pick nobody."""
    index = _book(clients)
    folded = _words(" ".join(words.split()))
    named = {m.client for m in _settled(folded, index, -1) if m.sureness >= Sureness.GOOD}
    return index.client(named.pop()) if len(named) == 1 else None
