"""The reps' calendar feeds end to end: links from the Home tab and the command line, the feed
over real HTTP from the web app, read back by two parsers, its validators, and every way an
event or a whole feed goes away. Monday 2026-11-23; Sam is in New York."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path
from typing import Any

import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import select

from bot.core.model import Kind, NoteReaders
from bot.db import repository as repo
from bot.db.engine import Database
from bot.db.schema import CalendarFeedRow
from bot.deps import Deps
from bot.devtools.standin import SlackStandIn
from bot.services import calendar, clients, erasure
from bot.services.reps import ensure_rep
from bot.ui.ids import HOME_CALENDAR
from bot.ui.render import blocks_to_text
from bot.webapi import make_client
from tests.conftest import TEAM, TOKEN, Clock, WebApp, make_settings
from tests.helpers import add_client, add_touch
from tests.slack.listeners.test_home import click
from tests.slack.listeners.test_modal import opened

PUBLIC = "https://touchbase.example.com"
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
MONDAY = NOW.date()
SECRET_NOTE = "their daughter is ill, loan trouble"


@pytest.fixture
def deps(slack: SlackStandIn, db: Database, database_url: str, clock: Clock) -> Deps:
    settings = make_settings(slack, database_url, public_url=PUBLIC)
    return Deps(
        settings=settings, db=db, slack=make_client(settings, timeout=5, backoff=0), clock=clock
    )


@dataclasses.dataclass
class Answer:
    status: int
    headers: Message  # case-insensitive: the server writes "Etag"
    body: bytes


def get(web: WebApp, path: str, method: str = "GET", **headers: str) -> Answer:
    request = urllib.request.Request(web.url + path, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Answer(error.code, error.headers, error.read())


def link(deps: Deps, user: str = "U0SAM") -> str:
    """A new link's path on the test server."""
    url = calendar.new_link(deps, TEAM, user)
    assert url is not None and url.startswith(f"{PUBLIC}/calendar/")
    return url.removeprefix(PUBLIC)


def seed(db: Database) -> dict[str, Any]:
    """Sam's book: a renewal, a promise, a claim to check in on, an anniversary, and one of
    Priya's clients."""
    acme = add_client(db, "Acme Insurance Group", renewal=dt.date(2027, 3, 14))
    add_touch(db, acme, dt.datetime(2026, 7, 12, 16, tzinfo=dt.UTC), f"visited, {SECRET_NOTE}")
    north = add_client(db, "Northwind Traders")
    add_touch(
        db,
        north,
        NOW - dt.timedelta(days=1),
        "sent the quote for the new truck, follow up friday",
        follow_up_on=dt.date(2026, 11, 27),
    )
    harbor = add_client(db, "Harbor Dental", since=dt.date(2021, 12, 12))
    add_touch(
        db, harbor, NOW - dt.timedelta(days=3), "called about their claim", about_problem=True
    )
    add_client(db, "Pinecrest Logistics", owner="U0PRIYA", renewal=dt.date(2027, 1, 5))
    return {"acme": acme, "north": north, "harbor": harbor}


def events(body: bytes) -> dict[str, tuple[str, dt.date]]:
    """UID -> (summary, day), read by icalendar; checked against ical, a second parser."""
    parsed = icalendar.Calendar.from_ical(body)
    found = {
        str(e["UID"]): (str(e["SUMMARY"]), e.decoded("DTSTART")) for e in parsed.walk("VEVENT")
    }
    second = IcsCalendarStream.calendar_from_ics(body.decode())
    assert {e.uid: (e.summary, e.dtstart) for e in second.events} == found
    return found


