"""The App Home end to end: published on app_home_opened and after changes made from it, with
its buttons; every view published is checked against Block Kit's limits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.core.model import Kind, NewClient
from bot.db import repository as repo
from bot.devtools import slack_requests
from bot.devtools.standin import SlackStandIn, view_problems
from bot.ui.render import blocks_to_text
from tests.conftest import TEAM, WebApp
from tests.helpers import add_client, add_touch
from tests.slack.listeners.test_modal import inputs, last_dm, opened

NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)


def days_ago(days: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def open_home(web: WebApp, user: str = "U0SAM", tab: str = "home") -> None:
    body = slack_requests.event_callback_body(
        team_id=TEAM,
        event={"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": tab},
    )
    assert web.post(body)[0] == 200


def published(slack: SlackStandIn, user: str = "U0SAM", count: int = 1) -> dict[str, Any]:
    """The home as last published for `user`, once it has been published `count` times."""
    slack.wait_for(
        lambda: sum(c.params["user_id"] == user for c in slack.calls_to("views.publish")) >= count
    )
    for call in slack.calls_to("views.publish"):
        assert call.ok, call.error
        assert view_problems(call.params["view"], expected_type="home") == []
    home = slack.home_view(user)
    assert home is not None
    return home


def click(web: WebApp, action: dict[str, Any], *, user: str = "U0SAM", view_id: str = "") -> None:
    """A click on the home (or in a modal, given its view ID): no response_url either way."""
    body = slack_requests.block_actions_body(
        user_id=user,
        team_id=TEAM,
        actions=[action],
        view={"id": view_id or "VHOME", "type": "home" if not view_id else "modal"},
    )
    assert web.post(body)[0] == 200


def button(home: dict[str, Any], action_id: str, client_id: int) -> dict[str, Any]:
    return next(
        e
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id and e.get("value") == str(client_id)
    )


def test_opening_the_home_lists_the_clients_who_need_attention_first(web: WebApp) -> None:
    db = web.deps.db
    fine = add_client(db, "Fine Foods")
    add_touch(db, fine, days_ago(3))
    quiet = add_client(db, "Quiet Dental")
    add_touch(db, quiet, days_ago(70))
    overdue = add_client(db, "Overdue Optics")
    add_touch(db, overdue, days_ago(100))
    renewing = add_client(db, "Renewing Roofers", renewal=dt.date(2026, 12, 20))
    add_touch(db, renewing, days_ago(12), "sent the invoice", kind=Kind.ROUTINE)
    add_client(db, "Priya's Client", owner="U0PRIYA")
    add_touch(db, fine, days_ago(0), "reviewed their cover", rep="U0SAM")

    open_home(web)
    home = published(web.slack)
    words = blocks_to_text(home["blocks"])
    assert words.index("Renewing Roofers") < words.index("Overdue Optics")
    assert words.index("Overdue Optics") < words.index("Quiet Dental")
    assert words.index("Quiet Dental") < words.index("Everyone else") < words.index("Fine Foods")
    assert "Priya's Client" not in words
    assert "Last touch 12 days ago · Renews 20 December" in words
    assert "This week: 1 touch, 1 of them value-adding (100%)." in words
    assert {"Log a touch", "Snooze a week", "Open client"} <= {
        e["text"]["text"] for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]
    }


def test_the_messages_tab_publishes_nothing(web: WebApp) -> None:
    add_client(web.deps.db, "Acme Insurance Group")
    open_home(web, tab="messages")
    open_home(web, user="U0PRIYA")
    published(web.slack, "U0PRIYA")
    assert [c.params["user_id"] for c in web.slack.calls_to("views.publish")] == ["U0PRIYA"]


def test_a_large_book_fits_the_home(web: WebApp) -> None:
    with web.deps.db.transaction(write=True) as session:
        for i in range(250):
            repo.add_client(
                session, NewClient(TEAM, f"Client {i:03d}", owner_id="U0SAM"), days_ago(200)
            )
    open_home(web)
    home = published(web.slack)
    assert len(home["blocks"]) <= 100
    assert "more clients" in home["blocks"][-1]["text"]["text"]


def test_snooze_on_the_home_snoozes_and_shows_it(web: WebApp) -> None:
    overdue = add_client(web.deps.db, "Overdue Optics")
    add_touch(web.deps.db, overdue, days_ago(100))
    open_home(web)
    home = published(web.slack)
    click(web, button(home, "home_snooze", overdue.id))
    home = published(web.slack, count=2)
    words = blocks_to_text(home["blocks"])
    assert "Snoozed until Monday 30 November" in words
    assert "Nobody needs you right now" in words
    with web.deps.db.transaction() as session:
        assert repo.snoozes(session, TEAM, dt.date(2026, 11, 23)) == {
            ("U0SAM", overdue.id): dt.date(2026, 11, 30)
        }


def test_log_a_touch_on_the_home_opens_the_form_on_that_client(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group")
    open_home(web)
    click(web, button(published(web.slack), "home_log_touch", acme.id))
    view = opened(web.slack)
    assert inputs(view)["client"]["initial_option"]["value"] == str(acme.id)


def test_the_homes_own_log_button_opens_a_blank_form(web: WebApp) -> None:
    open_home(web)
    published(web.slack)
    click(web, {"action_id": "home_log_any"})
    view = opened(web.slack)
    assert "initial_option" not in inputs(view)["client"]


def test_open_client_shows_the_client_view(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group")
    add_touch(web.deps.db, acme, days_ago(2), "visited the office")
    open_home(web)
    click(web, button(published(web.slack), "home_open_client", acme.id))
    view = opened(web.slack)
    assert view["callback_id"] == "client"
    assert "visited the office" in view["blocks"][0]["text"]["text"]


def test_a_button_for_a_client_gone_since_just_refreshes_the_home(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group")
    open_home(web)
    home = published(web.slack)
    with web.deps.db.transaction(write=True) as session:
        repo.archive_client(session, TEAM, acme.id)
    click(web, button(home, "home_open_client", acme.id))
    home = published(web.slack, count=2)
    assert "Acme" not in blocks_to_text(home["blocks"])
    assert web.slack.calls_to("views.open") == []


def test_admins_see_handed_back_clients_and_reassign_them(web: WebApp) -> None:
    web.slack.add_user("U0BOSS", name="boss", real_name="Bo Boss", is_admin=True)
    acme = add_client(web.deps.db, "Acme Insurance Group")
    with web.deps.db.transaction(write=True) as session:
        repo.hand_back(session, TEAM, acme.id, "U0SAM", days_ago(1))

    open_home(web, user="U0SAM")
    assert "Waiting for a new owner" not in blocks_to_text(published(web.slack)["blocks"])
    open_home(web, user="U0BOSS")
    home = published(web.slack, "U0BOSS")
    [picker] = [b for b in home["blocks"] if b.get("block_id") == f"reassign:{acme.id}"]
    assert "*Acme Insurance Group* was handed back by <@U0SAM> yesterday." in picker["text"]["text"]

    # Sam isn't an admin and no longer owns it: he can't give it away.
    action = {"type": "users_select", "action_id": "home_reassign", "block_id": picker["block_id"]}
    click(web, {**action, "selected_user": "U0SAM"}, user="U0SAM")
    assert "only a Touchbase admin can change it" in last_dm(web.slack, "U0SAM")["text"]

    click(web, {**action, "selected_user": "U0PRIYA"}, user="U0BOSS")
    assert (
        last_dm(web.slack, "U0BOSS")["text"] == "*Acme Insurance Group* now belongs to <@U0PRIYA>."
    )
    home = published(web.slack, "U0BOSS", count=2)
    assert "Waiting for a new owner" not in blocks_to_text(home["blocks"])
    with web.deps.db.transaction() as session:
        reassigned = repo.get_client(session, TEAM, acme.id)
        assert reassigned is not None and reassigned.owner_id == "U0PRIYA"
        assert repo.handed_back_clients(session, TEAM) == []
