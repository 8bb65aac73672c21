"""Who reads a note, on every surface, through the real web app: two reps and an admin.

Sam owns Acme. Priya is another rep. Lee is a Touchbase admin. A private note is readable by
its author, the client's owner and admins; Priya sees "🔒 private note" with the date instead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from bot.core.model import AuditAction, NoteReaders, Tier
from bot.db import repository as repo
from bot.db.engine import Database
from bot.deps import Deps
from bot.devtools.standin import SlackStandIn
from bot.services import nudges
from bot.ui.render import blocks_to_text
from bot.webapi import make_client
from tests.conftest import NOW, TEAM, Clock, WebApp, make_settings
from tests.helpers import add_client, add_touch, touches
from tests.slack.listeners.test_home import button, click, open_home, published
from tests.slack.listeners.test_modal import inputs, last_dm, opened, submit

# Easy to grep for: the private note, and a note everyone may read.
SECRET = "daughter in hospital, premium holiday 7431"
OPEN = "walked them through the fleet policy"
ADMIN = "U0LEAD"


@pytest.fixture
def deps(slack: SlackStandIn, db: Database, database_url: str, clock: Clock) -> Deps:
    """The app with U0LEAD as a Touchbase admin (TOUCHBASE_ADMINS)."""
    settings = make_settings(slack, database_url, admins=frozenset({ADMIN}))
    return Deps(settings=settings, db=db, slack=make_client(settings, timeout=5), clock=clock)


@pytest.fixture(autouse=True)
def lead(slack: SlackStandIn) -> None:
    slack.add_user(ADMIN, name="lead", real_name="Lee Lead", tz="Europe/London")


def show(web: WebApp, user: str) -> str:
    return str(web.command("show acme", user=user)["text"])


def client_view(web: WebApp, user: str, count: int) -> str:
    web.command("edit acme", user=user, wait=False)
    return blocks_to_text(opened(web.slack, count)["blocks"])


def audited(db: Database) -> list[tuple[str, AuditAction, int | None, str]]:
    with db.transaction() as session:
        return [
            (e.actor, e.action, e.client_id, e.detail) for e in repo.audit_entries(session, TEAM)
        ]


def test_a_private_note_is_read_by_its_author_the_owner_and_admins_only(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group", tier=Tier.A)
    add_touch(web.deps.db, acme, NOW - dt.timedelta(days=3), OPEN, rep="U0PRIYA")
    reply = web.command(f"acme called about the loan, {SECRET} #private")
    assert "Logged a touch with *Acme Insurance Group*" in reply["text"]
    assert touches(web.deps.db)[-1] == (
        "Acme Insurance Group",
        f"called about the loan, {SECRET}",
        "value",
    )

    # /touch show: the owner (who wrote it) and the admin read it; Priya sees the lock and the day.
    assert f"• today — sam: 🔒 called about the loan, {SECRET} _(value-adding)_" in show(
        web, "U0SAM"
    )
    assert SECRET in show(web, ADMIN)
    as_priya = show(web, "U0PRIYA")
    assert SECRET not in as_priya and "loan" not in as_priya
    assert "• today — sam: 🔒 private note _(value-adding)_" in as_priya
    assert OPEN in as_priya  # her own, and anyone's not private, as before

    # The client view, from /touch edit and from the home's Open client button.
    assert SECRET in client_view(web, "U0SAM", 1)
    assert SECRET in client_view(web, ADMIN, 2)
    view = client_view(web, "U0PRIYA", 3)
    assert SECRET not in view and "🔒 private note" in view
    # The Open client button is on the owner's home; any rep may press one (an old home, say).
    open_home(web)
    click(web, button(published(web.slack), "home_open_client", acme.id), user="U0PRIYA")
    view = blocks_to_text(opened(web.slack, 4)["blocks"])
    assert SECRET not in view and "🔒 private note" in view

    # The admin's two reads of a note only admins could read are audited, without the note.
    assert audited(web.deps.db) == [
        (ADMIN, AuditAction.PRIVATE_NOTE_READ, acme.id, "1 note, in /touch show"),
        (ADMIN, AuditAction.PRIVATE_NOTE_READ, acme.id, "1 note, in the client view"),
    ]


def test_the_home_tab_and_the_morning_note_recall_a_note_only_to_who_may_read_it(
    web: WebApp,
) -> None:
    """The Home tab and the morning note recall the last conversation ("Last talked …") to the
    client's owner and the note's author; anyone else sees the client alone, admins included
    (their right to read is for looking on purpose). /touch list shows no note."""
    acme = add_client(web.deps.db, "Acme Insurance Group", tier=Tier.A)
    add_touch(web.deps.db, acme, NOW - dt.timedelta(days=60), SECRET, private=True)
    for user in ("U0PRIYA", ADMIN):
        open_home(web, user=user)
        assert SECRET not in str(published(web.slack, user))
    open_home(web, user="U0SAM")
    assert SECRET in str(published(web.slack, "U0SAM"))
    listed = web.command("list")
    assert "Acme Insurance Group" in str(listed) and SECRET not in str(listed)
    report = nudges.run_pass(web.deps, NOW)
    assert report.sent == 1
    [digest] = web.slack.dm_messages("U0SAM")
    assert "Acme Insurance Group" in str(digest) and f"Last talked 24 Sep: {SECRET}" in str(digest)
    assert audited(web.deps.db) == []


def test_notes_visible_to_owners_keeps_every_note_to_author_owner_and_admins(
    web: WebApp,
) -> None:
    with web.deps.db.transaction(write=True) as session:
        settings = repo.workspace_settings(session, TEAM)
        repo.save_workspace_settings(
            session, dataclasses.replace(settings, notes_visible_to=NoteReaders.OWNERS)
        )
    acme = add_client(web.deps.db, "Acme Insurance Group")
    add_touch(web.deps.db, acme, NOW - dt.timedelta(days=2), SECRET)
    add_touch(web.deps.db, acme, NOW - dt.timedelta(days=1), OPEN, rep="U0PRIYA")
    web.slack.add_user("U0KIM", name="kim", real_name="Kim Park")

    as_priya = show(web, "U0PRIYA")
    assert SECRET not in as_priya and OPEN in as_priya  # she wrote the second
    as_kim = show(web, "U0KIM")
    assert SECRET not in as_kim and OPEN not in as_kim
    assert as_kim.count("🔒 private note") == 2
    assert SECRET in show(web, "U0SAM") and OPEN in show(web, "U0SAM")
    as_admin = show(web, ADMIN)
    assert SECRET in as_admin and OPEN in as_admin
    assert audited(web.deps.db) == [
        (ADMIN, AuditAction.PRIVATE_NOTE_READ, acme.id, "2 notes, in /touch show")
    ]


def test_the_log_touch_form_has_a_private_checkbox(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group")
    web.command("", wait=False)
    view = opened(web.slack)
    assert inputs(view)["private"]["type"] == "checkboxes"
    submit(web, view, client=(acme.id, acme.name), note=SECRET, private=True)
    assert "Logged a touch" in last_dm(web.slack, "U0SAM")["text"]
    assert SECRET not in show(web, "U0PRIYA")
    # Left unticked, a touch is not private.
    web.command("", wait=False)
    submit(web, opened(web.slack, 2), client=(acme.id, acme.name), note=OPEN)
    last_dm(web.slack, "U0SAM", count=2)
    assert OPEN in show(web, "U0PRIYA")


def test_a_private_touch_stays_private_through_the_pick_buttons(web: WebApp) -> None:
    add_client(web.deps.db, "Acme Insurance Group")
    add_client(web.deps.db, "Acme Logistics")
    reply = web.command(f"acm {SECRET} #private")
    pick = next(
        e
        for b in reply["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if "Insurance" in e["text"]["text"]
    )
    assert "Logged a touch" in web.click(pick)["text"]
    assert touches(web.deps.db) == [("Acme Insurance Group", SECRET, "routine")]
    assert SECRET not in show(web, "U0PRIYA")


def test_owner_changes_reassignments_and_archiving_are_audited(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group")
    bright = add_client(web.deps.db, "Brightside Bakery")
    web.command("edit acme", wait=False)
    submit(web, opened(web.slack), tier="B")  # no new owner: nothing to audit
    last_dm(web.slack, "U0SAM")
    web.command("edit acme", wait=False)
    submit(web, opened(web.slack, 2), owner="U0PRIYA")
    last_dm(web.slack, "U0SAM", count=2)

    with web.deps.db.transaction(write=True) as session:
        repo.hand_back(session, TEAM, bright.id, "U0SAM", NOW)
    open_home(web, user=ADMIN)
    [picker] = [
        b
        for b in published(web.slack, ADMIN)["blocks"]
        if b.get("block_id") == f"reassign:{bright.id}"
    ]
    action = {"type": "users_select", "action_id": "home_reassign", "block_id": picker["block_id"]}
    click(web, {**action, "selected_user": "U0PRIYA"}, user=ADMIN)
    last_dm(web.slack, ADMIN)

    web.command("edit acme", user="U0PRIYA", wait=False)
    view = opened(web.slack, 3)
    click(
        web,
        {"action_id": "client_archive", "value": str(acme.id)},
        user="U0PRIYA",
        view_id=view["id"],
    )
    web.slack.wait_for(lambda: bool(web.slack.calls_to("views.update")))

    assert audited(web.deps.db) == [
        ("U0SAM", AuditAction.OWNER_CHANGED, acme.id, "owner U0SAM -> U0PRIYA"),
        (ADMIN, AuditAction.REASSIGNED, bright.id, "owner nobody -> U0PRIYA"),
        ("U0PRIYA", AuditAction.ARCHIVED, acme.id, ""),
    ]


def erase_button(view: dict[str, Any]) -> dict[str, Any] | None:
    return next(
        (
            e
            for b in view["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == "client_erase"
        ),
        None,
    )


def test_an_admin_erases_a_client_from_its_view_after_a_confirmation(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group")
    add_touch(web.deps.db, acme, NOW - dt.timedelta(days=2), SECRET)
    # The owner may archive, not erase.
    web.command("edit acme", wait=False)
    assert erase_button(opened(web.slack)) is None

    web.command("edit acme", user=ADMIN, wait=False)
    view = opened(web.slack, 2)
    button = erase_button(view)
    assert button is not None and button["text"]["text"] == "Erase client…"
    assert button["confirm"]["title"]["text"] == "Erase this client?"
    assert "for good" in button["confirm"]["text"]["text"]

    # A click by anyone else (a forged request, an old view) is refused.
    click(
        web, {"action_id": "client_erase", "value": str(acme.id)}, user="U0SAM", view_id=view["id"]
    )
    web.slack.wait_for(lambda: len(web.slack.calls_to("views.update")) == 1)
    refused = blocks_to_text(web.slack.view(view["id"])["blocks"])  # type: ignore[index]
    assert "Only a Touchbase admin can erase a client" in refused
    assert touches(web.deps.db) != []

    click(web, {"action_id": "client_erase", "value": str(acme.id)}, user=ADMIN, view_id=view["id"])
    web.slack.wait_for(lambda: len(web.slack.calls_to("views.update")) == 2)
    done = blocks_to_text(web.slack.view(view["id"])["blocks"])  # type: ignore[index]
    assert done == "Erased Acme Insurance Group and everything about them, 1 touch included."
    with web.deps.db.transaction() as session:
        assert repo.all_clients(session, TEAM) == []
    assert touches(web.deps.db) == []
    assert audited(web.deps.db)[-1] == (
        ADMIN,
        AuditAction.ERASED,
        acme.id,
        "1 touch, 0 reminders, 0 snoozes, 0 pending touches",
    )
