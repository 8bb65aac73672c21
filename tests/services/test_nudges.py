"""The nudge pass end to end: the real database, the Slack stand-in over HTTP, `run_pass` at
chosen instants. Monday 2026-11-23 is the reference day (Sam in New York, Priya in London)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.core.model import (
    Client,
    Kind,
    NewClient,
    NudgeClaim,
    OutboxKind,
    OutboxStatus,
    Status,
    Tier,
    WorkspaceSettings,
)
from bot.db import migrate
from bot.db import repository as repo
from bot.db.engine import Database, Timeouts
from bot.deps import Deps
from bot.devtools.standin import SlackStandIn, block_kit_problems
from bot.services.nudges import PassReport, run_pass
from bot.services.reps import ensure_rep
from bot.ui.digest import LOG_FROM_NUDGE, NOT_MINE, SNOOZE_UNTIL, SNOOZE_WEEK
from bot.ui.render import blocks_to_text
from bot.webapi import make_client
from tests.conftest import TEAM, TOKEN, WebApp, make_settings
from tests.faults import FaultProxy, Mode
from tests.helpers import CREATED, add_client, add_touch

MONDAY = dt.date(2026, 11, 23)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


# Monday 15:00 UTC: 10:00 in New York, 15:00 in London.
NOW = at(MONDAY, 15)


def add_client_created(
    db: Database,
    name: str,
    created: dt.datetime,
    *,
    owner: str | None = "U0SAM",
    status: Status = Status.ACTIVE,
) -> Client:
    with db.transaction(write=True) as session:
        return repo.add_client(
            session, NewClient(TEAM, name, (), owner, None, None, status), created
        )


def digests(slack: SlackStandIn, user: str) -> list[dict[str, Any]]:
    """The morning notes in a rep's DM, after checking each is within Block Kit's limits."""
    found = slack.dm_messages(user)
    for message in found:
        assert block_kit_problems(message["blocks"], surface="message") == []
    return found


def words(message: dict[str, Any]) -> str:
    return blocks_to_text(message["blocks"])


def item_names(message: dict[str, Any]) -> list[str]:
    """The client of each item, in order (each item's section starts with its *name*)."""
    return [
        block["text"]["text"].split("\n")[0].strip("*")
        for block in message["blocks"]
        if str(block.get("block_id", "")).startswith("nudge:")
    ]


def book(db: Database) -> dict[str, Client]:
    """Sam: a quiet client, a renewal with only paperwork, a fresh one. Priya: a quiet one."""
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, NOW - days(90), "reviewed their cover")
    harbor = add_client(db, "Harbor Dental", renewal=dt.date(2026, 12, 20))
    add_touch(db, harbor, NOW - days(10), "sent the invoice", kind=Kind.ROUTINE)
    fresh = add_client(db, "Fresh Fields")
    add_touch(db, fresh, NOW - days(1), "lunch with the owner")
    pine = add_client(db, "Pinecrest Logistics", owner="U0PRIYA")
    add_touch(db, pine, NOW - days(75), "called")
    return {"acme": acme, "harbor": harbor, "fresh": fresh, "pine": pine}


# One DM per rep, in plain words


