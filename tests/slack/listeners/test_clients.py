"""Client management end to end: `/touch edit`, `/touch add`, the client view's form and archive
button, and who may change a client. Signed requests to the real web app; the views and DMs
are read back from the Slack stand-in."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.model import Client, Status, Tier
from bot.db import repository as repo
from bot.db.engine import Database
from bot.deps import Deps
from bot.devtools.standin import SlackStandIn
from bot.webapi import make_client
from tests.conftest import TEAM, Clock, WebApp, make_settings
from tests.helpers import add_client, add_touch
from tests.slack.listeners.test_home import click
from tests.slack.listeners.test_modal import inputs, last_dm, opened, submit


@pytest.fixture
def deps(slack: SlackStandIn, db: Database, database_url: str, clock: Clock) -> Deps:
    """The app with U0LEAD as a Touchbase admin (TOUCHBASE_ADMINS)."""
    settings = make_settings(slack, database_url, admins=frozenset({"U0LEAD"}))
    return Deps(settings=settings, db=db, slack=make_client(settings, timeout=5), clock=clock)


@pytest.fixture(autouse=True)
def more_people(slack: SlackStandIn) -> None:
    slack.add_user("U0LEAD", name="lead", real_name="Lee Lead", tz="Europe/London")
    slack.add_user("U0BOSS", name="boss", real_name="Bo Boss", is_admin=True)


def stored(db: Database, client_id: int) -> Client:
    with db.transaction() as session:
        client = repo.get_client(session, TEAM, client_id)
    assert client is not None
    return client


def test_the_owner_edits_owner_renewal_tier_and_aliases(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group", tier=Tier.B, aliases=("Acme",))
    add_touch(web.deps.db, acme, dt.datetime(2026, 11, 20, 15, tzinfo=dt.UTC), "visited the office")
    web.command("edit acme", wait=False)
    view = opened(web.slack)
    assert view["callback_id"] == "client"
    assert "visited the office" in view["blocks"][0]["text"]["text"]
    assert inputs(view)["owner"]["initial_user"] == "U0SAM"
    assert web.slack.responses == []

    ack = submit(
        web, view, owner="U0PRIYA", renewal="2027-05-01", tier="A", aliases="Acme, AIG; Acme Ins"
    )
    assert ack is None
    assert last_dm(web.slack, "U0SAM")["text"] == "Saved your changes to *Acme Insurance Group*."
    saved = stored(web.deps.db, acme.id)
    assert (saved.owner_id, saved.renewal_date, saved.tier, saved.aliases) == (
        "U0PRIYA",
        dt.date(2027, 5, 1),
        Tier.A,
        ("Acme", "AIG", "Acme Ins"),
    )
    # The editor's home follows: Acme is Priya's now.
    web.slack.wait_for(lambda: web.slack.home_view("U0SAM") is not None)
    assert "Acme" not in str(web.slack.home_view("U0SAM"))


def test_someone_else_sees_the_client_but_cannot_change_it(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group", tier=Tier.B)
    web.command("edit acme", user="U0PRIYA", wait=False)
    view = opened(web.slack)
    assert inputs(view) == {}
    assert view["submit"] is None
    refusal = view["blocks"][-1]["elements"][0]["text"]
    assert "Only <@U0SAM>, who looks after *Acme Insurance Group*, or a Touchbase admin" in refusal

    # A submission anyway (a form opened before the owner changed, say) is refused too.
    editable = dict(view, blocks=[])
    submit(web, editable, user="U0PRIYA")
    words = last_dm(web.slack, "U0PRIYA")["text"]
    assert words.startswith("Only <@U0SAM>, who looks after *Acme Insurance Group*")
    assert "You can still log touches with them" in words
    # And so is the archive button.
    click(
        web,
        {"action_id": "client_archive", "value": str(acme.id)},
        user="U0PRIYA",
        view_id=view["id"],
    )
    web.slack.wait_for(lambda: bool(web.slack.calls_to("views.update")))
    done = web.slack.view(view["id"])
    assert done is not None and "Only <@U0SAM>" in done["blocks"][0]["text"]["text"]
    assert stored(web.deps.db, acme.id) == acme


@pytest.mark.parametrize("admin", ["U0LEAD", "U0BOSS"], ids=["TOUCHBASE_ADMINS", "Slack admin"])
def test_an_admin_can_change_anyones_client(web: WebApp, admin: str) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group")
    web.command("edit acme", user=admin, wait=False)
    view = opened(web.slack)
    assert "owner" in inputs(view)
    submit(web, view, user=admin, tier="C")
    last_dm(web.slack, admin)
    assert stored(web.deps.db, acme.id).tier is Tier.C


def test_the_owner_archives_a_client(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group")
    web.command("edit acme", wait=False)
    view = opened(web.slack)
    click(web, {"action_id": "client_archive", "value": str(acme.id)}, view_id=view["id"])
    web.slack.wait_for(lambda: bool(web.slack.calls_to("views.update")))
    done = web.slack.view(view["id"])
    assert done is not None and done["submit"] is None
    assert "Archived *Acme Insurance Group*" in done["blocks"][0]["text"]["text"]
    assert stored(web.deps.db, acme.id).status is Status.ARCHIVED
    assert "couldn't find a client" in web.command("edit acme")["text"]


def test_edit_asks_which_client_when_several_fit(web: WebApp) -> None:
    add_client(web.deps.db, "Acme Insurance Group")
    add_client(web.deps.db, "Acme Logistics")
    reply = web.command("edit acm")
    assert "Acme Insurance Group" in reply["text"] and "/touch edit" in reply["text"]
    assert web.slack.calls_to("views.open") == []


def test_add_on_its_own_opens_a_form_that_adds_the_client(web: WebApp) -> None:
    web.command("add", wait=False)
    view = opened(web.slack)
    assert view["callback_id"] == "add_client"
    assert inputs(view)["owner"]["initial_user"] == "U0SAM"

    assert submit(web, view, name="   ") == {
        "response_action": "errors",
        "errors": {"name": "What's the client called?"},
    }
    submit(web, view, name=" Harbor  Dental ", renewal="2027-05-01", tier="B", aliases="HD")
    assert "Added *Harbor Dental*" in last_dm(web.slack, "U0SAM")["text"]
    with web.deps.db.transaction() as session:
        [harbor] = repo.active_clients(session, TEAM)
    assert (harbor.name, harbor.owner_id, harbor.tier, harbor.renewal_date, harbor.aliases) == (
        "Harbor Dental",
        "U0SAM",
        Tier.B,
        dt.date(2027, 5, 1),
        ("HD",),
    )
    # The same name again is not a second client.
    submit(web, view, name="harbor dental")
    assert "already in your book" in last_dm(web.slack, "U0SAM", count=2)["text"]


def test_add_with_a_name_still_adds_at_once(web: WebApp) -> None:
    reply = web.command("add Harbor Dental renews 2027-05-01 tier B")
    assert "Added *Harbor Dental*" in reply["text"]
    assert web.slack.calls_to("views.open") == []


def test_the_add_form_cleans_control_characters_and_refuses_a_name_too_long(
    web: WebApp,
) -> None:
    web.command("add", wait=False)
    view = opened(web.slack)
    assert submit(web, view, name="Straße " * 28) == {
        "response_action": "errors",
        "errors": {"name": "That name is too long; please keep it to 200 characters."},
    }
    assert submit(web, view, name="Harbor\x00Dental", aliases="HD\x00, Harbor\x1fD") is None
    assert "Added *Harbor Dental*" in last_dm(web.slack, "U0SAM")["text"]
    with web.deps.db.transaction() as session:
        [harbor] = repo.active_clients(session, TEAM)
    assert (harbor.name, harbor.aliases) == ("Harbor Dental", ("HD", "Harbor D"))


def test_the_client_form_refuses_an_alias_too_long(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group")
    web.command("edit acme", wait=False)
    view = opened(web.slack)
    assert submit(web, view, aliases="AIG, " + "x" * 201) == {
        "response_action": "errors",
        "errors": {"aliases": "Each name can be up to 200 characters."},
    }
    assert stored(web.deps.db, acme.id).aliases == ()
