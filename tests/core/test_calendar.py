"""What a rep's calendar feed holds, on plain values (bot.core.calendar)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from bot.core.calendar import FeedEvent, FeedKind, LastContact, feed_events
from bot.core.model import (
    Client,
    ClientActivity,
    Kind,
    NoteReaders,
    Source,
    Status,
    Touch,
    WorkspaceSettings,
)

NY = ZoneInfo("America/New_York")
TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 15, tzinfo=dt.UTC)
SETTINGS = WorkspaceSettings("T1")
ADDED = dt.datetime(2025, 1, 6, 12, tzinfo=dt.UTC)


def client(id_: int, name: str, *, owner: str = "U0SAM", **fields: object) -> Client:
    return dataclasses.replace(Client(id_, "T1", name, owner_id=owner, created_at=ADDED), **fields)


def touch(
    client_id: int, note: str, at: dt.datetime, *, private: bool = False, rep: str = "U0SAM"
) -> Touch:
    return Touch(
        id=client_id * 100,
        team_id="T1",
        client_id=client_id,
        rep_id=rep,
        occurred_at=at,
        logged_at=at,
        note=note,
        kind=Kind.VALUE,
        source=Source.SLASH,
        private=private,
    )


def events(
    activities: list[ClientActivity],
    last_value: dict[int, Touch] | None = None,
    settings: WorkspaceSettings = SETTINGS,
    *,
    rep: str = "U0SAM",
    today: dt.date = TODAY,
) -> list[FeedEvent]:
    return list(feed_events(rep, activities, last_value or {}, settings, today=today, tz=NY))


def summary(found: list[FeedEvent]) -> list[tuple[FeedKind, str, dt.date]]:
    return [(e.kind, e.client_name, e.day) for e in found]


def test_every_renewal_in_the_next_13_months_one_per_client() -> None:
    activities = [
        ClientActivity(client(1, "Acme", renewal_date=dt.date(2024, 3, 14))),
        ClientActivity(client(2, "Harbor", renewal_date=TODAY)),
        # Stored ahead: the next renewal itself, if it is within 13 months.
        ClientActivity(client(3, "Later", renewal_date=dt.date(2027, 12, 23))),
        ClientActivity(client(4, "Too Far", renewal_date=dt.date(2027, 12, 24))),
        ClientActivity(client(5, "No Renewal")),
    ]
    found = [e for e in events(activities) if e.kind is FeedKind.RENEWAL]
    assert summary(found) == [
        (FeedKind.RENEWAL, "Harbor", TODAY),
        (FeedKind.RENEWAL, "Acme", dt.date(2027, 3, 14)),
        (FeedKind.RENEWAL, "Later", dt.date(2027, 12, 23)),
    ]


def test_open_promises_of_the_rep_on_the_promised_day() -> None:
    promised = dt.datetime(2026, 11, 16, 15, tzinfo=dt.UTC)
    mine = ClientActivity(
        client(1, "Mine"),
        last_touch_at=promised,
        promise_due=dt.date(2026, 11, 30),
        promise_made_at=promised,
        promise_by="U0SAM",
    )
    # Promised to Sam's client by Priya: hers to keep, in her feed.
    hers = dataclasses.replace(mine, client=client(2, "Hers"), promise_by="U0PRIYA")
    # Someone logged a touch since: the promise is kept.
    kept = dataclasses.replace(
        mine, client=client(3, "Kept"), last_touch_at=promised + dt.timedelta(days=1)
    )
    # Overdue and still open: it stays, on its day.
    late = dataclasses.replace(mine, client=client(4, "Late"), promise_due=dt.date(2026, 11, 20))
    # On someone else's client, promised by Sam.
    theirs = dataclasses.replace(mine, client=client(5, "Theirs", owner="U0PRIYA"))
    found = [e for e in events([mine, hers, kept, late, theirs]) if e.kind is FeedKind.PROMISE]
    assert summary(found) == [
        (FeedKind.PROMISE, "Late", dt.date(2026, 11, 20)),
        (FeedKind.PROMISE, "Mine", dt.date(2026, 11, 30)),
        (FeedKind.PROMISE, "Theirs", dt.date(2026, 11, 30)),
    ]
    priya = events([mine, hers, kept, late, theirs], rep="U0PRIYA")
    assert summary([e for e in priya if e.kind is FeedKind.PROMISE]) == [
        (FeedKind.PROMISE, "Hers", dt.date(2026, 11, 30))
    ]


def test_check_ins_after_a_problem_while_the_rules_still_follow_it() -> None:
    def problem(id_: int, name: str, days_ago: int, touched: int | None = None) -> ClientActivity:
        at = NOW - dt.timedelta(days=days_ago)
        last = NOW - dt.timedelta(days=touched) if touched is not None else at
        return ClientActivity(client(id_, name), last_touch_at=last, problem_at=at)

    found = [
        e
        for e in events(
            [
                problem(1, "Fresh", 2),  # check in five days from now
                problem(2, "Due", 10),
                problem(3, "Answered", 10, touched=1),  # a touch since: no check-in
                problem(4, "Long Ago", 38),  # 7 + 30 days: the rules have let it go
            ]
        )
        if e.kind is FeedKind.CHECK_IN
    ]
    assert summary(found) == [
        (FeedKind.CHECK_IN, "Due", dt.date(2026, 11, 20)),
        (FeedKind.CHECK_IN, "Fresh", dt.date(2026, 11, 28)),
    ]
    later = dataclasses.replace(SETTINGS, claim_check_days=14)
    [check_in] = [
        e for e in events([problem(1, "Fresh", 2)], settings=later) if e.kind is FeedKind.CHECK_IN
    ]
    assert (check_in.day, check_in.since) == (dt.date(2026, 12, 5), dt.date(2026, 11, 21))


def test_anniversaries_the_next_one_of_each_client() -> None:
    found = events(
        [
            ClientActivity(client(1, "Acme", client_since=dt.date(2021, 12, 12))),
            # Since the day it was added: its second anniversary, in January.
            ClientActivity(client(2, "Added")),
            # Since today: no whole year yet, and none in the next 13 months but the first.
            ClientActivity(client(3, "New", client_since=TODAY)),
        ]
    )
    assert [(e.client_name, e.day, e.years) for e in found] == [
        ("Acme", dt.date(2026, 12, 12), 5),
        ("Added", dt.date(2027, 1, 6), 2),
        ("New", dt.date(2027, 11, 23), 1),
    ]


def test_only_the_reps_own_active_clients() -> None:
    archived = client(1, "Archived", renewal_date=TODAY, status=Status.ARCHIVED)
    someone_elses = client(2, "Priya's", owner="U0PRIYA", renewal_date=TODAY)
    found = events([ClientActivity(archived), ClientActivity(someone_elses)])
    assert found == []


def test_uids_are_stable_and_name_the_event() -> None:
    acme = ClientActivity(client(7, "Acme", renewal_date=dt.date(2027, 3, 14)))
    [anniversary, renewal] = events([acme])
    assert renewal.uid == "renewal-T1-7-20270314@touchbase"
    assert anniversary.uid == "anniversary-T1-7-20270106@touchbase"
    # Renamed, with a new last contact: the same events, updated in place.
    renamed = dataclasses.replace(acme, client=dataclasses.replace(acme.client, name="Acme Co"))
    last = {7: touch(7, "called", NOW)}
    assert [e.uid for e in events([renamed], last)] == [anniversary.uid, renewal.uid]
    # A new renewal date is another event.
    moved = dataclasses.replace(
        acme, client=dataclasses.replace(acme.client, renewal_date=dt.date(2027, 3, 15))
    )
    assert events([moved])[1].uid == "renewal-T1-7-20270315@touchbase"


def test_the_last_contact_is_its_day_and_kind_never_its_note() -> None:
    acme = ClientActivity(client(1, "Acme", renewal_date=dt.date(2027, 3, 14)))
    # 01:30 UTC on 13 July: 12 July in New York.
    at = dt.datetime(2026, 7, 13, 1, 30, tzinfo=dt.UTC)

    def contact(note: str, **kwargs: object) -> LastContact | None:
        [renewal] = [
            e
            for e in events([acme], {1: touch(1, note, at, **kwargs)})  # type: ignore[arg-type]
            if e.kind is FeedKind.RENEWAL
        ]
        return renewal.last_contact

    assert contact("visited the site, their daughter is ill") == LastContact(
        dt.date(2026, 7, 12), "a visit"
    )
    assert contact("called to review their cover") == LastContact(dt.date(2026, 7, 12), "a review")
    # A claim is never named, nor the kind of a private note, nor of a note kept from the rep.
    assert contact("helped with their claim") == LastContact(dt.date(2026, 7, 12), None)
    assert contact("visited the site", private=True) == LastContact(dt.date(2026, 7, 12), None)
    owners_only = dataclasses.replace(SETTINGS, notes_visible_to=NoteReaders.OWNERS)
    theirs = dataclasses.replace(acme, promise_by="U0PRIYA")
    promise = dataclasses.replace(theirs, promise_due=TODAY, promise_made_at=at, last_touch_at=at)
    [found] = feed_events(
        "U0PRIYA",
        [promise],
        {1: touch(1, "visited the site", at)},
        owners_only,
        today=TODAY,
        tz=NY,
    )
    assert found.kind is FeedKind.PROMISE and found.last_contact == LastContact(
        dt.date(2026, 7, 12), None
    )
    assert events([acme])[0].last_contact is None