def test_each_rep_with_due_clients_gets_exactly_one_dm(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    book(db)
    report = run_pass(deps, NOW)
    assert (report.sent, report.already_claimed, report.retry_later, report.failed) == (2, 0, 0, 0)

    [sam] = digests(slack, "U0SAM")
    assert item_names(sam) == ["Harbor Dental", "Acme Insurance Group"]
    assert "No contact in 90 days" in words(sam)
    assert "Renews 20 December — only paperwork" in words(sam)
    assert "Fresh Fields" not in words(sam) and "Fresh Fields" not in sam["text"]
    assert "Harbor Dental" in sam["text"] and "Acme Insurance Group" in sam["text"]

    [priya] = digests(slack, "U0PRIYA")
    assert item_names(priya) == ["Pinecrest Logistics"]
    assert "No contact in 75 days" in words(priya)

    # Posted to each user's ID: the DM opens itself.
    posts = slack.calls_to("chat.postMessage")
    assert sorted(call.params["channel"] for call in posts) == ["U0PRIYA", "U0SAM"]


def test_a_second_pass_sends_nothing(deps: Deps, slack: SlackStandIn, db: Database) -> None:
    book(db)
    run_pass(deps, NOW)
    for later in (NOW, NOW + dt.timedelta(minutes=15), NOW + dt.timedelta(hours=6)):
        report = run_pass(deps, later)
        assert report.planned == [] and report.sent == 0
    assert len(slack.dm_messages("U0SAM")) == 1
    assert len(slack.dm_messages("U0PRIYA")) == 1
    assert len(slack.calls_to("chat.postMessage")) == 2


def test_nothing_on_a_saturday_or_sunday(deps: Deps, slack: SlackStandIn, db: Database) -> None:
    book(db)
    for day in (dt.date(2026, 11, 28), dt.date(2026, 11, 29)):
        assert run_pass(deps, at(day, 15)).planned == []
    assert slack.calls_to("chat.postMessage") == []


def test_nothing_before_nine_in_the_reps_own_zone(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    book(db)
    # 04:00 in New York, 08:59 in London: nobody yet.
    assert run_pass(deps, at(MONDAY, 8, 59)).planned == []
    # 09:00 in London is 04:00 in New York: Priya's note comes first.
    run_pass(deps, at(MONDAY, 9))
    assert len(digests(slack, "U0PRIYA")) == 1
    assert digests(slack, "U0SAM") == []
    # 13:00 UTC is 08:00 in New York in November.
    run_pass(deps, at(MONDAY, 13))
    assert digests(slack, "U0SAM") == []
    run_pass(deps, at(MONDAY, 14))
    assert len(digests(slack, "U0SAM")) == 1
    assert len(digests(slack, "U0PRIYA")) == 1


def test_the_digest_shows_three_items_by_urgency_and_points_to_the_list(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    urgent = add_client(db, "Urgent Renewal Co", renewal=dt.date(2026, 12, 1))
    add_touch(db, urgent, NOW - days(5), "sent the renewal papers", kind=Kind.ROUTINE)
    renewal = add_client(db, "Later Renewal Co", renewal=dt.date(2027, 1, 10))
    add_touch(db, renewal, NOW - days(5), "sent the invoice", kind=Kind.ROUTINE)
    overdue = add_client(db, "Overdue Quiet Co")
    add_touch(db, overdue, NOW - days(100))
    promise = add_client(db, "Promise Co")
    add_touch(db, promise, NOW - days(5), follow_up_on=MONDAY - days(3))
    due = add_client(db, "Due Quiet Co")
    add_touch(db, due, NOW - days(70))
    fresh = add_client(db, "Fresh Fields")
    add_touch(db, fresh, NOW - days(2))

    run_pass(deps, NOW)
    [note] = digests(slack, "U0SAM")
    assert item_names(note) == ["Urgent Renewal Co", "Later Renewal Co", "Overdue Quiet Co"]
    text = words(note)
    assert "Renews in 8 days" in text
    assert "…and 2 more clients — /touch list" in text
    assert "`/touch list`" in str(note["blocks"])
    assert "Fresh Fields" not in text

    actions = [b for b in note["blocks"] if b["type"] == "actions"]
    assert len(actions) == 3
    for block in actions:
        labels = [
            (e["type"], e.get("action_id"), (e.get("text") or e.get("placeholder"))["text"])
            for e in block["elements"]
        ]
        assert labels == [
            ("button", LOG_FROM_NUDGE, "Log a touch"),
            ("button", SNOOZE_WEEK, "Snooze a week"),
            ("datepicker", SNOOZE_UNTIL, "Or snooze until…"),
            ("button", NOT_MINE, "Not my client"),
        ]
        client_id = block["block_id"].removeprefix("nudge-actions:")
        assert [e.get("value") for e in block["elements"]] == [
            client_id,
            client_id,
            None,
            client_id,
        ]


def test_steady_state_delivery_is_one_web_api_call_per_digest(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    book(db)
    # The first pass of the day fetches each owner's profile once: users.info per rep. (And
    # the first call of the process asks which workspace the bot token is for: auth.test.)
    run_pass(deps, at(MONDAY, 9, 30))
    assert sorted(c.method for c in slack.calls) == [
        "auth.test",
        "chat.postMessage",
        "users.info",
        "users.info",
    ]
    # With the profiles cached, a digest costs one chat.postMessage and nothing else.
    slack.reset()
    run_pass(deps, at(MONDAY, 14, 30))
    assert [(c.method, c.params["channel"]) for c in slack.calls] == [("chat.postMessage", "U0SAM")]
    assert slack.calls_to("conversations.open") == []
    # A day later the profiles are refreshed again, once per rep.
    slack.reset()
    run_pass(deps, at(MONDAY + days(1), 9, 30))
    run_pass(deps, at(MONDAY + days(1), 9, 45))
    assert len(slack.calls_to("users.info")) == 2


# Exactly once


def test_two_concurrent_passes_send_one_dm_per_rep(
    slack: SlackStandIn, db: Database, database_url: str
) -> None:
    clients = book(db)
    reports: list[PassReport] = []
    errors: list[BaseException] = []

    def one_pass(barrier: threading.Barrier, now: dt.datetime) -> None:
        # Each pass is its own process, as far as the database is concerned.
        own = Database.from_url(database_url)
        settings = make_settings(slack, database_url)
        deps = Deps(settings=settings, db=own, slack=make_client(settings, timeout=5))
        try:
            barrier.wait(timeout=10)
            reports.append(run_pass(deps, now))
        except BaseException as error:  # surfaced in the main thread below
            errors.append(error)
        finally:
            own.dispose()

    # Three mornings in a row, each with something new to say.
    for n, day in enumerate([MONDAY, MONDAY + days(1), MONDAY + days(2)]):
        if n:
            add_client(db, f"New Sam client {n}")
            add_client(db, f"New Priya client {n}", owner="U0PRIYA")
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=one_pass, args=(barrier, at(day, 15))) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        assert len(slack.dm_messages("U0SAM")) == n + 1
        assert len(slack.dm_messages("U0PRIYA")) == n + 1
    assert sum(r.sent for r in reports) == 6
    assert sum(r.failed + r.retry_later for r in reports) == 0
    # Each client was named once, on the first morning.
    sam_notes = [words(m) for m in slack.dm_messages("U0SAM")]
    assert [note.count(clients["acme"].name) for note in sam_notes] == [1, 0, 0]


def test_a_claim_left_by_a_crash_is_never_sent_again(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    clients = book(db)
    # A pass claimed Sam's note, then died before Slack answered (or before recording it).
    with db.transaction(write=True) as session:
        claimed = repo.claim_outbox(
            session,
            team_id=TEAM,
            kind=OutboxKind.DIGEST,
            recipient="U0SAM",
            period=MONDAY,
            now=NOW - dt.timedelta(minutes=15),
            nudges=[NudgeClaim(clients["acme"].id, "quiet", "2026-08-25:overdue")],
        )
    assert claimed is not None
    report = run_pass(deps, NOW)
    assert [p.rep.user_id for p in report.planned] == ["U0PRIYA"]
    assert digests(slack, "U0SAM") == []
    assert len(digests(slack, "U0PRIYA")) == 1
    # The unsent claim doesn't silence Acme: it is in the next morning's note.
    run_pass(deps, at(MONDAY + days(1), 15))
    [sam] = digests(slack, "U0SAM")
    assert "Acme Insurance Group" in item_names(sam)


def test_a_claim_held_by_a_lost_host_is_skipped_within_the_lock_timeout(
    deps: Deps,
    slack: SlackStandIn,
    db: Database,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A scheduler's host vanished after inserting its claim on Sam's note and before committing,
    and PostgreSQL never heard: the row's lock stays held. The next pass waits for it no longer
    than the lock timeout, sends everyone else's note, and leaves Sam's for a later pass."""
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no other host, and a dead process frees its lock")
    book(db)
    with FaultProxy.before(database_url) as proxy:
        host = Database.from_url(proxy.url(database_url))
        lost = Session(host.engine)
        claimed = repo.claim_outbox(
            lost,
            team_id=TEAM,
            kind=OutboxKind.DIGEST,
            recipient="U0SAM",
            period=MONDAY,
            now=NOW - dt.timedelta(minutes=15),
        )
        assert claimed is not None  # inserted, not committed
        proxy.mode = Mode.SILENT

        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="bot.services.outbox"):
            report = run_pass(deps, NOW)
        waited = time.monotonic() - started
        assert waited < Timeouts().lock + 2, waited
        assert (report.sent, report.busy, report.already_claimed) == (1, 1, 0)
        assert len(digests(slack, "U0PRIYA")) == 1
        assert digests(slack, "U0SAM") == []
        assert any("U0SAM" in r.getMessage() for r in caplog.records)

        # At last PostgreSQL hears the connection is gone, and rolls the claim back: nothing
        # was posted (a claim is committed before Slack is called), so Sam's note may go now.
        proxy.mode = Mode.RESET
        lost.invalidate()
        host.dispose()
    report = run_pass(deps, NOW + dt.timedelta(minutes=15))
    assert (report.sent, report.busy) == (1, 0)
    assert len(digests(slack, "U0SAM")) == 1
    assert len(digests(slack, "U0PRIYA")) == 1


# Slack faults


def test_a_rate_limit_is_waited_out_and_delivered_once(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    book(db)
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    report = run_pass(deps, NOW)
    assert report.sent == 2
    assert len(digests(slack, "U0SAM")) == 1
    assert len(digests(slack, "U0PRIYA")) == 1
    statuses = sorted(c.status for c in slack.calls_to("chat.postMessage"))
    assert statuses == [200, 200, 429]
    assert run_pass(deps, NOW + dt.timedelta(minutes=15)).sent == 0


def test_a_server_error_on_every_retry_releases_the_claim(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, NOW - days(90))
    slack.fail_next("chat.postMessage", status=500, times=3)  # the first try and both retries
    report = run_pass(deps, NOW)
    assert report.retry_later == 1 and report.sent == 0
    assert len(slack.calls_to("chat.postMessage")) == 3
    assert digests(slack, "U0SAM") == []
    with db.transaction() as session:
        assert repo.claimed_digests(session, TEAM, MONDAY) == set()
        assert repo.recent_nudges(session, TEAM, MONDAY) == {}
    # Nothing was recorded as sent, so the next pass delivers.
    report = run_pass(deps, NOW + dt.timedelta(minutes=15))
    assert report.sent == 1
    [sam] = digests(slack, "U0SAM")
    assert item_names(sam) == ["Acme Insurance Group"]


def test_slack_answering_too_late_gets_each_note_posted_once(
    deps: Deps, slack: SlackStandIn, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    book(db)
    # Slack posts every note but answers after the client (timeout: 1 s) stopped waiting.
    impatient = dataclasses.replace(deps, slack=make_client(deps.settings, timeout=1))
    slack.slow_next("chat.postMessage", seconds=1.5, times=6)
    with caplog.at_level(logging.WARNING, logger="bot"):
        report = run_pass(impatient, NOW)
    posted = {user: len(digests(slack, user)) for user in ("U0SAM", "U0PRIYA")}
    assert posted == {"U0SAM": 1, "U0PRIYA": 1}
    assert (report.unknown, report.sent, report.retry_later, report.failed) == (2, 0, 0, 0)
    assert sum("may or may not" in r.getMessage() for r in caplog.records) == 2
    with db.transaction() as session:
        status = repo.outbox_status(session, TEAM, OutboxKind.DIGEST, "U0SAM", MONDAY)
    assert status is OutboxStatus.UNKNOWN
    # Later that day, with Slack answering again: nothing more.
    slack.reset()
    assert run_pass(deps, NOW + dt.timedelta(minutes=15)).planned == []
    assert slack.calls_to("chat.postMessage") == []
    # Only notes recorded as sent silence their clients: Sam's come back the next working day.
    run_pass(deps, at(MONDAY + days(1), 15))
    [sam] = digests(slack, "U0SAM")
    assert item_names(sam) == ["Harbor Dental", "Acme Insurance Group"]


def test_an_unreachable_slack_is_retried_on_the_next_pass(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    book(db)
    for user in ("U0SAM", "U0PRIYA"):  # profiles fetched two days ago: due for a refresh
        ensure_rep(deps, TEAM, user, NOW - days(2))
    offline = Deps(
        settings=deps.settings,
        db=deps.db,
        slack=WebClient(token=TOKEN, base_url=dead_api_url(), timeout=2, retry_handlers=[]),
        clock=deps.clock,
    )
    # users.info and chat.postMessage both fail to connect: the pass carries on with the
    # profiles it has, and releases each claim.
    report = run_pass(offline, NOW)
    assert (report.retry_later, report.sent, report.failed) == (2, 0, 0)
    with db.transaction() as session:
        assert repo.claimed_digests(session, TEAM, MONDAY) == set()
    report = run_pass(deps, NOW + dt.timedelta(minutes=15))
    assert report.sent == 2
    assert len(digests(slack, "U0SAM")) == 1
    assert len(digests(slack, "U0PRIYA")) == 1


def test_a_rep_whose_zone_is_unknown_waits_for_their_profile(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, NOW - days(90))
    # 09:30 UTC is 04:30 in New York; users.info fails, so Sam's zone is unknown.
    slack.fail_next("users.info", error="fatal_error")
    assert run_pass(deps, at(MONDAY, 9, 30)).planned == []
    assert run_pass(deps, at(MONDAY, 9, 45)).planned == []  # now known: still 04:45 there
    run_pass(deps, at(MONDAY, 14, 30))
    assert len(digests(slack, "U0SAM")) == 1


def dead_api_url() -> str:
    """A Web API URL where nothing listens: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/"


def test_a_deleted_account_is_marked_inactive_and_the_others_still_get_theirs(
    deps: Deps, slack: SlackStandIn, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    book(db)
    for user in ("U0SAM", "U0PRIYA"):  # both profiles cached this morning
        ensure_rep(deps, TEAM, user, NOW - dt.timedelta(hours=6))
    # Sam leaves the company before the notes go out.
    slack.add_user("U0SAM", name="sam", real_name="Sam Rivera", deleted=True)
    caplog.set_level(logging.INFO, logger="bot.services.nudges")
    report = run_pass(deps, NOW)
    assert (report.failed, report.sent) == (1, 1)
    assert digests(slack, "U0SAM") == []
    assert len(digests(slack, "U0PRIYA")) == 1
    with db.transaction() as session:
        sam = repo.get_rep(session, TEAM, "U0SAM")
    assert sam is not None and sam.active is False
    assert "U0SAM" in caplog.text and "user_not_found" in caplog.text
    # No more attempts: the next morning's pass doesn't write to Sam at all.
    before = len(slack.calls_to("chat.postMessage"))
    add_client(db, "Another Sam client")
    run_pass(deps, at(MONDAY + days(1), 15))
    posted = [c.params["channel"] for c in slack.calls_to("chat.postMessage")[before:]]
    assert "U0SAM" not in posted


def test_an_inactive_account_stops_only_that_reps_digest(
    deps: Deps, slack: SlackStandIn, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    book(db)
    caplog.set_level(logging.INFO, logger="bot.services.nudges")
    # Whichever note reaches Slack first is refused; the other must still go out.
    slack.fail_next("chat.postMessage", error="account_inactive")
    report = run_pass(deps, NOW)
    assert (report.sent, report.failed) == (1, 1)
    [refused] = [c.params["channel"] for c in slack.calls_to("chat.postMessage") if not c.ok]
    other = "U0PRIYA" if refused == "U0SAM" else "U0SAM"
    assert digests(slack, refused) == []
    assert len(digests(slack, other)) == 1
    with db.transaction() as session:
        gone = repo.get_rep(session, TEAM, refused)
        still = repo.get_rep(session, TEAM, other)
    assert gone is not None and gone.active is False
    assert still is not None and still.active is True
    assert refused in caplog.text and "account_inactive" in caplog.text
    # The refusal is recorded: no retry today.
    assert run_pass(deps, NOW + dt.timedelta(minutes=15)).planned == []


# No nagging


def test_a_client_isnt_named_again_for_the_same_reason_within_a_week(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, NOW - days(90))
    run_pass(deps, NOW)
    for n in range(1, 5):  # Tuesday to Friday
        assert run_pass(deps, at(MONDAY + days(n), 15)).planned == []
    # A week later it may come back.
    run_pass(deps, at(MONDAY + days(7), 15))
    notes = digests(slack, "U0SAM")
    assert [item_names(m) for m in notes] == [["Acme Insurance Group"]] * 2
    assert "No contact in 97 days" in words(notes[1])


def test_a_renewal_entering_its_last_two_weeks_is_named_again(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    harbor = add_client(db, "Harbor Dental", renewal=dt.date(2026, 12, 9))
    add_touch(db, harbor, NOW - days(3), "sent the renewal papers", kind=Kind.ROUTINE)
    run_pass(deps, NOW)  # 16 days to go
    assert run_pass(deps, at(MONDAY + days(1), 15)).planned == []  # 15 days: same news
    run_pass(deps, at(MONDAY + days(2), 15))  # 14 days: it escalates
    notes = digests(slack, "U0SAM")
    assert len(notes) == 2
    assert "Renews 9 December" in words(notes[0])
    assert "Renews in 14 days" in words(notes[1])


def test_a_snoozed_client_stays_silent_until_its_date(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, NOW - days(90))
    with db.transaction(write=True) as session:
        repo.snooze(session, TEAM, acme.id, "U0SAM", dt.date(2026, 12, 1))
    for day in (MONDAY, MONDAY + days(4), MONDAY + days(7)):  # up to Monday 30 November
        assert run_pass(deps, at(day, 15)).planned == []
    run_pass(deps, at(dt.date(2026, 12, 1), 15))
    [note] = digests(slack, "U0SAM")
    assert item_names(note) == ["Acme Insurance Group"]


def test_no_note_on_a_public_holiday(deps: Deps, slack: SlackStandIn, db: Database) -> None:
    book(db)
    with db.transaction(write=True) as session:
        repo.save_workspace_settings(session, WorkspaceSettings(TEAM, holiday_country="US"))
    thanksgiving = dt.date(2026, 11, 26)
    assert run_pass(deps, at(thanksgiving, 15)).planned == []
    run_pass(deps, at(thanksgiving + days(1), 15))
    assert len(digests(slack, "U0SAM")) == 1


def test_pause_and_resume(web: WebApp, slack: SlackStandIn, db: Database) -> None:
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, NOW - days(90))
    assert "Paused" in web.command("pause")["text"]
    assert run_pass(web.deps, NOW).planned == []
    assert "Welcome back" in web.command("resume")["text"]
    run_pass(web.deps, NOW)
    assert len(digests(slack, "U0SAM")) == 1


def test_pause_until_a_date(web: WebApp, slack: SlackStandIn, db: Database) -> None:
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, NOW - days(90))
    reply = web.command("pause until 2026-11-25")
    assert "Paused" in reply["text"] and "`/touch resume`" in reply["text"]
    assert run_pass(web.deps, NOW).planned == []
    assert run_pass(web.deps, at(MONDAY + days(1), 15)).planned == []
    run_pass(web.deps, at(MONDAY + days(2), 15))
    [note] = digests(slack, "U0SAM")
    assert item_names(note) == ["Acme Insurance Group"]


def test_days_are_counted_in_the_reps_own_zone(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    # Sunday 15 November 21:00 in New York, which is already Monday the 16th in UTC.
    evening = at(dt.date(2026, 11, 16), 2)
    flood = add_client(db, "Flood Claim Co")
    add_touch(db, flood, evening, "their warehouse flooded, claim filed", about_problem=True)
    quiet = add_client(db, "Quiet Co", tier=Tier.A)
    add_touch(db, quiet, evening - days(30))  # 16 October, 22:00 in New York (EDT)
    run_pass(deps, NOW)
    [note] = digests(slack, "U0SAM")
    assert item_names(note) == ["Flood Claim Co", "Quiet Co"]
    text = words(note)
    assert "They had a claim or a problem 8 days ago" in text
    assert "No contact in 38 days" in text


# Edge cases


def test_archived_and_unowned_clients_are_never_nudged(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    add_client_created(db, "Old Archive Co", CREATED, status=Status.ARCHIVED)
    add_client(db, "Orphan Co", owner=None)
    report = run_pass(deps, NOW)
    assert report.planned == []
    assert slack.calls_to("chat.postMessage") == []
    # With something due for Sam, neither appears in his note.
    add_client(db, "Acme Insurance Group")
    run_pass(deps, NOW)
    [note] = digests(slack, "U0SAM")
    assert item_names(note) == ["Acme Insurance Group"]


def test_a_client_without_touches_counts_from_when_it_was_added(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    add_client_created(db, "New This Autumn", NOW - days(50))  # not yet 60 days
    add_client_created(db, "Added In Summer", NOW - days(83))
    run_pass(deps, NOW)
    [note] = digests(slack, "U0SAM")
    assert item_names(note) == ["Added In Summer"]
    assert "No contact in 83 days" in words(note)


def test_touches_dated_after_now_neither_nudge_nor_crash(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    # Touches written by now but dated after it (an import's, a clock running ahead).
    # One from the future with a due promise and a problem: ignored, so nothing is due.
    calm = add_client(db, "Calm Co")
    add_touch(db, calm, NOW - days(1))
    add_touch(
        db,
        calm,
        NOW + days(2),
        "claim trouble, follow up today",
        follow_up_on=MONDAY,
        about_problem=True,
        logged_at=NOW,
    )
    # A quiet client whose only recent touch is in the future: still quiet.
    quiet = add_client(db, "Quiet Co", tier=Tier.A)
    add_touch(db, quiet, NOW - days(40))
    add_touch(db, quiet, NOW + days(3), logged_at=NOW)
    run_pass(deps, NOW)
    [note] = digests(slack, "U0SAM")
    assert item_names(note) == ["Quiet Co"]
    assert "No contact in 40 days" in words(note)


# The command line


def _touchbase() -> list[str]:
    script = Path(sys.executable).parent / "touchbase"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def test_the_nudge_command(slack: SlackStandIn, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    db = Database.from_url(url)
    migrate.upgrade(db.engine)
    book(db)
    db.dispose()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TOUCHBASE_", "SLACK_", "DATABASE_"))
    }
    env.update(
        SLACK_API_URL=slack.api_url,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="x",
        DATABASE_URL=url,
        TOUCHBASE_LOG_LEVEL="WARNING",
    )

    def touchbase(*args: str) -> str:
        done = subprocess.run(
            [*_touchbase(), "nudge", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    out = touchbase("--now", "2026-11-23T15:00:00Z", "--dry-run")
    assert "Acme Insurance Group" in out and "No contact in 90 days" in out
    assert "Pinecrest Logistics" in out and "Monday 23 November" in out
    assert "[Log a touch] [Snooze a week]" in out
    assert "*" not in out  # readable text, not mrkdwn
    assert "Dry run: 2 digest(s) would be sent" in out
    assert slack.calls_to("chat.postMessage") == []

    out = touchbase("--now", "2026-11-23T15:00:00Z")
    assert "2 sent" in out
    assert len(slack.dm_messages("U0SAM")) == 1 and len(slack.dm_messages("U0PRIYA")) == 1

    out = touchbase("--now", "2026-11-23T15:20:00Z")
    assert "0 sent" in out
    out = touchbase("--now", "2026-11-28T15:00:00Z")  # a Saturday
    assert "0 sent" in out
    assert len(slack.calls_to("chat.postMessage")) == 2


def test_the_nudge_command_refuses_a_bad_time(slack: SlackStandIn, tmp_path: Path) -> None:
    done = subprocess.run(
        [*_touchbase(), "nudge", "--now", "next tuesday"],
        env={**os.environ, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "x"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "ISO 8601" in done.stderr


def test_a_rep_who_owns_no_clients_is_reminded_of_their_promise_on_a_colleagues(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    # Priya covered Sam's client while he was away and promised to call back; she owns nobody.
    covered = add_client(db, "Harbour Bakery")
    add_touch(db, covered, NOW - days(5), rep="U0PRIYA", follow_up_on=MONDAY - days(1))

    run_pass(deps, NOW)

    [note] = digests(slack, "U0PRIYA")
    assert item_names(note) == ["Harbour Bakery"]
    assert digests(slack, "U0SAM") == []


def test_a_departed_reps_promise_on_a_colleagues_client_goes_to_its_owner(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    covered = add_client(db, "Harbour Bakery")
    add_touch(db, covered, NOW - days(5), rep="U0PRIYA", follow_up_on=MONDAY - days(1))
    slack.add_user("U0PRIYA", name="priya", real_name="Priya Shah", deleted=True)

    run_pass(deps, NOW)

    assert slack.dm_messages("U0PRIYA") == []
    [note] = digests(slack, "U0SAM")
    assert item_names(note) == ["Harbour Bakery"]
