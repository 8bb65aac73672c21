"""Nudges that remember the conversation, end to end: the real database, the Slack stand-in,
`run_pass` and the Home tab's view. Monday 2026-11-23; Sam is in New York, Priya in London."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from bot.core.model import Kind, NoteReaders
from bot.db import repository as repo
from bot.db.engine import Database
from bot.deps import Deps
from bot.devtools.standin import SlackStandIn
from bot.services import home
from bot.services.nudges import run_pass
from bot.services.reps import ensure_rep
from bot.ui.render import blocks_to_text
from tests.conftest import TEAM
from tests.helpers import add_client, add_touch
from tests.services.test_nudges import MONDAY, NOW, at, days, digests, item_names, words

ROUTINE = Kind.ROUTINE


def item_text(message: dict[str, Any], name: str) -> str:
    [found] = [
        b["text"]["text"]
        for b in message["blocks"]
        if str(b.get("block_id", "")).startswith("nudge:") and f"*{name}*" in b["text"]["text"]
    ]
    assert isinstance(found, str)
    return found


def test_a_morning_note_says_what_they_last_talked_about_and_asks_about_it(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    acme = add_client(db, "Acme Insurance Group")
    # 12 July, noon in New York: the day Sam sees.
    add_touch(
        db,
        acme,
        dt.datetime(2026, 7, 12, 16, tzinfo=dt.UTC),
        "lunch with the owner, expansion plans",
    )
    add_touch(
        db, acme, dt.datetime(2026, 8, 1, 16, tzinfo=dt.UTC), "sent the invoice", kind=ROUTINE
    )
    quiet = add_client(db, "Quiet Co")
    add_touch(db, quiet, NOW - days(80), "reviewed <their> cover & limits")
    run_pass(deps, NOW)
    [note] = digests(slack, "U0SAM")
    assert item_text(note, "Acme Insurance Group").split("\n")[1:] == [
        "No contact in 114 days",
        "Last talked 12 Jul: lunch with the owner, expansion plans",
        "_Ask how the expansion went._",
    ]
    # Escaped where it meets mrkdwn; nothing to ask about, so today's suggestion.
    assert "Last talked 4 Sep: reviewed &lt;their&gt; cover &amp; limits" in item_text(
        note, "Quiet Co"
    )


def test_a_promise_is_reminded_in_the_words_of_the_note_that_made_it(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    truck = add_client(db, "Northwind Traders")
    add_touch(
        db,
        truck,
        NOW - days(7),
        "sent the quote for the new truck, follow up today",
        follow_up_on=MONDAY,
    )
    run_pass(deps, NOW)
    [note] = digests(slack, "U0SAM")
    lines = item_text(note, "Northwind Traders").split("\n")
    assert lines[1] == "You said you'd follow up today: “sent the quote for the new truck”"
    assert not any(line.startswith("Last talked") for line in lines)


@pytest.mark.parametrize("private", [True, False])
def test_a_note_the_rep_may_not_read_is_not_recalled(
    deps: Deps, slack: SlackStandIn, db: Database, private: bool
) -> None:
    """Priya promised a follow-up on Sam's client; Sam's last conversation with it was private,
    or the workspace keeps notes to owners: Priya's reminder holds nothing of that note."""
    if not private:
        with db.transaction(write=True) as session:
            settings = repo.workspace_settings(session, TEAM)
            repo.save_workspace_settings(
                session, dataclasses.replace(settings, notes_visible_to=NoteReaders.OWNERS)
            )
    acme = add_client(db, "Acme Insurance Group")
    # Priya gets morning notes: she looks after a client of her own.
    add_client(db, "Pinecrest Logistics", owner="U0PRIYA")
    add_touch(db, acme, NOW - days(9), "their daughter's wedding, loan trouble", private=private)
    add_touch(
        db,
        acme,
        NOW - days(8),
        "sent the policy pack, follow up today",
        rep="U0PRIYA",
        follow_up_on=MONDAY,
    )
    run_pass(deps, NOW)
    [note] = digests(slack, "U0PRIYA")
    text = words(note)
    assert "You said you'd follow up today: “sent the policy pack”" in text
    assert "wedding" not in text and "Last talked" not in text and "family" not in text


def test_an_anniversary_comes_once_whatever_renudge_days(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    with db.transaction(write=True) as session:
        settings = repo.workspace_settings(session, TEAM)
        repo.save_workspace_settings(session, dataclasses.replace(settings, renudge_days=1))
    acme = add_client(db, "Acme Insurance Group", since=dt.date(2021, 11, 30))
    add_touch(db, acme, NOW - days(2), "reviewed their cover")
    for n in range(8):  # Monday the 23rd to Monday the 30th, the anniversary
        run_pass(deps, at(MONDAY + days(n), 15))
    [note] = digests(slack, "U0SAM")
    assert item_names(note) == ["Acme Insurance Group"]
    assert "Has been with you 5 years on Monday 30 November — a thank-you note or call?" in (
        words(note)
    )


def test_the_home_tab_recalls_the_last_conversation_of_the_clients_that_need_a_touch(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, dt.datetime(2026, 7, 12, 16, tzinfo=dt.UTC), "toured their new warehouse")
    fine = add_client(db, "Fine Foods")
    add_touch(db, fine, NOW - days(1), "lunch, all good")
    rep = ensure_rep(deps, TEAM, "U0SAM", NOW)
    text = blocks_to_text(home.view_for(deps, rep)["blocks"])
    assert "Last talked 12 Jul: toured their new warehouse" in text
    assert "lunch, all good" not in text
