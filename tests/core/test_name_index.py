"""A Book kept up to date client by client answers exactly as the plain matcher does.

Differential and property-based: random books, random edits (new clients, renames, new
aliases, archives) and random texts; after every edit, the kept Book's answer to each text
equals the answer of a book folded afresh from the same clients that scores every client in
full (no candidates pruned), in the order the database gives them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, utils

from bot.core.matching import (
    CLOSEST,
    SHORTER_SPAN_MARGIN,
    Book,
    Sureness,
    _Bucket,
    _Mention,
    _mentions,
    _named,
    _settle,
    _settled,
    _slip,
    _Word,
    _words,
    match_client,
    mentioned_client,
)
from bot.core.model import Client, name_key

# Distinct names, everyday words, note words, legal endings, initials, spellings and accents.
WORDS = [
    "Acme", "Acme", "Northwind", "Reyes", "Brightside", "Harbor", "View", "Harborview",
    "Summit", "Blue", "Golden", "Gate", "Group", "The", "Inc", "LLC", "Co.", "J.R.",
    "Apartments", "Assn", "Café", "&", "O'Brien", "Mueller", "Brothers", "Star", "Logistics",
    "Insurance", "Dental", "Keystone's", "called", "renewal",
]  # fmt: skip
NOTES = ["called", "about", "claim", "yesterday", "lunch", "w/", "sent", "the", "renewal"]


class Unpruned(Book):
    """The plain matcher: every client scored one by one, in Python, none skipped as too far."""

    def scored(self, queries: Sequence[str]) -> list[tuple[float, int, int]]:
        held: dict[int, tuple[float, int]] = {}
        for n, query in enumerate(queries):
            k = len(query.split())
            for key in self.ids():
                names = self.names(key)
                score = max(
                    fuzz.ratio(query, typed, processor=utils.default_process)
                    for typed in [*names, *(" ".join(name.split()[:k]) for name in names)]
                )
                if key not in held or score > held[key][0] + SHORTER_SPAN_MARGIN:
                    held[key] = (score, n)
        return [(score, key, n) for key, (score, n) in held.items() if score >= CLOSEST]

    def slips(self, first: str | None, typed: Sequence[str], fewest: int = 2) -> set[int]:
        return set(self.ids())


def reading(clients: Mapping[int, Client]) -> Book:
    """A kept Book that reads its clients from `clients`, as the name index reads the
    database's."""
    return Book(read=lambda keys: {k: clients[k] for k in keys})


def typo(word: str, at: int) -> str:
    """One slip: a letter left out, or two swapped."""
    if len(word) < 3:
        return word
    i = at % (len(word) - 1)
    return word[:i] + word[i + 1 :] if at % 2 else word[:i] + word[i + 1] + word[i] + word[i + 2 :]


names = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
aliases = st.lists(names, max_size=2).map(tuple)
# ("put", id, name, aliases) adds or changes client `id`; ("drop", id, ...) archives it.
edits = st.tuples(st.sampled_from(["put", "put", "drop"]), st.integers(1, 12), names, aliases)
typed_word = st.one_of(
    st.sampled_from(WORDS).map(str.lower),
    st.sampled_from(NOTES),
    st.tuples(st.sampled_from(WORDS), st.integers(0, 20)).map(lambda w: typo(w[0].lower(), w[1])),
)
texts = st.one_of(
    st.lists(typed_word, min_size=1, max_size=6).map(" ".join),
    st.tuples(names, st.sampled_from(NOTES)).map(lambda t: f'"{t[0]}" {t[1]}'),
)


def kept_answers_as_plain(
    first: list[tuple[str, tuple[str, ...]]],
    changes: list[tuple[str, int, str, tuple[str, ...]]],
    inputs: list[str],
) -> None:
    """A Book kept client by client, from `first` and then after each change, answers each
    input as a book folded afresh from the same clients that scores every client in full."""
    clients = {
        n: Client(id=n, team_id="T1", name=name, aliases=more)
        for n, (name, more) in enumerate(first, 1)
    }
    kept = reading(clients)
    for client in clients.values():
        kept.put(client.id, client.names)
    for kind, client_id, name, more in [("none", 0, "", ()), *changes]:
        if kind == "drop":
            clients.pop(client_id, None)
            kept.drop(client_id)
        elif kind == "put":
            clients[client_id] = Client(id=client_id, team_id="T1", name=name, aliases=more)
            kept.put(client_id, clients[client_id].names)
        fresh = Unpruned.of(sorted(clients.values(), key=lambda c: (name_key(c.name), c.id)))
        for text in inputs:
            assert match_client(text, kept) == match_client(text, fresh), text
            assert mentioned_client(text, kept) == mentioned_client(text, fresh), text


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(names, aliases), max_size=10),
    st.lists(edits, max_size=8),
    st.lists(texts, min_size=1, max_size=6),
)
def test_a_kept_book_answers_as_a_fresh_unpruned_one(
    first: list[tuple[str, tuple[str, ...]]],
    changes: list[tuple[str, int, str, tuple[str, ...]]],
    inputs: list[str],
) -> None:
    kept_answers_as_plain(first, changes, inputs)


