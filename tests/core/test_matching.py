"""Which client a rep means from the start of their `/touch` text (bot.core.matching)."""

from __future__ import annotations

import pytest

from bot.core.matching import (
    MAX_CANDIDATES,
    Ambiguous,
    Match,
    MatchResult,
    NoMatch,
    look_up,
    match_client,
    mentioned_client,
)
from bot.core.model import Client


def client(id_: int, name: str, *aliases: str) -> Client:
    return Client(id=id_, team_id="T1", name=name, aliases=aliases)


ACME = client(1, "Acme")
ACME_GROUP = client(2, "Acme Insurance Group", "AIG")
NORTHWIND = client(3, "Northwind Traders")
NORTH_STAR = client(4, "North Star Logistics", "North Star")
BRIGHTSIDE = client(5, "Brightside Dental")
CONTOSO = client(6, "Contoso Ltd", "Contoso")
HARBOR = client(7, "Blue Harbor Marine", "BHM")
FABRIKAM = client(8, "Fabrikam")

CLIENTS = (ACME, ACME_GROUP, NORTHWIND, NORTH_STAR, BRIGHTSIDE, CONTOSO, HARBOR, FABRIKAM)


def match(text: str, clients: tuple[Client, ...] = CLIENTS) -> MatchResult:
    return match_client(text, clients)


# 1: exact names and aliases, ignoring case


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        ("fabrikam called about their claim", FABRIKAM, "called about their claim"),
        ("FABRIKAM called", FABRIKAM, "called"),
        ("Fabrikam", FABRIKAM, ""),
        ("aig reviewed their fleet cover", ACME_GROUP, "reviewed their fleet cover"),
        ("AIG called", ACME_GROUP, "called"),
        ("bhm sent the renewal pack", HARBOR, "sent the renewal pack"),
        ("contoso sent invoice", CONTOSO, "sent invoice"),
        ("Contoso Ltd sent invoice", CONTOSO, "sent invoice"),
        ("acme called", ACME, "called"),
    ],
)
def test_exact_name_or_alias_ignoring_case(text: str, expected: Client, note: str) -> None:
    assert match(text) == Match(expected, note)


# 2: the longest name the text starts with; multi-word names need no quotes


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        ("northwind traders lunch with the owner", NORTHWIND, "lunch with the owner"),
        (
            "Blue Harbor Marine walked them through the new hull cover",
            HARBOR,
            "walked them through the new hull cover",
        ),
        ("brightside dental sent holiday card", BRIGHTSIDE, "sent holiday card"),
        ("north star logistics called", NORTH_STAR, "called"),
        # An alias of two words is a name too.
        ("north star called", NORTH_STAR, "called"),
        # Extra spaces between the name's words don't matter; the note keeps its own words.
        ("northwind   traders   Called ABOUT the Claim", NORTHWIND, "Called ABOUT the Claim"),
    ],
)
def test_multi_word_names_unquoted(text: str, expected: Client, note: str) -> None:
    assert match(text) == Match(expected, note)


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        ("acme insurance group called", ACME_GROUP, "called"),
        ("ACME Insurance Group reviewed cover", ACME_GROUP, "reviewed cover"),
        ("acme insurance group", ACME_GROUP, ""),
        # The shorter name still wins when the longer one isn't what was typed.
        ("acme called about the group policy", ACME, "called about the group policy"),
        ("acme insurance renewal call", ACME, "insurance renewal call"),
        ("acme group meeting", ACME, "group meeting"),
        ("acme roof leak claim", ACME, "roof leak claim"),
    ],
)
def test_a_name_that_is_a_prefix_of_another_longest_wins(
    text: str, expected: Client, note: str
) -> None:
    assert match(text) == Match(expected, note)


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        ('"acme insurance group" called', ACME_GROUP, "called"),
        ('"Acme" called', ACME, "called"),
        ('"north star" sent renewal paperwork', NORTH_STAR, "sent renewal paperwork"),
        ('"northwind traders"called', NORTHWIND, "called"),
        ('"  Northwind   Traders " called', NORTHWIND, "called"),
        # Phones send curly quotes.
        ("\u201cnorth star\u201d sent renewal paperwork", NORTH_STAR, "sent renewal paperwork"),
        ("\u201cAcme Insurance Group\u201d called", ACME_GROUP, "called"),
        # A quoted name that isn't whole still finds its client, as a fuzzy match.
        ('"acme insurance" called', ACME_GROUP, "called"),
        ('"acme insurnce group" called', ACME_GROUP, "called"),
        ('"Acme"', ACME, ""),
    ],
)
def test_quoted_names(text: str, expected: Client, note: str) -> None:
    assert match(text) == Match(expected, note)


def test_empty_quotes_name_nobody() -> None:
    assert match('"" called') == NoMatch("", ())


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        ("acme: reviewed their cover", ACME, "reviewed their cover"),
        ("Acme, called back", ACME, "called back"),
        ("acme - called about the claim", ACME, "called about the claim"),
        ("acme \u2014 called about the claim", ACME, "called about the claim"),
        ("northwind traders: lunch", NORTHWIND, "lunch"),
        ('"north star": called', NORTH_STAR, "called"),
    ],
)
def test_a_separator_after_the_name_is_not_part_of_the_note(
    text: str, expected: Client, note: str
) -> None:
    assert match(text) == Match(expected, note)


