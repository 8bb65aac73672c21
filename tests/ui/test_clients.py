"""Client management on plain values: the client view and its form, and the client picker."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.model import Client, Kind, Rep, Source, Tier, Touch
from bot.devtools.standin import view_problems
from bot.ui.blocks import FormErrors
from bot.ui.clients import (
    ClientAdd,
    ClientEdit,
    ClientFields,
    add_client_view,
    client_options,
    client_view,
    read_add_form,
    read_client_form,
)
from bot.ui.ids import ALIASES, ARCHIVE, NAME, OWNER, SINCE, TIER

NY = ZoneInfo("America/New_York")
TODAY = dt.date(2026, 11, 23)
ACME = Client(1, "T1", "Acme Insurance Group", ("AIG",), "U0SAM", Tier.A, dt.date(2024, 3, 14))


def rep(user_id: str, *, slack_admin: bool = False) -> Rep:
    return Rep("T1", user_id, user_id.lower(), is_admin=slack_admin)


def touch(at: dt.datetime, note: str = "called", rep_id: str = "U0SAM") -> Touch:
    return Touch(1, "T1", ACME.id, rep_id, at, at, note, Kind.VALUE, Source.SLASH)


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


# The client view


def test_the_owner_gets_the_history_and_a_form_to_change_the_client() -> None:
    # 01:30 UTC on Monday is Sunday evening in New York: "yesterday" there.
    history = [touch(dt.datetime(2026, 11, 23, 1, 30, tzinfo=dt.UTC), "reviewed their cover")]
    view = client_view(ACME, history, {"U0SAM": "Sam Rivera"}, today=TODAY, tz=NY, editable=True)
    assert view_problems(view, expected_type="modal") == []
    summary = view["blocks"][0]["text"]["text"]
    assert "Owner: Sam Rivera" in summary and "Next renewal: 14 March 2027" in summary
    assert "• yesterday — Sam Rivera: reviewed their cover _(value-adding)_" in summary
    fields = inputs(view)
    assert fields[OWNER] == {"type": "users_select", "action_id": OWNER, "initial_user": "U0SAM"}
    assert fields["renewal"]["initial_date"] == "2024-03-14"
    assert fields[TIER]["initial_option"]["value"] == "A"
    assert fields[ALIASES]["initial_value"] == "AIG"
    # Empty: the client counts its anniversaries from the day it was added.
    assert fields[SINCE] == {"type": "datepicker", "action_id": SINCE}
    archive = view["blocks"][-1]["elements"][0]
    assert (archive["action_id"], archive["style"], archive["value"]) == (ARCHIVE, "danger", "1")
    assert "confirm" in archive
    assert view["submit"]["text"] == "Save"
    assert json.loads(view["private_metadata"]) == {"client_id": 1}


def test_someone_else_sees_the_history_and_why_they_cant_change_it() -> None:
    view = client_view(ACME, [], {"U0SAM": "Sam Rivera"}, today=TODAY, tz=NY, editable=False)
    assert view_problems(view, expected_type="modal") == []
    assert inputs(view) == {}
    assert "submit" not in view
    assert "No touches logged yet." in view["blocks"][0]["text"]["text"]
    refusal = view["blocks"][-1]["elements"][0]["text"]
    assert refusal.startswith("Only Sam Rivera, who looks after *Acme Insurance Group*")
    assert "You can still log touches with them" in refusal


def test_the_client_form_reads_the_changes() -> None:
    state = {
        OWNER: {OWNER: {"type": "users_select", "selected_user": "U0PRIYA"}},
        "renewal": {"renewal": {"type": "datepicker", "selected_date": "2027-05-01"}},
        TIER: {TIER: {"type": "radio_buttons", "selected_option": {"value": "none"}}},
        ALIASES: {ALIASES: {"type": "plain_text_input", "value": " AIG, Acme ;acme  group\nAIG,,"}},
        SINCE: {SINCE: {"type": "datepicker", "selected_date": "2019-04-01"}},
    }
    assert read_client_form(state, json.dumps({"client_id": 1})) == ClientEdit(
        1,
        ClientFields(
            "U0PRIYA",
            dt.date(2027, 5, 1),
            None,
            ("AIG", "Acme", "acme group"),
            client_since=dt.date(2019, 4, 1),
        ),
    )
    assert read_client_form(state, "not ours") is None
    too_long = {ALIASES: {ALIASES: {"type": "plain_text_input", "value": "x" * 201}}}
    assert read_client_form(too_long, json.dumps({"client_id": 1})) == FormErrors(
        {ALIASES: "Each name can be up to 200 characters."}
    )


def test_the_add_form_needs_a_name() -> None:
    view = add_client_view("U0SAM")
    assert view_problems(view, expected_type="modal") == []
    assert inputs(view)[OWNER]["initial_user"] == "U0SAM"
    named = {NAME: {NAME: {"type": "plain_text_input", "value": "  Harbor   Dental "}}}
    assert read_add_form(named) == ClientAdd("Harbor Dental", ClientFields(None, None, None, ()))
    assert read_add_form({NAME: {NAME: {"value": "   "}}}) == FormErrors(
        {NAME: "What's the client called?"}
    )


# The client picker


def clients(*names: str, aliases: dict[str, tuple[str, ...]] | None = None) -> list[Client]:
    return [
        Client(i, "T1", name, (aliases or {}).get(name, ()))
        for i, name in enumerate(sorted(names, key=str.casefold), 1)
    ]


def labels(options: list[dict[str, Any]]) -> list[str]:
    return [o["text"]["text"] for o in options]


def test_options_rank_prefixes_then_words_then_anywhere_then_typos() -> None:
    book = clients(
        "Acme Insurance Group",
        "Brightside Bakery",
        "Northwind Traders",
        "Pacme Tools",
        "The Acme Store",
        aliases={"Brightside Bakery": ("BSB",)},
    )
    assert labels(client_options("acm", book)) == [
        "Acme Insurance Group",
        "The Acme Store",
        "Pacme Tools",
    ]
    assert labels(client_options("nrthwind", book)) == ["Northwind Traders"]
    [by_alias] = client_options("bsb", book)
    assert by_alias["text"]["text"] == "Brightside Bakery"
    assert by_alias["description"]["text"] == "also called BSB"
    assert client_options("zzz", book) == []


def test_options_are_at_most_100_and_everyone_when_nothing_is_typed() -> None:
    book = clients(*(f"Client {i:03d} " + "x" * 90 for i in range(150)))
    everyone = client_options("", book)
    assert len(everyone) == 100
    assert everyone[0]["value"] == "1"
    assert all(len(o["text"]["text"]) <= 75 for o in everyone)
    assert len(client_options("client", book)) == 100
