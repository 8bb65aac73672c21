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
import enum
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import OSA

from bot.core.model import Client

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


class Book:
    """A workspace's active clients, folded for matching. Kept up to date one client at a time
    (`put`, `drop`), it answers exactly as a book folded afresh from the same clients.

    The fuzzy part (for typos and names never typed whole) is built on the first question
    that needs it, then grown with each client put; a dropped or changed client's old entries
    stay until the next rebuild, as they only widen the candidates, whose scores are then
    computed from their current names.
    """

    def __init__(self) -> None:
        self.clients: dict[int, Client] = {}
        self._rank: dict[int, Rank] = {}
        # Whole names by their exact words, and by their letters without spaces.
        self.exact: dict[tuple[str, ...], list[int]] = {}
        self.spaced: dict[str, list[int]] = {}
        # The first words of names (fewer than all), by their letters: "reyes", "golden gate".
        self.partial: dict[str, list[int]] = {}
        # Every word of every name, for a word that starts the text ("star").
        self.anywhere: dict[str, list[int]] = {}
        # Names as folded, for a quoted name.
        self.folded: dict[tuple[str, ...], list[int]] = {}
        # First words of names, sorted, for prefixes ("bright"): (word, client ID).
        self.firsts: list[tuple[str, int]] = []
        self._lengths: Counter[int] = Counter()
        self._first_words: list[str] | None = None
        self._fuzzy: _Fuzzy | None = None

    @classmethod
    def of(cls, clients: Sequence[Client]) -> Book:
        book = cls()
        for n, client in enumerate(clients):
            book.put(client, ("", n), key=n)
        return book

    def __len__(self) -> int:
        return len(self.clients)

    def rank(self, client_id: int) -> Rank:
        return self._rank[client_id]

    def in_order(self, ids: Iterable[int]) -> list[Client]:
        return [self.clients[i] for i in sorted(set(ids), key=self.rank)]

    @property
    def longest(self) -> int:
        return max(self._lengths, default=1) + 2

    @property
    def first_words(self) -> list[str]:
        if self._first_words is None:
            self._first_words = [word for word, _ in self.firsts]
        return self._first_words

    def put(self, client: Client, rank: Rank, *, key: int | None = None) -> None:
        """Add the client, or change it to this version of itself. `key` is what the book
        knows it by: its ID unless given."""
        k = client.id if key is None else key
        self.drop(k)
        self.clients[k] = client
        self._rank[k] = rank
        for table, entry in _entries(client):
            found = getattr(self, table).setdefault(entry, [])
            if not found or found[-1] != k:
                found.append(k)
        for pair in _firsts(client, k):
            bisect.insort(self.firsts, pair)
        self._lengths.update(_lengths(client))
        self._first_words = None
        if self._fuzzy is not None:
            self._fuzzy.add(client, k)

    def drop(self, key: int) -> None:
        client = self.clients.pop(key, None)
        if client is None:
            return
        del self._rank[key]
        for table, entry in _entries(client):
            table_of = getattr(self, table)
            found = table_of.get(entry)
            if found is not None and key in found:
                found.remove(key)
                if not found:
                    del table_of[entry]
        for pair in _firsts(client, key):
            at = bisect.bisect_left(self.firsts, pair)
            if at < len(self.firsts) and self.firsts[at] == pair:
                del self.firsts[at]
        self._lengths.subtract(_lengths(client))
        self._lengths += Counter()  # drops the lengths no name has any more
        self._first_words = None
        if self._fuzzy is not None:
            self._fuzzy.seen.pop(key, None)
            if self._fuzzy.stale > len(self._fuzzy.seen) + 64:
                self._fuzzy = None  # rebuilt when next needed, without the old entries

    @property
    def fuzzy(self) -> _Fuzzy:
        if self._fuzzy is None:
            self._fuzzy = _Fuzzy()
            for key, client in self.clients.items():
                self._fuzzy.add(client, key)
        return self._fuzzy

    def near(self, query: str, k: int, cutoff: float) -> set[int]:
        """Clients with a whole name, or its first `k` words, scoring `cutoff` or more against
        `query` (and perhaps others): the only ones a fuzzy match need score one by one."""
        return self.fuzzy.near(query, k, cutoff)

    def slips(self, first: str | None, typed: Sequence[str]) -> set[int]:
        """Clients whose name of several words `typed` may start with a slip: those with a
        name starting with the word `first`, or with no such word, a name whose whole scores
        TYPO against as many typed words (and perhaps others)."""
        fuzzy = self.fuzzy
        if first is not None:
            return set(fuzzy.by_first_word.get(first, ()))
        found: set[int] = set()
        for m, (names, owners) in fuzzy.by_words.items():
            if 1 < m <= len(typed):
                found |= _scoring(utils.default_process(" ".join(typed[:m])), names, owners, TYPO)
        return found

    def second_word(self, word: str) -> list[Client]:
        """Clients with a name whose second word is `word` (casefolded), and perhaps others, in
        the book's order."""
        return self.now_named(self.fuzzy.by_second_word.get(word, ()))

    def now_named(self, found: Iterable[int]) -> list[Client]:
        """The clients of `found` still in the book (an older fuzzy entry may name one gone),
        in the book's order."""
        return self.in_order(i for i in found if i in self.clients)


