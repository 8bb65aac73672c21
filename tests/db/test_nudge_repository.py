"""The nudge pass's reads and its outbox, on the current database (SQLite, or PostgreSQL when
TOUCHBASE_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from bot.core.model import (
    Client,
    ClientActivity,
    Kind,
    NewClient,
    NewTouch,
    NudgeClaim,
    OutboxKind,
    OutboxStatus,
    Rep,
    Source,
    Status,
)
from bot.db import repository as repo
from bot.db.engine import Database
from tests.helpers import CREATED, TEAM, add_client, add_touch

OTHER = "T0OTHER"
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
MONDAY = NOW.date()


def on(day: int, hour: int = 12, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=dt.UTC)


def activity_of(activities: list[ClientActivity], client: Client) -> ClientActivity:
    [found] = [a for a in activities if a.client.id == client.id]
    return found


@contextmanager
def counting_statements(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


# client_activity


def test_the_latest_touch_value_touch_promise_and_problem(db: Database) -> None:
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, on(1), "reviewed their cover")
    add_touch(
        db, acme, on(10), "sent papers", kind=Kind.ROUTINE, follow_up_on=dt.date(2026, 12, 20)
    )
    add_touch(db, acme, on(15), "claim trouble", about_problem=True)
    # The most recent promise is due sooner than an older one: its date is the one that counts.
    add_touch(db, acme, on(18), "invoice", kind=Kind.ROUTINE, follow_up_on=dt.date(2026, 12, 1))
    add_touch(db, acme, on(20), "newsletter", kind=Kind.ROUTINE)
    # After `now`: ignored entirely.
    add_touch(db, acme, on(25), "future", follow_up_on=dt.date(2026, 12, 30), about_problem=True)
    add_touch(db, acme, NOW + dt.timedelta(seconds=1), "a second too late")
    quiet = add_client(db, "Quiet Co")

    with db.transaction() as session:
        activities = repo.client_activity(session, TEAM, NOW)
    assert sorted(a.client.name for a in activities) == ["Acme Insurance Group", "Quiet Co"]
    found = activity_of(activities, acme)
    assert found.last_touch_at == on(20)
    assert found.last_value_at == on(15)
    assert found.promise_due == dt.date(2026, 12, 1)
    assert found.promise_made_at == on(18)
    assert found.problem_at == on(15)
    for moment in (found.last_touch_at, found.last_value_at, found.problem_at):
        assert moment is not None and moment.utcoffset() == dt.timedelta(0)
    assert activity_of(activities, quiet) == ClientActivity(client=quiet)


def test_a_touch_at_exactly_now_counts(db: Database) -> None:
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, NOW)
    with db.transaction() as session:
        [found] = repo.client_activity(session, TEAM, NOW)
    assert found.last_touch_at == NOW


def test_only_this_teams_active_clients_and_their_touches(db: Database) -> None:
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, on(2))
    theirs = add_client(db, "Acme Insurance Group", team=OTHER)
    add_touch(db, theirs, on(20))
    # A stray row filed under another team, even on our client, isn't ours.
    with db.transaction(write=True) as session:
        repo.add_touch(
            session,
            NewTouch(OTHER, acme.id, "U0SAM", on(21), on(21), "x", Kind.VALUE, Source.SLASH),
        )
        repo.add_client(session, NewClient(TEAM, "Gone Co", status=Status.ARCHIVED), CREATED)

    with db.transaction() as session:
        [found] = repo.client_activity(session, TEAM, NOW)
        [others] = repo.client_activity(session, OTHER, NOW)
    assert found.client == acme and found.last_touch_at == on(2)
    assert others.client == theirs and others.last_touch_at == on(20)


def test_only_the_given_owners_clients(db: Database) -> None:
    add_client(db, "Sam's Client")
    pine = add_client(db, "Pinecrest Logistics", owner="U0PRIYA")
    add_client(db, "Nobody's Client", owner=None)
    with db.transaction() as session:
        assert [a.client for a in repo.client_activity(session, TEAM, NOW, ["U0PRIYA"])] == [pine]
        assert repo.client_activity(session, TEAM, NOW, []) == []
        assert len(repo.client_activity(session, TEAM, NOW)) == 3


def _seed_book(db: Database, first: int, count: int) -> None:
    with db.transaction(write=True) as session:
        touches = []
        for n in range(first, first + count):
            owner = "U0SAM" if n % 2 else "U0PRIYA"
            client = repo.add_client(
                session, NewClient(TEAM, f"Client {n:04d}", (), owner), CREATED
            )
            touches += [
                NewTouch(
                    TEAM, client.id, owner, on(1 + n % 20), NOW, "a", Kind.VALUE, Source.SLASH
                ),
                NewTouch(
                    TEAM,
                    client.id,
                    owner,
                    on(2 + n % 20),
                    NOW,
                    "b",
                    Kind.ROUTINE,
                    Source.SLASH,
                    dt.date(2026, 12, 1) + dt.timedelta(days=n % 9),
                    n % 3 == 0,
                ),
            ]
        repo.add_touches(session, touches)


def test_a_constant_number_of_statements_whatever_the_size_of_the_book(db: Database) -> None:
    counts = []
    for first, count in ((0, 10), (10, 190)):
        _seed_book(db, first, count)
        with db.transaction() as session, counting_statements(db) as statements:
            activities = repo.client_activity(session, TEAM, NOW, ["U0SAM", "U0PRIYA"])
        assert len(activities) == first + count
        assert all(a.promise_due is not None for a in activities)
        counts.append(len(statements))
    assert counts[0] == counts[1]
    # The touches, folded into one read, and the clients (and SQLite's BEGIN).
    assert 2 <= counts[0] <= 3, counts


# The outbox


def claim(
    db: Database,
    rep: str,
    period: dt.date,
    nudges: list[NudgeClaim] | None = None,
    *,
    kind: OutboxKind = OutboxKind.DIGEST,
    team: str = TEAM,
) -> int | None:
    with db.transaction(write=True) as session:
        return repo.claim_outbox(
            session,
            team_id=team,
            kind=kind,
            recipient=rep,
            period=period,
            now=NOW,
            nudges=nudges or [],
        )


def finish(db: Database, outbox_id: int, status: OutboxStatus) -> None:
    with db.transaction(write=True) as session:
        repo.finish_outbox(session, outbox_id, status=status, now=NOW, channel="D0SAM", ts="1.2")


def test_a_digest_is_claimed_once_per_rep_and_day(db: Database) -> None:
    first = claim(db, "U0SAM", MONDAY)
    assert first is not None
    assert claim(db, "U0SAM", MONDAY) is None
    assert claim(db, "U0SAM", MONDAY + dt.timedelta(days=1)) is not None
    assert claim(db, "U0PRIYA", MONDAY) is not None
    assert claim(db, "U0SAM", MONDAY, team=OTHER) is not None
    with db.transaction() as session:
        assert repo.outbox_status(session, TEAM, OutboxKind.DIGEST, "U0SAM", MONDAY) is (
            OutboxStatus.CLAIMED
        )
    finish(db, first, OutboxStatus.SENT)
    with db.transaction() as session:
        assert repo.outbox_status(session, TEAM, OutboxKind.DIGEST, "U0SAM", MONDAY) is (
            OutboxStatus.SENT
        )


def test_the_same_item_window_is_claimed_once_a_day_whoever_it_goes_to(db: Database) -> None:
    acme = add_client(db, "Acme Insurance Group")
    item = NudgeClaim(acme.id, "quiet", "2026-08-25:overdue")
    assert claim(db, "U0SAM", MONDAY, [item]) is not None
    # Another rep's digest naming the same item the same day loses its whole claim...
    assert claim(db, "U0PRIYA", MONDAY, [item]) is None
    with db.transaction() as session:
        assert repo.claimed_digests(session, TEAM, MONDAY) == {("U0SAM", MONDAY)}
    # ...but the next day the window may be named again.
    assert claim(db, "U0SAM", MONDAY + dt.timedelta(days=7), [item]) is not None


def test_a_released_claim_can_be_claimed_again(db: Database) -> None:
    acme = add_client(db, "Acme Insurance Group")
    item = NudgeClaim(acme.id, "quiet", "2026-08-25:overdue")
    first = claim(db, "U0SAM", MONDAY, [item])
    assert first is not None
    with db.transaction(write=True) as session:
        repo.release_outbox(session, first)
    with db.transaction() as session:
        assert repo.claimed_digests(session, TEAM, MONDAY) == set()
        assert repo.outbox_status(session, TEAM, OutboxKind.DIGEST, "U0SAM", MONDAY) is None
    assert claim(db, "U0SAM", MONDAY, [item]) is not None


def test_claimed_digests_counts_every_claim_since_a_day(db: Database) -> None:
    sent = claim(db, "U0SAM", MONDAY)
    failed = claim(db, "U0PRIYA", MONDAY)
    assert sent is not None and failed is not None
    finish(db, sent, OutboxStatus.SENT)
    finish(db, failed, OutboxStatus.FAILED)
    claim(db, "U0LEE", MONDAY)  # claimed, never finished
    claim(db, "U0SAM", MONDAY - dt.timedelta(days=3))  # before `since`
    claim(db, "", MONDAY, kind=OutboxKind.RECAP)  # not a digest
    claim(db, "U0SAM", MONDAY + dt.timedelta(days=1), team=OTHER)
    with db.transaction() as session:
        assert repo.claimed_digests(session, TEAM, MONDAY - dt.timedelta(days=2)) == {
            ("U0SAM", MONDAY),
            ("U0PRIYA", MONDAY),
            ("U0LEE", MONDAY),
        }


def test_recent_nudges_are_the_latest_delivered_per_client_and_rule(db: Database) -> None:
    acme = add_client(db, "Acme Insurance Group")
    harbor = add_client(db, "Harbor Dental")
    week_ago = MONDAY - dt.timedelta(days=7)
    older = claim(
        db,
        "U0SAM",
        week_ago,
        [
            NudgeClaim(acme.id, "quiet", "2026-08-25:due"),
            NudgeClaim(harbor.id, "renewal", "2026-12-20:due"),
        ],
    )
    newer = claim(db, "U0SAM", MONDAY, [NudgeClaim(acme.id, "quiet", "2026-08-25:overdue")])
    assert older is not None and newer is not None
    finish(db, older, OutboxStatus.SENT)
    finish(db, newer, OutboxStatus.SENT)
    # Not delivered: a crash left this claim, and Slack refused the other.
    crashed = claim(db, "U0PRIYA", MONDAY, [NudgeClaim(harbor.id, "promise", "2026-11-20:due")])
    refused = claim(db, "U0LEE", MONDAY, [NudgeClaim(harbor.id, "check_in", "2026-11-10:due")])
    assert crashed is not None and refused is not None
    finish(db, refused, OutboxStatus.FAILED)

    with db.transaction() as session:
        assert repo.recent_nudges(session, TEAM, week_ago) == {
            (acme.id, "quiet"): ("2026-08-25:overdue", MONDAY),
            (harbor.id, "renewal"): ("2026-12-20:due", week_ago),
        }
        assert repo.recent_nudges(session, TEAM, MONDAY) == {
            (acme.id, "quiet"): ("2026-08-25:overdue", MONDAY),
        }
        assert repo.recent_nudges(session, OTHER, week_ago) == {}


# Snoozes, reps, owners


def test_snoozes_still_running(db: Database) -> None:
    acme = add_client(db, "Acme Insurance Group")
    harbor = add_client(db, "Harbor Dental")
    with db.transaction(write=True) as session:
        repo.snooze(session, TEAM, acme.id, "U0SAM", dt.date(2026, 11, 30))
        repo.snooze(session, TEAM, harbor.id, "U0SAM", MONDAY)  # over: back today
        repo.snooze(session, TEAM, harbor.id, "U0PRIYA", dt.date(2026, 12, 9))
    with db.transaction(write=True) as session:
        repo.snooze(session, TEAM, acme.id, "U0SAM", dt.date(2026, 12, 4))  # moved
    with db.transaction() as session:
        assert repo.snoozes(session, TEAM, MONDAY) == {
            ("U0SAM", acme.id): dt.date(2026, 12, 4),
            ("U0PRIYA", harbor.id): dt.date(2026, 12, 9),
        }
        assert repo.snoozes(session, OTHER, MONDAY) == {}


def test_teams_and_owners_with_active_clients(db: Database) -> None:
    add_client(db, "Acme Insurance Group")
    add_client(db, "Harbor Dental")
    add_client(db, "Pinecrest Logistics", owner="U0PRIYA")
    add_client(db, "Nobody's", owner=None)
    add_client(db, "Elsewhere", owner="U0LEE", team=OTHER)
    with db.transaction(write=True) as session:
        repo.add_client(
            session, NewClient("T0ARCHIVED", "Old", (), "U0OLD", status=Status.ARCHIVED), CREATED
        )
        repo.add_client(
            session, NewClient(TEAM, "Old Co", (), "U0OLD", status=Status.ARCHIVED), CREATED
        )
    with db.transaction() as session:
        assert repo.teams_with_clients(session) == sorted([TEAM, OTHER])
        assert repo.client_owners(session, TEAM) == {"U0SAM", "U0PRIYA"}


def test_a_deactivated_rep_stays_otherwise_unchanged(db: Database) -> None:
    sam = Rep(TEAM, "U0SAM", "Sam", "America/New_York", profile_refreshed_at=NOW)
    with db.transaction(write=True) as session:
        repo.save_rep(session, sam)
        repo.save_rep(session, Rep(OTHER, "U0SAM", "Sam elsewhere", profile_refreshed_at=NOW))
        repo.deactivate_rep(session, TEAM, "U0SAM")
    with db.transaction() as session:
        assert repo.get_rep(session, TEAM, "U0SAM") == Rep(
            TEAM, "U0SAM", "Sam", "America/New_York", active=False, profile_refreshed_at=NOW
        )
        other = repo.get_rep(session, OTHER, "U0SAM")
        assert other is not None and other.active is True