def test_two_clients_with_the_same_name_are_ambiguous() -> None:
    twin = client(9, "Fabrikam Holdings", "fabrikam")
    assert match("fabrikam called", (*CLIENTS, twin)) == Ambiguous(
        "fabrikam", (FABRIKAM, twin), "called"
    )


def test_a_name_and_an_alias_of_one_client_count_once() -> None:
    same = client(9, "Tailspin", "tailspin")
    assert match("tailspin called", (same,)) == Match(same, "called")


# 3: a unique prefix


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        ("bright called", BRIGHTSIDE, "called"),
        ("Brig sent the holiday card", BRIGHTSIDE, "sent the holiday card"),
        ("northw called", NORTHWIND, "called"),
        ("fab called", FABRIKAM, "called"),
        ("con called", CONTOSO, "called"),
        ("blue called", HARBOR, "called"),
        ("brightside", BRIGHTSIDE, ""),
    ],
)
def test_a_unique_prefix_matches(text: str, expected: Client, note: str) -> None:
    assert match(text) == Match(expected, note)


@pytest.mark.parametrize(
    ("text", "candidates", "note"),
    [
        ("north called", (NORTHWIND, NORTH_STAR), "called"),
        ("nor called", (NORTHWIND, NORTH_STAR), "called"),
        ("ac called", (ACME, ACME_GROUP), "called"),
    ],
)
def test_a_shared_prefix_is_ambiguous(text: str, candidates: tuple[Client, ...], note: str) -> None:
    result = match(text)
    assert result == Ambiguous(text.split()[0], candidates, note)


def test_ambiguous_offers_at_most_max_candidates() -> None:
    many = tuple(client(100 + i, f"Summit {i}") for i in range(MAX_CANDIDATES + 3))
    result = match("summ called", many)
    assert isinstance(result, Ambiguous)
    assert result.candidates == many[:MAX_CANDIDATES]
    assert result.note == "called"


# 4: confident fuzzy matches for typos


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        ("nrthwind called", NORTHWIND, "called"),
        ("northwnd traders called", NORTHWIND, "called"),
        ("brigthside called about the claim", BRIGHTSIDE, "called about the claim"),
        ("brightsde dental called", BRIGHTSIDE, "called"),
        ("fabrikm sent invoice", FABRIKAM, "sent invoice"),
        ("contso called", CONTOSO, "called"),
        ("Blue Harbour Marine called", HARBOR, "called"),
        # A typo in a later word of the name stays out of the note.
        ("northwind tradrs called", NORTHWIND, "called"),
        ("brightside dentl lunch", BRIGHTSIDE, "lunch"),
        ("north star logistcs called", NORTH_STAR, "called"),
        ("acm insurance group called", ACME_GROUP, "called"),
    ],
)
def test_typos_find_the_client(text: str, expected: Client, note: str) -> None:
    assert match(text) == Match(expected, note)


@pytest.mark.parametrize(
    "text",
    [
        "acme insurnce group called",
        "Acme Insurance Grp called",
        "acme insurance gruop called",
    ],
)
def test_a_typo_in_a_longer_name_beats_the_shorter_exact_name(text: str) -> None:
    # "Acme" matches the first word exactly, but the rep typed all of Acme Insurance Group.
    assert match(text) == Match(ACME_GROUP, "called")


def test_a_typo_with_no_shorter_name_around() -> None:
    assert match("acme insurnce group called", (ACME_GROUP, NORTHWIND)) == Match(
        ACME_GROUP, "called"
    )


def test_a_near_name_in_the_note_does_not_steal_the_touch() -> None:
    smith = client(20, "Smith")
    smith_cars = client(21, "Smith Cars")
    assert match("smith card sent for his birthday", (smith, smith_cars)) == Match(
        smith, "card sent for his birthday"
    )


def test_typos_close_to_two_names_are_ambiguous() -> None:
    northwood = client(22, "Northwood Traders")
    result = match("northwod traders called", (NORTHWIND, northwood))
    assert isinstance(result, Ambiguous)
    assert set(result.candidates) == {NORTHWIND, northwood}


# No match


def test_no_match_offers_the_closest_names() -> None:
    result = match("northbridge called")
    assert isinstance(result, NoMatch)
    assert result.query == "northbridge"
    assert set(result.closest) == {NORTHWIND, NORTH_STAR}
    assert len(result.closest) <= 3


@pytest.mark.parametrize("text", ["zzz corp called", "xyzzy", "globex sent invoice"])
def test_no_match_without_anything_close(text: str) -> None:
    assert match(text) == NoMatch(text.split()[0], ())


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_text_matches_nobody(text: str) -> None:
    assert match(text) == NoMatch("", ())


def test_no_clients_matches_nobody() -> None:
    assert match("acme called", ()) == NoMatch("acme", ())


