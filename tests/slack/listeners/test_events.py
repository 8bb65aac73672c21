"""Slack's word that someone left, or that the app was removed, end to end: signed events to the
real web app, the Slack stand-in, the nudge pass, and the admins' Home tab.

Sam (New York) and Priya (London) are reps; Bo is a Slack admin (London)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from typing import Any

import pytest

from bot.core.model import Rep
from bot.db import repository as repo
from bot.deps import Deps
from bot.devtools import slack_requests
from bot.devtools.standin import SlackStandIn
from bot.services import uninstall
from bot.services.nudges import run_pass
from bot.services.reps import ensure_rep
from bot.slack.app import create_app
from bot.slack.listeners import events
from bot.slack.web import create_wsgi_app
from bot.ui.render import blocks_to_text
from tests.conftest import NOW, SECRET, TEAM, Clock, WebApp
from tests.helpers import add_client, add_touch
from tests.slack.listeners.test_home import click, open_home, published
from tests.slack.listeners.test_modal import last_dm
from tests.slack.test_web import home_opened, retry, send

MONDAY = NOW.date()


class _Inline(Executor):
    """Runs each listener in the request's own thread, so Slack's 200 comes once the work is
    done and a test can look at the database straight away: also that something did not
    happen."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
        return future


@pytest.fixture
def web(_server: tuple[Any, str], slack: SlackStandIn, deps: Deps) -> Iterator[WebApp]:
    dispatcher, url = _server
    app = create_app(deps, listener_executor=_Inline())
    dispatcher.app = create_wsgi_app(app, deps.db, signing_secret=SECRET)
    yield WebApp(url, slack, deps)
    dispatcher.app = None


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def add_admin(slack: SlackStandIn) -> None:
    slack.add_user("U0BOSS", name="bo", real_name="Bo Boss", tz="Europe/London", is_admin=True)


def send_event(web: WebApp, event: dict[str, Any]) -> None:
    body = slack_requests.event_callback_body(team_id=TEAM, event=event)
    status, _ = web.post(body)
    assert status == 200, status


def user_change(web: WebApp, user_id: str) -> None:
    """Slack's user_change event, carrying the user as users.info shows them now."""
    user = web.deps.slack.users_info(user=user_id)["user"]
    send_event(web, {"type": "user_change", "user": user, "cache_ts": 1_700_000_000})


def rep(web: WebApp, user_id: str) -> Rep | None:
    with web.deps.db.transaction() as session:
        return repo.get_rep(session, TEAM, user_id)


def pickers(home: dict[str, Any]) -> dict[str, str]:
    """block_id -> words of each client with a new-owner picker on the home."""
    return {
        b["block_id"]: b["text"]["text"]
        for b in home["blocks"]
        if b.get("accessory", {}).get("action_id") == "home_reassign"
    }


# Someone leaves: the admins see their clients


def test_a_rep_deleted_in_slack_puts_their_clients_on_every_admins_home(web: WebApp) -> None:
    add_admin(web.slack)
    acme = add_client(web.deps.db, "Acme Insurance Group")
    harbor = add_client(web.deps.db, "Harbor Dental")
    add_client(web.deps.db, "Pinecrest Logistics", owner="U0PRIYA")
    corner = add_client(web.deps.db, "Corner Cafe", owner="U0PRIYA")
    with web.deps.db.transaction(write=True) as session:
        repo.hand_back(session, TEAM, corner.id, "U0PRIYA", NOW)
    ensure_rep(web.deps, TEAM, "U0SAM", NOW)

    web.slack.add_user("U0SAM", name="sam", real_name="Sam Rivera", deleted=True)
    user_change(web, "U0SAM")

    open_home(web, user="U0BOSS")
    home = published(web.slack, "U0BOSS")
    words = blocks_to_text(home["blocks"])
    assert "Needs a new owner" in words
    assert pickers(home) == {
        f"reassign:{acme.id}": "*Acme Insurance Group* was looked after by sam, who is no "
        "longer in Slack.",
        f"reassign:{harbor.id}": "*Harbor Dental* was looked after by sam, who is no longer in "
        "Slack.",
        f"reassign:{corner.id}": "*Corner Cafe* was handed back by <@U0PRIYA> today.",
    }
    # First of all: before the handed-back clients and the admin's own book.
    assert words.index("Needs a new owner") < words.index("Waiting for a new owner")
    open_home(web, user="U0PRIYA")
    assert "Needs a new owner" not in blocks_to_text(published(web.slack, "U0PRIYA")["blocks"])


def test_a_user_change_for_someone_who_isnt_a_rep_stores_nothing(web: WebApp) -> None:
    web.slack.add_user("U0GUEST", name="guest", tz="Europe/Paris")
    user_change(web, "U0GUEST")
    assert rep(web, "U0GUEST") is None


def test_someone_back_in_slack_is_active_again_with_the_clients_still_theirs(
    web: WebApp,
) -> None:
    ensure_rep(web.deps, TEAM, "U0SAM", NOW)
    with web.deps.db.transaction(write=True) as session:
        repo.deactivate_rep(session, TEAM, "U0SAM")
    user_change(web, "U0SAM")
    sam = rep(web, "U0SAM")
    assert sam is not None and sam.active