def test_a_reps_feed_holds_their_renewals_promises_check_ins_and_anniversaries(
    web: WebApp,
) -> None:
    ids = seed(web.deps.db)
    answer = get(web, link(web.deps))
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert answer.headers["Cache-Control"] == "private, no-cache"
    acme, north, harbor = ids["acme"].id, ids["north"].id, ids["harbor"].id
    assert events(answer.body) == {
        f"promise-{TEAM}-{north}-20261127@touchbase": (
            "Follow up: Northwind Traders",
            dt.date(2026, 11, 27),
        ),
        f"check-in-{TEAM}-{harbor}-20261127@touchbase": (
            "Check in: Harbor Dental",
            dt.date(2026, 11, 27),
        ),
        f"anniversary-{TEAM}-{harbor}-20261212@touchbase": (
            "Anniversary: Harbor Dental (5 years)",
            dt.date(2026, 12, 12),
        ),
        # Added on 6 January 2025 (tests.helpers.CREATED): two years with us in January.
        f"anniversary-{TEAM}-{acme}-20270106@touchbase": (
            "Anniversary: Acme Insurance Group (2 years)",
            dt.date(2027, 1, 6),
        ),
        f"anniversary-{TEAM}-{north}-20270106@touchbase": (
            "Anniversary: Northwind Traders (2 years)",
            dt.date(2027, 1, 6),
        ),
        f"renewal-{TEAM}-{acme}-20270314@touchbase": (
            "Renewal: Acme Insurance Group",
            dt.date(2027, 3, 14),
        ),
    }
    text = answer.body.decode()
    # The last value-adding contact's day and kind, never a note: not even the promise's.
    assert "Last value-adding contact: Sunday 12 July 2026 (a visit)." in text.replace("\r\n ", "")
    for words in ("daughter", "loan", "truck", "claim"):
        assert words not in text
    renewal = next(
        e
        for e in icalendar.Calendar.from_ical(answer.body).walk("VEVENT")
        if "Renewal" in e["SUMMARY"]
    )
    [alarm] = renewal.walk("VALARM")
    assert alarm.decoded("TRIGGER") == dt.timedelta(days=-14)


def test_the_renewal_alarm_follows_the_workspace_setting(web: WebApp) -> None:
    seed(web.deps.db)
    with web.deps.db.transaction(write=True) as session:
        settings = repo.workspace_settings(session, TEAM)
        repo.save_workspace_settings(session, dataclasses.replace(settings, renewal_alarm_days=30))
    body = get(web, link(web.deps)).body
    [alarm] = [
        a for e in icalendar.Calendar.from_ical(body).walk("VEVENT") for a in e.walk("VALARM")
    ]
    assert alarm.decoded("TRIGGER") == dt.timedelta(days=-30)


def test_uids_and_body_are_stable_and_an_unchanged_feed_answers_304(
    web: WebApp, clock: Clock
) -> None:
    seed(web.deps.db)
    path = link(web.deps)
    first = get(web, path)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert re.fullmatch(r'"[0-9a-f]{64}"', etag)
    assert modified == "Mon, 23 Nov 2026 15:00:00 GMT"
    # An hour later, nothing changed: the same body, and 304 to a conditional request.
    clock.advance(hours=1)
    again = get(web, path)
    assert (again.body, again.headers["ETag"], again.headers["Last-Modified"]) == (
        first.body,
        etag,
        modified,
    )
    for conditional in (
        {"If-None-Match": etag},
        {"If-None-Match": f'"other", W/{etag}'},
        {"If-Modified-Since": modified},
        {"If-Modified-Since": "Tue, 24 Nov 2026 00:00:00 GMT"},
    ):
        unchanged = get(web, path, **conditional)
        assert (unchanged.status, unchanged.body) == (304, b"")
        assert unchanged.headers["ETag"] == etag
    assert get(web, path, **{"If-None-Match": '"other"'}).status == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110).
    assert get(web, path, **{"If-None-Match": '"other"', "If-Modified-Since": modified}).status == (
        200
    )
    assert get(web, path, **{"If-Modified-Since": "Mon, 23 Nov 2026 14:59:59 GMT"}).status == 200
    assert get(web, path, **{"If-Modified-Since": "yesterday"}).status == 200
    # HEAD: the headers alone.
    head = get(web, path, "HEAD")
    assert (head.status, head.body, head.headers["ETag"]) == (200, b"", etag)
    assert head.headers["Content-Length"] == str(len(first.body))


def before_and_after_a_touch(
    web: WebApp, clock: Clock, client: str, note: str
) -> tuple[dict[str, Any], Answer, Answer]:
    """Sam's feed; then, two hours later, a touch with one of his clients, and the feed asked for
    again with the ETag of the first."""
    ids = seed(web.deps.db)
    path = link(web.deps)
    first = get(web, path)
    clock.advance(hours=2)
    add_touch(web.deps.db, ids[client], clock.now, note)
    return ids, first, get(web, path, **{"If-None-Match": first.headers["ETag"]})