def test_a_message_mentioning_one_client_picks_it() -> None:
    book = [Client(1, "T1", "Acme"), Client(2, "T1", "Northwind Traders", ("NWT",))]
    assert mentioned_client("Hi, this is Jo from Acme's accounts team.", book) == book[0]
    assert mentioned_client("NWT: claim form attached", book) == book[1]
    assert mentioned_client("Acme and Northwind Traders are merging", book) is None
    assert mentioned_client("Acmeville called", book) is None


# Free phrasing: the client named anywhere, folded, and never guessed


def free_book() -> tuple[Client, ...]:
    names = [
        ("Acme Insurance Group", "Acme"),
        ("Precision Machining Co",),
        ("Precision Auto Body",),
        ("Renewal Wellness Spa",),
        ("The Greater Riverside Community Health Cooperative",),
        ("Reyes Family Farms",),
        ("Summit",),
        ("Summit Ridge Homeowners Association",),
        ("Café Lumière",),
        ("Harbor View Apartments",),
        ("O'Brien & Sons",),
        ("North Star Logistics", "North Star"),
        ("Lone Star Feed & Supply",),
        ("Northwind Traders", "Northwind"),
        ("Anchor",),
        ("Beacon Property Management", "Beacon"),
    ]
    return tuple(client(100 + i, *n) for i, n in enumerate(names))


FREE = free_book()


def named(text: str) -> str | tuple[str, ...] | None:
    """The client's name for a match, the candidates' names when it asks, None for nobody."""
    result = match_client(text, FREE)
    if isinstance(result, Match):
        return result.client.name
    if isinstance(result, Ambiguous):
        return tuple(c.name for c in result.candidates)
    return None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("called acme about their claim", "Acme Insurance Group"),
        ("coffee w/ dave at northwind", "Northwind Traders"),
        ("renewal review mtg with precision machining", "Precision Machining Co"),
        ("the reyes called about hail damage", "Reyes Family Farms"),
        ("renewal review meeting with acme", "Acme Insurance Group"),
        ("summit ridge hoa board meeting", "Summit Ridge Homeowners Association"),
        ("acem called about a fender bender", "Acme Insurance Group"),
        ("cafe lumiere sent the renewal docs", "Café Lumière"),
        ("harbor view apts sent the coi", "Harbor View Apartments"),
        ("o brien & sons reviewed their umbrella", "O'Brien & Sons"),
        ("obrien and sons lunch", "O'Brien & Sons"),
        ("stopped by acme's new office", "Acme Insurance Group"),
        ("summit called about a break-in", "Summit"),
        ("quick call w/ anchor re: their coi", "Anchor"),
        ("the anchor tenant at beacon moved out", "Beacon Property Management"),
    ],
)
def test_the_client_named_anywhere(text: str, name: str) -> None:
    assert named(text) == name


@pytest.mark.parametrize(
    "text",
    [
        "the board meeting went well",
        "renewal review mtg",
        "called about the renewal",
        "first time meeting the new cfo",
        "lunch with the owner",
    ],
)
def test_everyday_words_never_pick_a_client(text: str) -> None:
    assert not isinstance(match_client(text, FREE), Match)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("lunch w/ acme and northwind", ("Acme Insurance Group", "Northwind Traders")),
        ("precision called about the claim", ("Precision Machining Co", "Precision Auto Body")),
        ("star called about a claim", ("North Star Logistics", "Lone Star Feed & Supply")),
        ("summit bank called about their loan", ("Summit", "Summit Ridge Homeowners Association")),
    ],
)
def test_two_clients_named_or_a_weak_match_asks(text: str, names: tuple[str, ...]) -> None:
    assert named(text) == names


@pytest.mark.parametrize(
    ("text", "note"),
    [
        # The words that named the client go when they lead, with a leading "the".
        ("the reyes called about hail damage", "called about hail damage"),
        ("harbor view apts - sent renewal paperwork", "sent renewal paperwork"),
        # A name further on reads naturally and stays.
        ("called acme about their claim", "called acme about their claim"),
    ],
)
def test_the_note_drops_a_leading_name_only(text: str, note: str) -> None:
    result = match_client(text, FREE)
    assert isinstance(result, Match) and result.note == note


def test_a_question_after_a_leading_word_keeps_only_the_rest() -> None:
    result = match_client("star called about a claim", FREE)
    assert isinstance(result, Ambiguous)
    assert (result.query, result.note) == ("star", "called about a claim")


def test_the_shortcut_picks_only_a_client_named_well() -> None:
    assert mentioned_client("coffee w/ dave at northwind", FREE) == FREE[13]
    assert mentioned_client("renewal review mtg", FREE) is None
    assert mentioned_client("lunch w/ acme and northwind", FREE) is None


def test_a_lookup_takes_a_single_weak_candidate_but_still_asks_between_two() -> None:
    ping = Client(1, "T1", "Ping Signal Partners")
    book = [ping, Client(2, "T1", "Acme Insurance Group"), Client(3, "T1", "Acme Logistics")]
    assert look_up("ping", book) == ping
    assert isinstance(look_up("acme", book), Ambiguous)
    assert isinstance(look_up("zebra", book), NoMatch)