def _forms(client: Client) -> Iterator[tuple[str, ...]]:
    """Each name's folded words, and its core, once each."""
    for name in client.names:
        words = fold(name)
        if words:
            yield from dict.fromkeys((words, _core(words)))


def _entries(client: Client) -> list[tuple[str, Any]]:
    """(table, key) for each place the client is found by in a Book."""
    out: list[tuple[str, Any]] = []
    for name in client.names:
        words = fold(name)
        if not words:
            continue
        out.append(("folded", words))
        for form in dict.fromkeys((words, _core(words))):
            out += [("exact", form), ("spaced", "".join(form))]
            # A leading initial or two ("J.R. Whitfield") may be left out of the name.
            start = 1 if len(form) > 1 and len(form[0]) <= 2 else 0
            for s in dict.fromkeys((0, start)):
                for k in range(s + 1, len(form) if s == 0 else len(form) + 1):
                    out.append(("partial", "".join(form[s:k])))
        out += [("anywhere", word) for word in words]
    return out


def _firsts(client: Client, key: int) -> set[tuple[str, int]]:
    firsts = set()
    for name in client.names:
        words = fold(name)
        if words:
            firsts.add((words[0], key))
            if len(words) > 1 and words[0] == "the":
                firsts.add((words[1], key))
    return firsts


def _lengths(client: Client) -> Counter[int]:
    return Counter(len(form) for form in _forms(client))