def test_a_kept_promise_leaves_the_feed_and_the_other_events_keep_their_uids(
    web: WebApp, clock: Clock
) -> None:
    _, first, after = before_and_after_a_touch(web, clock, "north", "called to go over the quote")
    before = events(first.body)
    assert after.status == 200
    assert after.headers["ETag"] != first.headers["ETag"]
    assert after.headers["Last-Modified"] == "Mon, 23 Nov 2026 17:00:00 GMT"
    kept = events(after.body)
    gone = {uid for uid in before if uid.startswith("promise-")}
    assert set(kept) == set(before) - gone
    # Stamped with when the content changed.
    stamps = {e.decoded("DTSTAMP") for e in icalendar.Calendar.from_ical(after.body).walk("VEVENT")}
    assert stamps == {dt.datetime(2026, 11, 23, 17, tzinfo=dt.UTC)}


def test_a_value_adding_touch_updates_the_clients_events_in_place(
    web: WebApp, clock: Clock
) -> None:
    ids, first, after = before_and_after_a_touch(web, clock, "acme", "called to review their cover")
    renewal = f"renewal-{TEAM}-{ids['acme'].id}-20270314@touchbase"

    def descriptions(body: bytes) -> dict[str, str]:
        parsed = icalendar.Calendar.from_ical(body)
        return {str(e["UID"]): str(e["DESCRIPTION"]) for e in parsed.walk("VEVENT")}

    assert descriptions(first.body)[renewal].endswith("Sunday 12 July 2026 (a visit).")
    assert after.status == 200
    # The same events under the same UIDs, so a calendar updates them rather than adding more;
    # Acme's say when they last talked, the others are as they were.
    assert events(after.body) == events(first.body)
    was, now = descriptions(first.body), descriptions(after.body)
    changed = {uid for uid in now if now[uid] != was[uid]}
    assert changed == {renewal, f"anniversary-{TEAM}-{ids['acme'].id}-20270106@touchbase"}
    assert now[renewal].endswith("Last value-adding contact: Monday 23 November 2026 (a review).")


def test_archived_erased_and_reassigned_clients_leave_the_feed(web: WebApp) -> None:
    ids = seed(web.deps.db)
    path = link(web.deps)
    priya = link(web.deps, "U0PRIYA")

    def clients_in(feed_path: str) -> set[int]:
        return {int(uid.split("-")[-2]) for uid in events(get(web, feed_path).body)}

    acme, north, harbor = ids["acme"].id, ids["north"].id, ids["harbor"].id
    assert clients_in(path) == {acme, north, harbor}
    with web.deps.db.transaction(write=True) as session:
        repo.archive_client(session, TEAM, acme)
    assert clients_in(path) == {north, harbor}
    assert erasure.erase(web.deps, TEAM, harbor, "U0ADMIN") is not None
    assert clients_in(path) == {north}
    # Reassigned to Priya: its anniversary is hers now; Sam's own promise on it stays his.
    reply = clients.reassign(web.deps, TEAM, "U0SAM", north, "U0PRIYA")
    assert "now belongs to" in reply.text
    sam = events(get(web, path).body)
    assert [uid.split("-")[0] for uid in sam] == ["promise"]
    assert north in clients_in(priya)


@pytest.mark.parametrize("how", ["revoked", "replaced", "unknown", "left", "uninstalled"])
def test_no_feed_is_404_the_same_as_any_unknown_path(web: WebApp, how: str) -> None:
    seed(web.deps.db)
    path = link(web.deps)
    assert get(web, path).status == 200
    match how:
        case "revoked":
            assert calendar.revoke(web.deps, TEAM, "U0SAM")
            assert not calendar.revoke(web.deps, TEAM, "U0SAM")
        case "replaced":
            fresh = link(web.deps)
            assert get(web, fresh).status == 200
        case "unknown":
            path = path[:-12] + "x" * 8 + ".ics"
        case "left":
            ensure_rep(web.deps, TEAM, "U0SAM", NOW)
            with web.deps.db.transaction(write=True) as session:
                repo.deactivate_rep(session, TEAM, "U0SAM")
        case "uninstalled":
            with web.deps.db.transaction(write=True) as session:
                repo.mark_uninstalled(session, TEAM, NOW)
    gone = get(web, path)
    nowhere = get(web, "/calendar/nothing-here")
    assert (gone.status, gone.body) == (404, nowhere.body) == (404, b'{"error": "not found"}')
    assert "ETag" not in gone.headers


