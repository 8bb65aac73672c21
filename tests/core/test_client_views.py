"""Client management and the log-touch form, on plain values: who may change a client, the
client view and its form, the client picker's options, and the kind following the note."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.client_views import (
    ALIASES,
    ARCHIVE,
    NAME,
    OWNER,
    TIER,
    ClientAdd,
    ClientEdit,
    ClientFields,
    add_client_view,
    client_options,
    client_view,
    is_admin,
    may_edit,
    mentioned_client,
    read_add_form,
    read_client_form,
)
from bot.core.modals import (
    CLIENT,
    DAY,
    NOTE,
    LogForm,
    follow_note,
    log_touch_view,
    read_log_form,
)
from bot.core.model import Client, Kind, Rep, Source, Tier, Touch
from bot.devtools.standin import view_problems

NY = ZoneInfo("America/New_York")
TODAY = dt.date(2026, 11, 23)
ACME = Client(1, "T1", "Acme Insurance Group", ("AIG",), "U0SAM", Tier.A, dt.date(2024, 3, 14))


def rep(user_id: str, *, slack_admin: bool = False) -> Rep:
    return Rep("T1", user_id, user_id.lower(), is_admin=slack_admin)


def touch(at: dt.datetime, note: str = "called", rep_id: str = "U0SAM") -> Touch:
    return Touch(1, "T1", ACME.id, rep_id, at, at, note, Kind.VALUE, Source.SLASH)


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


# Who may change a client


def test_only_the_owner_or_an_admin_may_change_a_client() -> None:
    assert may_edit(ACME, "U0SAM", admin=False)
    assert not may_edit(ACME, "U0PRIYA", admin=False)
    assert may_edit(ACME, "U0PRIYA", admin=True)
    unowned = Client(2, "T1", "Handed Back Co")
    assert not may_edit(unowned, "U0SAM", admin=False)
    assert may_edit(unowned, "U0SAM", admin=True)


def test_admins_are_listed_in_the_settings_or_slack_admins() -> None:
    assert is_admin(rep("U0BOSS"), frozenset({"U0BOSS"}))
    assert is_admin(rep("U0OWNER", slack_admin=True), frozenset())
    assert not is_admin(rep("U0SAM"), frozenset({"U0BOSS"}))


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
    }
    assert read_client_form(state, json.dumps({"client_id": 1})) == ClientEdit(
        1,
        ClientFields("U0PRIYA", dt.date(2027, 5, 1), None, ("AIG", "Acme", "acme group")),
    )
    assert read_client_form(state, "not ours") is None
    too_long = {ALIASES: {ALIASES: {"type": "plain_text_input", "value": "x" * 201}}}
    assert read_client_form(too_long, json.dumps({"client_id": 1})) == {
        ALIASES: "Each name can be up to 200 characters."
    }


def test_the_add_form_needs_a_name() -> None:
    view = add_client_view("U0SAM")
    assert view_problems(view, expected_type="modal") == []
    assert inputs(view)[OWNER]["initial_user"] == "U0SAM"
    named = {NAME: {NAME: {"type": "plain_text_input", "value": "  Harbor   Dental "}}}
    assert read_add_form(named) == ClientAdd("Harbor Dental", ClientFields(None, None, None, ()))
    assert read_add_form({NAME: {NAME: {"value": "   "}}}) == {NAME: "What's the client called?"}


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


def test_a_message_mentioning_one_client_picks_it() -> None:
    book = clients("Acme", "Northwind Traders", aliases={"Northwind Traders": ("NWT",)})
    assert mentioned_client("Hi, this is Jo from Acme's accounts team.", book) == book[0]
    assert mentioned_client("NWT: claim form attached", book) == book[1]
    assert mentioned_client("Acme and Northwind Traders are merging", book) is None
    assert mentioned_client("Acmeville called", book) is None


# The log-touch form


def state_of(
    client: tuple[int, str] | None, note: str, kind_block: str = "kind", kind: str | None = None
) -> dict[str, Any]:
    picked = (
        {"text": {"type": "plain_text", "text": client[1]}, "value": str(client[0])}
        if client
        else None
    )
    return {
        CLIENT: {CLIENT: {"type": "external_select", "selected_option": picked}},
        NOTE: {NOTE: {"type": "plain_text_input", "value": note}},
        DAY: {DAY: {"type": "datepicker", "selected_date": "2026-11-20"}},
        kind_block: {
            "kind": {"type": "radio_buttons", "selected_option": {"value": kind} if kind else None}
        },
        "follow_up": {"follow_up": {"type": "datepicker", "selected_date": None}},
    }


def test_the_kind_follows_the_note_until_the_rep_chooses() -> None:
    blank = log_touch_view(None, TODAY)
    assert "initial_option" not in inputs(blank)["kind"]
    typed = state_of((1, "Acme"), "sent the invoice")
    routine = follow_note(typed, blank["private_metadata"])
    assert routine is not None and view_problems(routine, expected_type="modal") == []
    fields = inputs(routine)
    assert fields["kind.routine"]["initial_option"]["value"] == "routine"
    assert fields[NOTE]["initial_value"] == "sent the invoice"
    assert fields[CLIENT]["initial_option"]["value"] == "1"
    assert fields[DAY]["initial_date"] == "2026-11-20"
    # More typing that doesn't change the suggestion changes nothing.
    same = state_of((1, "Acme"), "sent the invoice again", "kind.routine", "routine")
    assert follow_note(same, routine["private_metadata"]) is None
    # The rep's own choice stays, whatever the note says next.
    chosen = state_of((1, "Acme"), "sent the invoice and reviewed cover", "kind.routine", "value")
    assert follow_note(chosen, routine["private_metadata"]) is None
    # Still the suggestion: it follows the note.
    followed = state_of(
        (1, "Acme"), "sent the invoice, then reviewed cover", "kind.routine", "routine"
    )
    value = follow_note(followed, routine["private_metadata"])
    assert value is not None and inputs(value)["kind.value"]["initial_option"]["value"] == "value"


def test_a_note_given_up_front_is_classified_at_once() -> None:
    view = log_touch_view(ACME, TODAY, "Thanks for the review of our cover!")
    assert inputs(view)["kind.value"]["initial_option"]["value"] == "value"
    assert inputs(view)[CLIENT]["initial_option"]["text"]["text"] == "Acme Insurance Group"


def test_the_submitted_form_needs_a_client_and_a_note() -> None:
    meta = log_touch_view(None, TODAY)["private_metadata"]
    assert read_log_form(state_of(None, "  "), meta) == {
        CLIENT: "Which client was it?",
        NOTE: "Add a few words about what happened.",
    }
    form = read_log_form(state_of((1, "Acme"), " called ", "kind.value", "routine"), meta)
    assert form == LogForm(1, "called", dt.date(2026, 11, 20), Kind.ROUTINE, None)
    no_kind = read_log_form(state_of((1, "Acme"), "called"), meta)
    assert isinstance(no_kind, LogForm) and no_kind.kind is None
