"""Find which client a rep means from the start of their `/touch` text.

The order is: the longest name or alias the text starts with (whole words, ignoring case; a
`"quoted name"` must match whole), unless a longer name was typed whole with a slip; then a
unique prefix of a name or alias, then a confident fuzzy match. The rest of the text is the note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, utils

from bot.core.model import Client

# Scores are rapidfuzz ratios from 0 to 100. A fuzzy match must be confident and clearly ahead
# of the next best client, so a typo lands on the right client but a guess never does.
CONFIDENT = 85.0
CLEAR_LEAD = 8.0
CLOSEST = 55.0
MAX_CANDIDATES = 5
# The least rapidfuzz partial ratio for a typo'd name to be offered in a picker ("nrthwind").
FUZZY_OPTION = 75.0
SHORTER_SPAN_MARGIN = 3.0
# A whole multi-word name typed with a slip ("acme insurnce group") beats a shorter name matched
# exactly ("Acme"), and a prefix ("northwind tradrs" is not Northwind with the note "tradrs").
# The bar is higher than CONFIDENT, and the words past the shorter name must match well too, so
# "smith card" stays with Smith rather than going to Smith Cars.
TYPO = 90.0
TYPO_TAIL = 85.0

# Phones turn "straight" quotes into “curly” ones, so both kinds open and close a name.
_QUOTE_MARKS = '"“”'


@dataclass(frozen=True)
class Match:
    client: Client
    note: str


@dataclass(frozen=True)
class Ambiguous:
    """Several clients fit; the rep picks one. `note` is what followed the name."""

    query: str
    candidates: tuple[Client, ...]
    note: str


@dataclass(frozen=True)
class NoMatch:
    query: str
    closest: tuple[Client, ...]


MatchResult = Match | Ambiguous | NoMatch


def _word(word: str) -> str:
    """A word as compared with names: case-folded, without a trailing `:`, `;` or `,`."""
    return word.casefold().rstrip(":;,")


def _fold(text: str) -> str:
    return " ".join(_word(w) for w in text.split())


def _note(words: Sequence[str]) -> str:
    """The words after the name, without a separator put between them ("acme - called")."""
    return " ".join(words).lstrip(" :;,-–—")


def _split_quoted(text: str) -> tuple[str, str] | None:
    if not text or text[0] not in _QUOTE_MARKS:
        return None
    end = next((i for i, ch in enumerate(text[1:], 1) if ch in _QUOTE_MARKS), -1)
    if end == -1:
        return None
    return " ".join(text[1:end].split()), _note(text[end + 1 :].split())


def match_client(text: str, clients: Sequence[Client]) -> MatchResult:
    """Match the start of `text` to one of `clients` (all active, one workspace)."""
    quoted = _split_quoted(text)
    if quoted is not None:
        name, note = quoted
        if not name:
            # `""` names nobody; fuzzy scoring would call every client a perfect match.
            return NoMatch("", ())
        exact = [c for c in clients if any(_fold(n) == _fold(name) for n in c.names)]
        if len(exact) == 1:
            return Match(exact[0], note)
        return _fuzzy(name, note, clients, words=None)

    words = text.split()
    folded = [_word(w) for w in words]

    # 1 and 2: the longest name or alias that the text starts with, on whole words.
    best: tuple[int, list[Client]] = (0, [])
    for client in clients:
        for name in client.names:
            name_words = _fold(name).split()
            n = len(name_words)
            if n and folded[:n] == name_words and n >= best[0]:
                best = (n, [*best[1], client] if n == best[0] else [client])
    length, found = best
    if (slip := _longer_name_with_slip(words, folded[:length], clients)) is not None:
        return slip
    unique = list(dict.fromkeys(found))
    if len(unique) == 1:
        return Match(unique[0], _note(words[length:]))
    if len(unique) > 1:
        return Ambiguous(" ".join(words[:length]), tuple(unique), _note(words[length:]))

    if not words:
        return NoMatch("", ())

    # 3: a unique prefix of a name or alias, from the first word.
    first = folded[0]
    prefixed = list(
        dict.fromkeys(
            c for c in clients if first and any(_fold(n).startswith(first) for n in c.names)
        )
    )
    note = _note(words[1:])
    if len(prefixed) == 1:
        return Match(prefixed[0], note)
    if len(prefixed) > 1:
        return Ambiguous(words[0], tuple(prefixed[:MAX_CANDIDATES]), note)

    # 4: a confident fuzzy match on the first one to four words.
    return _fuzzy(None, None, clients, words=words)


def _longer_name_with_slip(
    words: list[str], matched: list[str], clients: Sequence[Client]
) -> Match | Ambiguous | None:
    """A name longer than the `matched` words that the text starts with, give or take a typo."""
    n = len(matched)
    scored: dict[int, tuple[float, Client, int]] = {}
    for client in clients:
        for name in client.names:
            name_words = name.split()
            m = len(name_words)
            if not n < m <= len(words) or [_word(w) for w in name_words[:n]] != matched:
                continue
            whole = fuzz.ratio(" ".join(words[:m]), name, processor=utils.default_process)
            tail = fuzz.ratio(
                " ".join(words[n:m]), " ".join(name_words[n:]), processor=utils.default_process
            )
            held = scored.get(client.id)
            if whole >= TYPO and tail >= TYPO_TAIL and (held is None or whole > held[0]):
                scored[client.id] = (whole, client, m)
    if not scored:
        return None
    ranked = sorted(scored.values(), key=lambda s: (-s[0], s[1].name))
    top_score, top, m = ranked[0]
    close = [r for r in ranked if top_score - r[0] < CLEAR_LEAD]
    if len(close) == 1:
        return Match(top, _note(words[m:]))
    return Ambiguous(
        " ".join(words[:m]), tuple(r[1] for r in close[:MAX_CANDIDATES]), _note(words[m:])
    )


def _fuzzy(
    name: str | None, note: str | None, clients: Sequence[Client], *, words: list[str] | None
) -> MatchResult:
    """Score each client by its best name or alias against the query (or its leading words)."""
    spans: list[tuple[str, str]] = []
    if words is None:
        assert name is not None and note is not None
        spans.append((name, note))
    else:
        for n in range(min(4, len(words)), 0, -1):
            spans.append((" ".join(words[:n]), _note(words[n:])))

    # A query of k words is compared with each whole name and with the name's first k words,
    # so "nrthwind" finds "Northwind Traders". Longer spans come first and keep their place
    # unless a shorter one is clearly better, so a typo'd second word stays in the name.
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
        return Ambiguous(query, tuple(r[1] for r in confident[:MAX_CANDIDATES]), rest)
    closest = tuple(r[1] for r in ranked[:3] if r[0] >= CLOSEST)
    return NoMatch(query_text, closest)


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


def mentioned_client(words: str, clients: Sequence[Client]) -> Client | None:
    """The one client whose name or alias a message mentions (whole words, any case), if only
    one is: a pasted email from Acme opens the form on Acme."""
    folded = f" {utils.default_process(words)} "
    found = {
        client.id: client
        for client in clients
        for name in client.names
        if (key := utils.default_process(name)) and f" {key} " in folded
    }
    return next(iter(found.values())) if len(found) == 1 else None