def test_only_the_tokens_hash_is_stored_and_it_has_256_random_bits(deps: Deps) -> None:
    tokens = [link(deps).removeprefix("/calendar/").removesuffix(".ics") for _ in range(20)]
    assert len(set(tokens)) == 20
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", t) for t in tokens)  # 32 bytes, URL-safe
    with deps.db.transaction() as session:
        [row] = session.scalars(select(CalendarFeedRow)).all()
    # One live link per rep, the last one made, kept as its SHA-256 alone.
    assert row.token_hash == hashlib.sha256(tokens[-1].encode()).hexdigest()
    stored = " ".join(str(v) for v in vars(row).values())
    assert not any(token in stored for token in tokens)


def test_the_home_button_shows_a_new_link_once_and_revokes_the_last(web: WebApp) -> None:
    seed(web.deps.db)
    click(web, {"action_id": HOME_CALENDAR})
    first = blocks_to_text(opened(web.slack)["blocks"])
    [url] = re.findall(rf"{re.escape(PUBLIC)}/calendar/[A-Za-z0-9_-]+\.ics", first)
    assert "Google Calendar" in first and "Outlook" in first
    path = url.removeprefix(PUBLIC)
    assert get(web, path).status == 200
    click(web, {"action_id": HOME_CALENDAR})
    second = blocks_to_text(opened(web.slack, 2)["blocks"])
    [new] = re.findall(rf"{re.escape(PUBLIC)}/calendar/[A-Za-z0-9_-]+\.ics", second)
    assert new != url
    assert get(web, path).status == 404
    assert get(web, new.removeprefix(PUBLIC)).status == 200


def test_a_note_kept_from_the_rep_gives_no_kind_of_contact(web: WebApp) -> None:
    """Priya promised a follow-up on Sam's client; with notes for owners only, her feed says
    when Sam's last visit was, not that it was a visit."""
    with web.deps.db.transaction(write=True) as session:
        settings = repo.workspace_settings(session, TEAM)
        repo.save_workspace_settings(
            session, dataclasses.replace(settings, notes_visible_to=NoteReaders.OWNERS)
        )
    acme = add_client(web.deps.db, "Acme Insurance Group")
    add_touch(web.deps.db, acme, dt.datetime(2026, 7, 12, 16, tzinfo=dt.UTC), "visited them")
    add_touch(
        web.deps.db,
        acme,
        NOW - dt.timedelta(days=1),
        "sent the pack, f/u friday",
        kind=Kind.ROUTINE,
        rep="U0PRIYA",
        follow_up_on=dt.date(2026, 11, 27),
    )
    text = get(web, link(web.deps, "U0PRIYA")).body.decode().replace("\r\n ", "")
    assert "Last value-adding contact: Sunday 12 July 2026." in text
    assert "visit" not in text


def touchbase(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_calendar_commands(slack: SlackStandIn, database_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": "x",
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
        "TOUCHBASE_PUBLIC_URL": PUBLIC + "/",
    }
    made = touchbase("calendar", "url", "U0SAM", env=env)
    assert made.returncode == 0, made.stderr
    assert re.fullmatch(rf"{re.escape(PUBLIC)}/calendar/[A-Za-z0-9_-]{{43}}\.ics\n", made.stdout)
    assert "Shown once" in made.stderr
    again = touchbase("calendar", "url", "U0SAM", env=env)
    assert again.stdout != made.stdout
    revoked = touchbase("calendar", "revoke", "U0SAM", env=env)
    assert (revoked.returncode, revoked.stdout) == (
        0,
        "Revoked the calendar link of U0SAM: it now answers 404.\n",
    )
    nothing = touchbase("calendar", "revoke", "U0SAM", env=env)
    assert nothing.stdout == "U0SAM has no calendar link; nothing was changed.\n"
    unset = touchbase("calendar", "url", "U0SAM", env={**env, "TOUCHBASE_PUBLIC_URL": ""})
    assert unset.returncode == 2
    assert unset.stderr.startswith("touchbase: TOUCHBASE_PUBLIC_URL is not set")
    bad = touchbase("calendar", "url", "sam", env=env)
    assert bad.returncode == 2 and "isn't a Slack user ID" in bad.stderr