def test_a_departed_reps_clients_show_up_for_admins_within_one_nudge_pass(web: WebApp) -> None:
    add_admin(web.slack)
    acme = add_client(web.deps.db, "Acme Insurance Group")
    add_touch(web.deps.db, acme, NOW - days(90))
    # Sam's profile was read this morning; he leaves before the notes go out.
    ensure_rep(web.deps, TEAM, "U0SAM", NOW - dt.timedelta(hours=6))
    web.slack.add_user("U0SAM", name="sam", real_name="Sam Rivera", deleted=True)
    report = run_pass(web.deps, NOW)
    assert report.failed == 1  # the DM to Sam: user_not_found

    open_home(web, user="U0BOSS")
    assert list(pickers(published(web.slack, "U0BOSS"))) == [f"reassign:{acme.id}"]


def test_reassigning_moves_the_departed_reps_promises_to_the_new_owner(web: WebApp) -> None:
    add_admin(web.slack)
    acme = add_client(web.deps.db, "Acme Insurance Group")
    # Sam promised a follow-up on Wednesday, then left.
    add_touch(web.deps.db, acme, NOW - days(2), "reviewed cover", follow_up_on=MONDAY + days(2))
    ensure_rep(web.deps, TEAM, "U0SAM", NOW)
    web.slack.add_user("U0SAM", name="sam", real_name="Sam Rivera", deleted=True)
    user_change(web, "U0SAM")

    open_home(web, user="U0BOSS")
    [block_id] = pickers(published(web.slack, "U0BOSS"))
    action = {"type": "users_select", "action_id": "home_reassign", "block_id": block_id}
    click(web, {**action, "selected_user": "U0PRIYA"}, user="U0BOSS")
    assert last_dm(web.slack, "U0BOSS")["text"] == (
        "*Acme Insurance Group* now belongs to <@U0PRIYA>."
    )
    home = published(web.slack, "U0BOSS", count=2)
    assert "Needs a new owner" not in blocks_to_text(home["blocks"])

    # Wednesday morning in London: the reminder goes to Priya.
    run_pass(web.deps, dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC))
    [note] = web.slack.dm_messages("U0PRIYA")
    assert "Acme Insurance Group" in note["text"]
    assert "follow up" in blocks_to_text(note["blocks"])
    # The touch itself still says who made the call.
    with web.deps.db.transaction() as session:
        [touch] = repo.recent_touches(session, TEAM, acme.id, limit=5)
    assert touch.rep_id == "U0SAM"


# The app is removed: sending stops at once


def test_after_app_uninstalled_a_pass_sends_nothing_until_slack_talks_to_us_again(
    web: WebApp, clock: Clock
) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group")
    add_touch(web.deps.db, acme, NOW - days(90))
    send_event(web, {"type": "app_uninstalled"})
    report = run_pass(web.deps, NOW)
    assert report.planned == [] and web.slack.calls_to("chat.postMessage") == []
    assert uninstalled(web) == {TEAM}

    # Reinstalled: Slack delivers the workspace's requests again.
    clock.advance(minutes=1)
    send_event(web, {"type": "app_home_opened", "user": "U0SAM", "tab": "home"})
    assert uninstalled(web) == set()
    assert run_pass(web.deps, clock()).sent == 1


def test_a_request_just_before_the_uninstall_leaves_the_next_one_free_to_clear_the_mark(
    web: WebApp, clock: Clock
) -> None:
    # The first request is seen installed, and this process keeps that for a moment; the
    # uninstall it then handles itself forgets it, so the reinstall's first request clears the
    # mark at once, not a second later.
    send_event(web, {"type": "app_home_opened", "user": "U0SAM", "tab": "home"})
    send_event(web, {"type": "app_uninstalled"})
    assert uninstalled(web) == {TEAM}
    clock.advance(minutes=1)
    send_event(web, {"type": "app_home_opened", "user": "U0SAM", "tab": "home"})
    assert uninstalled(web) == set()


def test_a_mark_set_elsewhere_is_cleared_by_a_request_after_the_moment_kept(
    web: WebApp, clock: Clock
) -> None:
    send_event(web, {"type": "app_home_opened", "user": "U0SAM", "tab": "home"})
    # Another process handled the uninstall: this one still holds "installed" for a moment,
    # and a request inside it reads nothing.
    uninstall.uninstalled(web.deps, TEAM, NOW)
    clock.advance(minutes=1)
    send_event(web, {"type": "app_home_opened", "user": "U0SAM", "tab": "home"})
    assert uninstalled(web) == {TEAM}
    time.sleep(events.INSTALLED_FOR)
    send_event(web, {"type": "app_home_opened", "user": "U0SAM", "tab": "home"})
    assert uninstalled(web) == set()


def test_a_retry_of_an_event_from_before_the_uninstall_doesnt_undo_it(
    web: WebApp, clock: Clock
) -> None:
    send_event(web, {"type": "app_uninstalled"})
    clock.advance(minutes=1)
    body = home_opened("Ev0BEFOREUNINSTALL")
    assert send(web.url, "/slack/events", body.encode(), retry(body, 1)).status == 200
    assert uninstalled(web) == {TEAM}


def test_tokens_revoked_stops_sending_when_it_is_the_bots_token(web: WebApp) -> None:
    acme = add_client(web.deps.db, "Acme Insurance Group")
    add_touch(web.deps.db, acme, NOW - days(90))
    # Touchbase holds no user tokens: a user's token revoked leaves it working.
    send_event(web, {"type": "tokens_revoked", "tokens": {"oauth": ["U0SAM"], "bot": []}})
    send_event(web, {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT"]}})
    assert run_pass(web.deps, NOW).planned == []
    assert uninstalled(web) == {TEAM}


def uninstalled(web: WebApp) -> set[str]:
    with web.deps.db.transaction() as session:
        return repo.uninstalled_teams(session)
