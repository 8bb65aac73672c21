"""A Book kept up to date client by client answers exactly as the plain matcher does.

Differential and property-based: random books, random edits (new clients, renames, new
aliases, archives) and random texts; after every edit, the kept Book's answer to each text
equals the answer of a book folded afresh from the same clients that scores every client in
full (no candidates pruned), in the order the database gives them.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.matching import Book, match_client, mentioned_client
from bot.core.model import Client

# Distinct names, everyday words, note words, legal endings, initials, spellings and accents.
WORDS = [
    "Acme", "Acme", "Northwind", "Reyes", "Brightside", "Harbor", "View", "Harborview",
    "Summit", "Blue", "Golden", "Gate", "Group", "The", "Inc", "LLC", "Co.", "J.R.",
    "Apartments", "Assn", "Café", "&", "O'Brien", "Mueller", "Brothers", "Star", "Logistics",
    "Insurance", "Dental", "Keystone's", "called", "renewal",
]  # fmt: skip
NOTES = ["called", "about", "claim", "yesterday", "lunch", "w/", "sent", "the", "renewal"]


def name_key(name: str) -> str:
    """As the database orders a book (bot.db.repository's name_key)."""
    return " ".join(name.casefold().split())


class Unpruned(Book):
    """The plain matcher: every client scored one by one, none skipped as too far."""

    def near(self, query: str, k: int, cutoff: float) -> set[int]:
        return set(self.clients)

    def slips(self, first: str | None, typed: Sequence[str]) -> set[int]:
        return set(self.clients)


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
    clients = {
        n: Client(id=n, team_id="T1", name=name, aliases=more)
        for n, (name, more) in enumerate(first, 1)
    }
    kept = Book()
    for client in clients.values():
        kept.put(client, (name_key(client.name), client.id))

    def agree() -> None:
        ordered = sorted(clients.values(), key=lambda c: (name_key(c.name), c.id))
        fresh = Unpruned.of(ordered)
        for text in inputs:
            assert match_client(text, kept) == match_client(text, fresh), text
            assert mentioned_client(text, kept) == mentioned_client(text, fresh), text

    agree()
    for kind, client_id, name, more in changes:
        if kind == "drop":
            clients.pop(client_id, None)
            kept.drop(client_id)
        else:
            clients[client_id] = Client(id=client_id, team_id="T1", name=name, aliases=more)
            kept.put(clients[client_id], (name_key(name), client_id))
        agree()


def test_a_book_answers_before_and_after_its_fuzzy_part_is_built() -> None:
    """The fuzzy part is built on the first typo, then kept up to date with each change."""
    book = Book()
    book.put(Client(1, "T1", "Northwind Traders"), ("northwind traders", 1))
    assert match_client("acme called", book).__class__.__name__ == "NoMatch"
    book.put(Client(2, "T1", "Acme Insurance Group"), ("acme insurance group", 2))
    found = match_client("acmee insurance group called", book)
    assert getattr(found, "client", None) == Client(2, "T1", "Acme Insurance Group")
    book.drop(2)
    book.put(Client(2, "T1", "Zenith Dental"), ("zenith dental", 2))
    assert getattr(match_client("zenth dental lunch", book), "client", None) == Client(
        2, "T1", "Zenith Dental"
    )
    assert match_client("acmee insurance group called", book).__class__.__name__ == "NoMatch"