def test_a_book_answers_before_and_after_its_fuzzy_part_is_built() -> None:
    """The fuzzy part is built on the first typo, then kept up to date with each change."""
    clients = {1: Client(1, "T1", "Northwind Traders")}
    book = reading(clients)
    book.put(1, clients[1].names)
    assert match_client("acme called", book).__class__.__name__ == "NoMatch"
    clients[2] = Client(2, "T1", "Acme Insurance Group")
    book.put(2, clients[2].names)
    found = match_client("acmee insurance group called", book)
    assert getattr(found, "client", None) == Client(2, "T1", "Acme Insurance Group")
    book.drop(2)
    clients[2] = Client(2, "T1", "Zenith Dental")
    book.put(2, clients[2].names)
    assert getattr(match_client("zenth dental lunch", book), "client", None) == Client(
        2, "T1", "Zenith Dental"
    )
    assert match_client("acmee insurance group called", book).__class__.__name__ == "NoMatch"


# Bigger books of longer names, numbered as in a real book, against names typed with a slip in
# each of their first words: the texts that fall through to the fuzzy scoring of every client.
numbered = st.tuples(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join),
    st.sampled_from(["", " 2", " 3", " 12"]),
).map("".join)


def misspelt(name: str, at: int, words: int) -> str:
    typed = name.split()
    return " ".join(typo(w.lower(), at + n) if n < words else w for n, w in enumerate(typed))


typos = st.one_of(
    st.tuples(numbered, st.integers(0, 20), st.integers(1, 3), st.sampled_from(NOTES)).map(
        lambda t: f"{misspelt(t[0], t[1], t[2])} {t[3]}"
    ),
    st.tuples(numbered, st.integers(0, 20), st.integers(1, 3)).map(
        lambda t: f'"{misspelt(t[0], t[1], t[2])}" lunch'
    ),
    texts,
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(numbered, aliases), min_size=20, max_size=120),
    st.lists(edits, max_size=4),
    st.lists(typos, min_size=1, max_size=6),
)
def test_a_big_kept_book_answers_typos_as_a_fresh_unpruned_one(
    first: list[tuple[str, tuple[str, ...]]],
    changes: list[tuple[str, int, str, tuple[str, ...]]],
    inputs: list[str],
) -> None:
    kept_answers_as_plain(first, changes, inputs)


def settled_one_by_one(mentions: list[_Mention]) -> list[_Mention]:
    """What `_settle` keeps, found by checking each mention against every mention kept."""
    kept: list[_Mention] = []
    for m in sorted(mentions, key=lambda m: (-m.sureness, m.start - m.end, m.start)):
        clash = [k for k in kept if k.start < m.end and m.start < k.end]
        if all(
            (k.start, k.end, k.sureness) == (m.start, m.end, m.sureness) and k.client != m.client
            for k in clash
        ):
            kept.append(m)
    return kept


mentions = st.lists(
    st.builds(
        lambda client, sureness, start, length: _Mention(client, sureness, start, start + length),
        st.integers(1, 6),
        st.sampled_from(list(Sureness)),
        st.integers(0, 5),
        st.integers(1, 3),
    ),
    max_size=40,
)


@given(mentions)
def test_settling_by_span_keeps_what_checking_every_mention_keeps(found: list[_Mention]) -> None:
    assert _settle(found) == settled_one_by_one(found)


# Strings near each other in letters and length, with letters that share a bit of the mask.
near_text = st.text(alphabet="abcdeé a@ĀA", min_size=0, max_size=12)


@settings(max_examples=300)
@given(near_text, st.lists(near_text, max_size=12), st.sampled_from([75.0, 85.0, 90.0]))
def test_a_bucket_scores_exactly_the_names_that_reach_the_cutoff(
    typed: str, names: list[str], cutoff: float
) -> None:
    for length in {len(name) for name in names}:
        bucket = _Bucket()
        held = [(n, name) for n, name in enumerate(names) if len(name) == length]
        for n, name in held:
            bucket.add(name, n)
        every = {n for n, name in held if fuzz.ratio(typed, name) >= cutoff}
        assert bucket.scoring(typed, cutoff) == every


def named_in_every_span(words: list[_Word], book: Book, lead: int) -> list[_Mention]:
    """The mentions of every span of whole typed words up to the book's longest, each looked
    up, whether or not any name has its letters."""
    found: list[_Mention] = []
    for i in [i for i, word in enumerate(words) if word.first]:
        for j in [j for j in range(i, min(len(words), i + book.longest)) if words[j].last]:
            keys = [w.key for w in words[i : j + 1]]
            found += _named(tuple(keys), "".join(keys), book, words, i, j + 1, lead)
            if (bare := words[j].bare) is not None:
                exact = (*keys[:-1], bare)
                found += _named(exact, "".join(exact), book, words, i, j + 1, lead)
    return found


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(numbered, aliases), min_size=1, max_size=40), st.data())
def test_settling_builds_only_mentions_that_settling_them_all_would_not_drop(
    first: list[tuple[str, tuple[str, ...]]], data: st.DataObject
) -> None:
    book = Book.of(
        [
            Client(id=n, team_id="T1", name=name, aliases=more)
            for n, (name, more) in enumerate(first)
        ]
    )
    # Whole names next to the first words of others, notes, typos and everyday words.
    said = st.sampled_from([name for name, more in first for name in (name, *more)])
    piece = st.one_of(
        said,
        st.tuples(said, st.integers(1, 2)).map(lambda t: " ".join(t[0].split()[: t[1]])),
        typed_word,
    )
    inputs = data.draw(st.lists(st.lists(piece, min_size=1, max_size=5).map(" ".join), max_size=4))
    for text in [" ".join(t.split()) for t in inputs]:
        words = _words(text)
        for lead in (-1, 0, 1):
            every = _mentions(words, book, lead)
            assert every == named_in_every_span(words, book, lead)
            slip = _slip(text, words, every, book, lead)
            assert _settled(words, book, lead) == _settle(every)
            assert _settled(words, book, lead, text) == _settle([*every, *filter(None, [slip])])
