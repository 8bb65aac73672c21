"""The text after `/touch`, parsed into a command (bot.core.commands)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.commands import (
    AddClient,
    Command,
    EditClient,
    FutureDay,
    Help,
    ListDue,
    Log,
    OpenForm,
    Pause,
    Resume,
    Show,
    Undo,
    Usage,
    parse,
)
from bot.core.dates import BadDate
from bot.core.model import Tier

D = dt.date
TODAY = D(2026, 11, 22)  # a Sunday


def p(text: str) -> Command:
    return parse(text, TODAY)


@pytest.mark.parametrize("text", ["", "   ", "\t", "\n"])
def test_nothing_after_the_command_opens_the_form(text: str) -> None:
    assert p(text) == OpenForm()


@pytest.mark.parametrize("text", ["help", "HELP", "Help me", "?", "-h", "--help", "  help  "])
def test_help(text: str) -> None:
    assert p(text) == Help()


def test_undo() -> None:
    assert p("undo") == Undo()
    assert p("UNDO") == Undo()


def test_undo_takes_nothing_after_it() -> None:
    assert p("undo the last one") == Usage("undo")


def test_list_and_resume() -> None:
    assert p("list") == ListDue()
    assert p("List") == ListDue()
    assert p("resume") == Resume()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("show acme", Show("acme")),
        ("SHOW Acme Insurance Group", Show("Acme Insurance Group")),
        ('show "north star"', Show("north star")),
        ("show \u201cnorth star\u201d", Show("north star")),  # a phone's curly quotes
        ("show   northwind    traders", Show("northwind traders")),
        ("show", Usage("show")),
        ("edit acme", EditClient("acme")),
        ('edit "Acme Insurance Group"', EditClient("Acme Insurance Group")),
        ("edit", Usage("edit")),
    ],
)
def test_show_and_edit(text: str, expected: Command) -> None:
    assert p(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pause", Pause(None)),
        ("pause until 2026-12-01", Pause(D(2026, 12, 1))),
        ("Pause UNTIL 2027-01-04", Pause(D(2027, 1, 4))),
        ("pause until 2026-11-23", Pause(D(2026, 11, 23))),
        ("pause until 2026-11-22", Usage("pause", "past")),
        ("pause until 2026-11-01", Usage("pause", "past")),
        ("pause until friday", Usage("pause", "date")),
        ("pause until", Usage("pause")),
        ("pause for a week", Usage("pause")),
        ("pause 2026-12-01", Usage("pause")),
        ("pause until 2026-02-30", BadDate("2026-02-30")),
    ],
)
def test_pause(text: str, expected: Command) -> None:
    assert p(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add Brightside Dental", AddClient("Brightside Dental")),
        (
            "add Acme Insurance Group renews 2027-03-14 tier A owner <@U123ABC>",
            AddClient("Acme Insurance Group", D(2027, 3, 14), Tier.A, "U123ABC"),
        ),
        # Options in any order, any case; Slack's mention carries the display name after a bar.
        (
            "add Northwind owner <@U42|sam> TIER c Renews 2024-02-29",
            AddClient("Northwind", D(2024, 2, 29), Tier.C, "U42"),
        ),
        ("add Contoso tier b", AddClient("Contoso", tier=Tier.B)),
        ("add Contoso owner <@W99ZZ>", AddClient("Contoso", owner_id="W99ZZ")),
        # A renewal date in the past is fine: it recurs yearly.
        ("add Contoso renews 2020-06-30", AddClient("Contoso", D(2020, 6, 30))),
        # Quotes keep a name whole, option words included.
        ('add "North Star" tier A', AddClient("North Star", tier=Tier.A)),
        ('add "Tier One Roofing" tier B', AddClient("Tier One Roofing", tier=Tier.B)),
        ("add \u201cNorth Star\u201d tier A", AddClient("North Star", tier=Tier.A)),
        # An apostrophe is part of a name, not an open quote.
        ("add O'Brien Insurance", AddClient("O'Brien Insurance")),
        ("add Macy's tier A", AddClient("Macy's", tier=Tier.A)),
        ('add "O\'Brien & Sons" tier B', AddClient("O'Brien & Sons", tier=Tier.B)),
        # The name comes first, so a leading option word is part of it.
        ("add Tier One Roofing", AddClient("Tier One Roofing")),
        ("add Owner Operators Mutual tier C", AddClient("Owner Operators Mutual", tier=Tier.C)),
        ("add   Brightside    Dental  ", AddClient("Brightside Dental")),
        ("add Harbor\x00Dental\x1b", AddClient("Harbor Dental")),
        ("add " + "A" * 200, AddClient("A" * 200)),
    ],
)
def test_add_client(text: str, expected: AddClient) -> None:
    assert p(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add", Usage("add", "name")),
        ('add ""', Usage("add", "name")),
        ('add "Acme', Usage("add", "quotes")),
        ("add Acme tier D", Usage("add", "tier")),
        ("add Acme renews soon", Usage("add", "renews")),
        ("add Acme renews 14/03/2027", Usage("add", "renews")),
        ("add Acme renews 2026-02-30", BadDate("2026-02-30")),
        ("add Acme owner sam", Usage("add", "owner")),
        ("add Acme owner @sam", Usage("add", "owner")),
        ("add Acme tier A Insurance", Usage("add", "order")),
        ("add " + "A" * 201, Usage("add", "long")),
        (f'add "{"Straße " * 28}" tier A', Usage("add", "long")),
        (f"add Acme owner <@U{'X' * 40}>", Usage("add", "owner")),
    ],
)
def test_add_client_mistakes(text: str, expected: Command) -> None:
    assert p(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("acme called about the claim", Log("acme called about the claim", None)),
        ("  acme   called  ", Log("acme called", None)),
        ("acme called\x00 about\x07 it\x7f", Log("acme called about it", None)),
        ('"north star" sent paperwork', Log('"north star" sent paperwork', None)),
        ("yesterday acme called", Log("acme called", D(2026, 11, 21))),
        ("Yesterday acme called", Log("acme called", D(2026, 11, 21))),
        ("today acme called", Log("acme called", D(2026, 11, 22))),
        ("friday acme called", Log("acme called", D(2026, 11, 20))),
        ("fri acme called", Log("acme called", D(2026, 11, 20))),
        ("sunday acme called", Log("acme called", D(2026, 11, 22))),  # today's weekday is today
        ("monday acme called", Log("acme called", D(2026, 11, 16))),
        ("2026-11-02 acme called", Log("acme called", D(2026, 11, 2))),
        ("2026-11-22 acme called", Log("acme called", D(2026, 11, 22))),
        # The day word alone is kept for the plan: a day after the name is read there.
        ("acme yesterday called", Log("acme yesterday called", None)),
    ],
)
def test_log(text: str, expected: Log) -> None:
    assert p(text) == expected


def test_a_future_day_is_refused() -> None:
    assert p("2026-11-23 acme called") == FutureDay(D(2026, 11, 23))
    assert p("2027-01-01 acme called") == FutureDay(D(2027, 1, 1))


def test_an_impossible_day_is_a_bad_date() -> None:
    assert p("2026-02-30 acme called") == BadDate("2026-02-30")
    assert p("2026-13-01 acme called") == BadDate("2026-13-01")


@pytest.mark.parametrize("text", ["yesterday", "friday", "2026-11-20", "today"])
def test_a_day_without_a_client_asks_for_one(text: str) -> None:
    assert p(text) == Usage("log", "client")


def test_today_is_the_reps_local_date() -> None:
    # Same text, a day later: "yesterday" moves with it, and the 23rd is no longer the future.
    monday = D(2026, 11, 23)
    assert parse("yesterday acme called", monday) == Log("acme called", D(2026, 11, 22))
    assert parse("2026-11-23 acme called", monday) == Log("acme called", monday)
    assert parse("sunday acme called", monday) == Log("acme called", D(2026, 11, 22))
    assert parse("tuesday acme called", monday) == Log("acme called", D(2026, 11, 17))