class _Fuzzy:
    """Names as rapidfuzz reads them, for finding the few clients worth scoring one by one:
    whole names, their first k words, and names by their count of words."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.owners: list[int] = []
        self.firsts: dict[int, tuple[list[str], list[int]]] = {}
        self.by_words: dict[int, tuple[list[str], list[int]]] = {}
        self.by_first_word: dict[str, list[int]] = {}
        self.by_second_word: dict[str, list[int]] = {}
        self.seen: dict[int, int] = {}

    @property
    def stale(self) -> int:
        """Entries of clients dropped or changed since."""
        return len(self.owners) - sum(self.seen.values())

    def add(self, client: Client, key: int) -> None:
        self.seen[key] = len(client.names)
        for name in client.names:
            self.names.append(utils.default_process(name))
            self.owners.append(key)
            words = name.split()
            for k in range(1, len(words) + 1):
                first = " ".join(words[:k])
                if first != name:
                    names, owners = self.firsts.setdefault(k, ([], []))
                    names.append(utils.default_process(first))
                    owners.append(key)
            names, owners = self.by_words.setdefault(len(words), ([], []))
            names.append(self.names[-1])
            owners.append(key)
            if words:
                self.by_first_word.setdefault(words[0].casefold(), []).append(key)
            if len(words) > 1:
                self.by_second_word.setdefault(words[1].casefold(), []).append(key)

    def near(self, query: str, k: int, cutoff: float) -> set[int]:
        typed = utils.default_process(query)
        found = _scoring(typed, self.names, self.owners, cutoff)
        if k in self.firsts:
            found |= _scoring(typed, *self.firsts[k], cutoff)
        return found


def _scoring(typed: str, names: list[str], owners: list[int], cutoff: float) -> set[int]:
    hits = process.extract(typed, names, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None)
    return {owners[n] for _, _, n in hits}


# Sorts after every (word, key) pair with the same word.
_AFTER_EVERY_KEY = 1 << 62


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


def _mentions(words: list[_Word], index: Book, lead: int) -> list[_Mention]:
    """Every name in the text, whole words only; `lead` is the index of the leading word."""
    found: list[_Mention] = []
    for i, word in enumerate(words):
        if not word.first:
            continue
        letters = ""
        for j in range(i, min(len(words), i + index.longest)):
            letters += words[j].key
            if not words[j].last:
                continue
            spans = [(letters, tuple(w.key for w in words[i : j + 1]))]
            bare = words[j].bare
            if bare is not None:
                spans.append((letters[: -len(words[j].key)] + bare, (*spans[0][1][:-1], bare)))
            for key, exact in spans:
                found += _named(exact, key, index, words, i, j + 1, lead)
    return found


def _named(
    exact: tuple[str, ...],
    letters: str,
    index: Book,
    words: list[_Word],
    start: int,
    end: int,
    lead: int,
) -> list[_Mention]:
    out: list[_Mention] = []
    everyday = len(exact) == 1 and exact[0] in COMMON
    noted = all(w in STOP for w in exact)
    for client in index.exact.get(exact, ()):
        sure = (
            Sureness.WEAK
            if everyday and not _clearly_a_name(words, start, end, lead)
            else (Sureness.SURE)
        )
        out.append(_Mention(client, sure, start, end))
    for client in index.spaced.get(letters, ()):
        if client not in index.exact.get(exact, ()):
            out.append(_Mention(client, Sureness.GOOD, start, end))
    partial = index.partial.get(letters, ())
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
    if len(index.anywhere.get(word, ())) > named:
        return True
    at = bisect.bisect_right(index.firsts, (word, _AFTER_EVERY_KEY))
    return at < len(index.firsts) and index.firsts[at][0].startswith(word)


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
    at = bisect.bisect_left(index.firsts, (key, -1))
    prefixed: list[int] = []
    while at < len(index.firsts) and index.firsts[at][0].startswith(key):
        if index.firsts[at][0] != key:
            prefixed.append(index.firsts[at][1])
        at += 1
    # An everyday word starts a name only when used as one: "bright called".
    clear = key not in index.anywhere and (
        key not in EVERYDAY or _clearly_a_name(words, lead, lead + 1, lead)
    )
    sure = Sureness.GOOD if len(key) >= MIN_PREFIX and clear else Sureness.WEAK
    out += [_Mention(c, sure, lead, lead + 1) for c in dict.fromkeys(prefixed)]
    inside = index.anywhere.get(key, ())
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
        clients = list(dict.fromkeys(index.firsts[n][1] for _, d, n in near if d == 1))
        # A long word must also be clear of every other name by two slips ("northwod").
        rivals = {index.firsts[n][1] for _, d, n in near if d == 2 and len(key) > 5}
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
    for m in sorted(mentions, key=lambda m: (-m.sureness, m.start - m.end, m.start)):
        clash = [k for k in kept if k.start < m.end and m.start < k.end]
        if all(
            (k.start, k.end, k.sureness) == (m.start, m.end, m.sureness) and k.client != m.client
            for k in clash
        ):
            kept.append(m)
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
        exact = index.folded.get(fold(name), [])
        if len(exact) == 1:
            return Match(index.clients[exact[0]], note)
        return _fuzzy(name, note, index, words=None)

    text = " ".join(text.split())
    if not text:
        return NoMatch("", ())
    words = _words(text)
    # A leading "the" belongs to the name after it: "the reyes called".
    lead = 1 if len(words) > 1 and words[0].key == "the" and words[1].first else 0
    mentions = _mentions(words, index, lead)
    slip = _slip(text, words, mentions, index, lead)
    if slip is not None:
        mentions.append(slip)
    settled = _settle(mentions)
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
            return Match(index.clients[chosen.pop()], _rest(text, words, mention, lead))
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


def _offer(query: str, candidates: tuple[Client, ...], note: str) -> Ambiguous:
    return Ambiguous(
        query, candidates[:MAX_CANDIDATES], note, max(len(candidates) - MAX_CANDIDATES, 0)
    )


def _rest(text: str, words: list[_Word], mention: _Mention, lead: int) -> str:
    """The note: what follows a leading name, or the whole text when the name is further on."""
    if mention.start != lead:
        return text
    return _note(text[words[mention.end - 1].end :])


def _ask(
    mentions: list[_Mention], words: list[_Word], text: str, index: Book, lead: int
) -> Ambiguous:
    candidates = tuple(index.in_order(m.client for m in mentions))
    spans = sorted({(m.start, m.end) for m in mentions})
    query = " / ".join(text[words[s].start : words[e - 1].end] for s, e in spans)
    leading = {(s, e) for s, e in spans} == {(spans[0][0], spans[0][1])} and spans[0][0] == lead
    note = _note(text[words[spans[0][1] - 1].end :]) if leading else text
    return _offer(query, candidates, note)


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
    maybe = index.slips(matched[0] if n else None, typed)
    for i in sorted((i for i in maybe if i in index.clients), key=index.rank):
        client = index.clients[i]
        for name in client.names:
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
        for n in range(min(4, len(words)), 0, -1):
            spans.append((" ".join(words[:n]), _note(" ".join(words[n:]))))

    # A query of k words is compared with each whole name and with the name's first k words,
    # so "nrthwind" finds "Northwind Traders". Longer spans come first and keep their place
    # unless a shorter one is clearly better, so a typo'd second word stays in the name.
    # A client scoring below CLOSEST on every span can't change the answer: only the others
    # are scored one by one, in the book's order, as all were.
    near: set[int] = set()
    for query, _ in spans:
        near |= index.near(query, len(query.split()), CLOSEST)
    clients = index.now_named(near)
    scored: dict[int, tuple[float, Client, str, str]] = {}
    for query, rest in spans:
        k = len(query.split())
        for client in clients:
            score = max(
                max(fuzz.ratio(query, n, processor=utils.default_process) for n in c_names)
                for c_names in ([*client.names], [" ".join(n.split()[:k]) for n in client.names])
            )
            held = scored.get(client.id)
            if held is None or score > held[0] + SHORTER_SPAN_MARGIN:
                scored[client.id] = (score, client, query, rest)

    ranked = sorted(scored.values(), key=lambda s: (-s[0], s[1].name))
    query_text = spans[-1][0] if words is not None else spans[0][0]
    if not ranked or ranked[0][0] < CLOSEST:
        return NoMatch(query_text, ())
    top_score, top, query, rest = ranked[0]
    runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
    if top_score >= CONFIDENT and top_score - runner_up >= CLEAR_LEAD:
        return Match(top, rest)
    confident = [r for r in ranked if r[0] >= CONFIDENT]
    if len(confident) > 1:
        return _offer(query, tuple(r[1] for r in confident), rest)
    closest = tuple(r[1] for r in ranked[:3] if r[0] >= CLOSEST)
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
    named = {m.client for m in _settle(_mentions(folded, index, -1)) if m.sureness >= Sureness.GOOD}
    return index.clients[named.pop()] if len(named) == 1 else None
