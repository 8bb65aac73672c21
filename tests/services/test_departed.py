"""No book left unowned: a rep Slack says is gone leaves clients that wait for a new owner. The
nudge pass and the recap end to end, on the real database and the Slack stand-in.

Monday 2026-11-23 15:00 UTC: 10:00 for Sam in New York, 15:00 for Priya and Bo (a Slack admin)
in London."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from bot.core.model import Kind
from bot.db import repository as repo
from bot.db.engine import Database
from bot.deps import Deps
from bot.devtools.standin import SlackStandIn
from bot.services import clients, recap
from bot.services.nudges import run_pass
from bot.services.reps import ensure_rep
from bot.ui.render import blocks_to_text
from tests.conftest import NOW, TEAM
from tests.helpers import add_client, add_touch
from tests.services.test_nudges import digests, item_names, words

CHANNEL = "C0RECAP"


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def leaves(slack: SlackStandIn, user_id: str = "U0SAM") -> None:
    slack.add_user(user_id, name="sam", real_name="Sam Rivera", deleted=True)


def comes_back(slack: SlackStandIn, user_id: str = "U0SAM") -> None:
    slack.add_user(user_id, name="sam", real_name="Sam Rivera", tz="America/New_York")


def sams_book(db: Database) -> dict[str, Any]:
    """Four clients of Sam's, one of them due a touch; one of Priya's, due too."""
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, NOW - days(90), "reviewed their cover")
    harbor = add_client(db, "Harbor Dental")
    add_touch(db, harbor, NOW - days(3), "lunch with the owner")
    fresh = add_client(db, "Fresh Fields")
    add_touch(db, fresh, NOW - days(1))
    add_client(db, "Corner Cafe", renewal=dt.date(2027, 6, 1))
    pine = add_client(db, "Pinecrest Logistics", owner="U0PRIYA")
    add_touch(db, pine, NOW - days(75))
    return {"acme": acme, "harbor": harbor, "fresh": fresh, "pine": pine}


def with_boss(deps: Deps, slack: SlackStandIn) -> None:
    """Bo, a Slack admin who owns no clients, has used Touchbase (so their zone is known)."""
    slack.add_user("U0BOSS", name="bo", real_name="Bo Boss", tz="Europe/London", is_admin=True)
    ensure_rep(deps, TEAM, "U0BOSS", NOW - days(3))


def test_an_admin_with_nothing_else_due_gets_the_line_once_per_working_day(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    sams_book(db)
    with_boss(deps, slack)
    ensure_rep(deps, TEAM, "U0SAM", NOW - days(2))
    leaves(slack)

    report = run_pass(deps, NOW)
    assert report.sent == 2  # Bo and Priya; Sam's profile now says he has gone
    [note] = digests(slack, "U0BOSS")
    assert note["text"] == "4 clients need a new owner."
    body = words(note)
    assert body.splitlines()[0].startswith("4 clients need a new owner")
    # No names of people, and no clients: the Home tab has those.
    for name in ("Sam", "sam", "U0SAM", "Acme", "Harbor"):
        assert name not in body and name not in note["text"]
    assert item_names(note) == []
    assert item_names(digests(slack, "U0PRIYA")[0]) == ["Pinecrest Logistics"]
    assert "need a new owner" not in words(digests(slack, "U0PRIYA")[0])

    # Once a working day: not again on Monday, not at the weekend, again on Tuesday.
    assert run_pass(deps, NOW + dt.timedelta(hours=3)).planned == []
    run_pass(deps, NOW + days(1))
    assert len(digests(slack, "U0BOSS")) == 2
    saturday = dt.datetime(2026, 11, 28, 15, tzinfo=dt.UTC)
    assert [p.rep.user_id for p in run_pass(deps, saturday).planned] == []

    # Once they all have owners, there is nothing to say.
    for client in repo_clients_of(db, "U0SAM"):
        clients.reassign(deps, TEAM, "U0BOSS", client, "U0PRIYA")
    run_pass(deps, NOW + days(2))
    assert len(digests(slack, "U0BOSS")) == 2


def repo_clients_of(db: Database, owner: str) -> list[int]:
    with db.transaction() as session:
        return [c.id for c in repo.active_clients(session, TEAM) if c.owner_id == owner]


def test_the_line_tops_an_admins_usual_digest(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    # Priya is an admin by TOUCHBASE_ADMINS, and has a quiet client of her own.
    deps = dataclasses.replace(
        deps, settings=dataclasses.replace(deps.settings, admins=frozenset({"U0PRIYA"}))
    )
    sams_book(db)
    ensure_rep(deps, TEAM, "U0SAM", NOW - days(2))
    leaves(slack)
    run_pass(deps, NOW)
    [note] = digests(slack, "U0PRIYA")
    lines = words(note).splitlines()
    assert lines[0].startswith("4 clients need a new owner")
    assert item_names(note) == ["Pinecrest Logistics"]
    assert note["text"].startswith("4 clients need a new owner.")
    assert "Pinecrest Logistics" in note["text"]


def test_an_owner_slack_has_never_heard_of_leaves_a_client_that_needs_an_owner(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    # Imported with an owner ID that isn't (or is no longer) in the workspace.
    ghost = add_client(db, "Ghost Owner Co", owner="U0GHOST")
    with_boss(deps, slack)
    run_pass(deps, NOW)
    [note] = digests(slack, "U0BOSS")
    assert note["text"] == "1 client needs a new owner."
    with db.transaction() as session:
        gone = repo.get_rep(session, TEAM, "U0GHOST")
    assert gone is not None and not gone.active
    # users.info is asked again at the daily refresh, not on every pass.
    asked = len(slack.calls_to("users.info"))
    run_pass(deps, NOW + dt.timedelta(minutes=15))
    assert len(slack.calls_to("users.info")) == asked
    assert ghost.owner_id == "U0GHOST"


def test_a_rep_back_in_slack_gets_back_only_the_clients_nobody_took_over(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    book = sams_book(db)
    # Sam promised Acme a follow-up on Wednesday.
    add_touch(db, book["acme"], NOW - days(1), "sent the quote", follow_up_on=dt.date(2026, 11, 25))
    with_boss(deps, slack)
    ensure_rep(deps, TEAM, "U0SAM", NOW - days(2))
    leaves(slack)
    run_pass(deps, NOW)
    clients.reassign(deps, TEAM, "U0BOSS", book["acme"].id, "U0PRIYA")

    # Tuesday: Slack shows Sam active again; his profile is refreshed as the day's first pass
    # runs, and he is back, with the clients nobody took over.
    comes_back(slack)
    run_pass(deps, NOW + days(1))
    with db.transaction() as session:
        sam = repo.get_rep(session, TEAM, "U0SAM")
        owners = {c.name: c.owner_id for c in repo.active_clients(session, TEAM)}
    assert sam is not None and sam.active
    assert owners == {
        "Acme Insurance Group": "U0PRIYA",
        "Harbor Dental": "U0SAM",
        "Fresh Fields": "U0SAM",
        "Corner Cafe": "U0SAM",
        "Pinecrest Logistics": "U0PRIYA",
    }
    assert len(digests(slack, "U0BOSS")) == 1  # Monday's line; nothing waits on Tuesday

    # Wednesday: the promise Sam made on Acme is Priya's to keep, not his.
    run_pass(deps, NOW + days(2))
    assert "Acme Insurance Group" not in str([words(n) for n in digests(slack, "U0SAM")])
    assert "Acme Insurance Group" in item_names(digests(slack, "U0PRIYA")[-1])


def test_the_recap_counts_the_clients_waiting_without_naming_anyone(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    book = sams_book(db)
    add_touch(db, book["pine"], NOW - days(4), "reviewed their cover", rep="U0PRIYA")
    add_touch(db, book["harbor"], NOW - days(5), "sent the invoice", kind=Kind.ROUTINE)
    ensure_rep(deps, TEAM, "U0SAM", NOW - days(2))
    with db.transaction(write=True) as session:
        repo.deactivate_rep(session, TEAM, "U0SAM")
    slack.add_channel(CHANNEL, name="team-wins", is_member=True)
    assert recap.run(deps, NOW, channel=CHANNEL).outcome == "sent"
    [post] = slack.messages(CHANNEL)
    [line] = [line for line in blocks_to_text(post["blocks"]).splitlines() if "new owner" in line]
    # Counted, not named: neither the clients nor who left (Sam is still thanked for his week).
    assert line == (
        "4 clients are waiting for a new owner. An admin can give each one a new owner from "
        "Touchbase's Home tab."
    )
