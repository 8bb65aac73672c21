"""The client summary, kept by every write, on the current database (SQLite, or PostgreSQL
when TOUCHBASE_TEST_DATABASE_URL is set).

The property: for random books, histories and edit sequences made through the real repository
write functions, the summary-driven nudge pass plans exactly the digests that a full
recomputation from the touches plans, at every step, and the summary check finds no drift.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import delete, event, select

from bot.core.model import (
    ClientActivity,
    Kind,
    NewClient,
    NewTouch,
    NudgeClaim,
    OutboxKind,
    OutboxStatus,
    Rep,
    Source,
    Tier,
    WorkspaceSettings,
)
from bot.core.next_check import Verdict
from bot.core.nudges import DueRep, RepDigest, plan_digests
from bot.core.rules import Item, items_for_rep
from bot.db import repository as repo
from bot.db.engine import Database
from bot.db.schema import Base, ClientRow, ClientSummaryRow
from bot.services import summary
from tests.helpers import TEAM, add_client, add_touch

START = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)
# The zones furthest west and east, and two with daylight saving.
ZONES = ("Etc/GMT+12", "Pacific/Kiritimati", "America/Los_Angeles", "Europe/London")
REPS = tuple(f"U0REP{n}" for n in range(len(ZONES)))
NAMES = ("Acme", "Harbor", "Pinecrest", "Summit", "Keystone", "Oakwood")

tiers = st.none() | st.sampled_from(Tier)
owners = st.none() | st.sampled_from(REPS)
workspace_settings = st.builds(
    WorkspaceSettings,
    team_id=st.just(TEAM),
    cadence_a=st.integers(1, 20),
    cadence_b=st.integers(1, 40),
    cadence_c=st.integers(1, 60),
    cadence_untiered=st.integers(1, 40),
    renewal_window_days=st.integers(1, 120),
    renudge_days=st.integers(1, 10),
    claim_check_days=st.integers(1, 20),
)


def empty(db: Database) -> None:
    with db.transaction(write=True) as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))


Plans = tuple[dict[str, tuple[list[Item], ...]], list[RepDigest], list[RepDigest]]


def plans(db: Database, now: dt.datetime) -> Plans:
    """Every rep's items and the digests planned for everyone, as if every rep were due now:
    from the summary (the pass's read) and from the touches (a full recomputation)."""
    with db.transaction() as session:
        workspace = repo.workspace_settings(session, TEAM)
        reps = repo.get_reps(session, TEAM, REPS)
        due = {
            user_id: DueRep(rep, ZoneInfo(rep.tz), now.astimezone(ZoneInfo(rep.tz)).date())
            for user_id, rep in reps.items()
        }
        latest = max(d.local_date for d in due.values())
        earliest = min(d.local_date for d in due.values())
        from_summary = repo.due_activities(session, TEAM, latest, now)
        # The pass leaves the aliases out: neither the rules nor the digest say them.
        from_touches = [
            dataclasses.replace(found, client=dataclasses.replace(found.client, aliases=()))
            for found in repo.client_activity(session, TEAM, now)
        ]
        recent = repo.recent_nudges(
            session, TEAM, earliest - dt.timedelta(days=workspace.renudge_days)
        )
        snoozed = repo.snoozes(session, TEAM, earliest)

    def digests(activities: list[ClientActivity]) -> list[RepDigest]:
        return plan_digests(due, activities, workspace, recent, snoozed, now=now)

    items = {
        user_id: tuple(
            items_for_rep(user_id, found, workspace, now=now, today=d.local_date, tz=d.tz)
            for found in (from_summary, from_touches)
        )
        for user_id, d in due.items()
    }
    return items, digests(from_summary), digests(from_touches)


class Book(RuleBasedStateMachine):
    """A workspace's life: clients and touches come and go while the days pass."""

    db: Database

    def __init__(self) -> None:
        super().__init__()
        empty(self.db)
        self.now = START
        self.names = iter(f"{name} {n}" for n in range(1000) for name in NAMES)

    def client_ids(self, *, active: bool = False) -> list[int]:
        with self.db.transaction() as session:
            found = repo.active_clients if active else repo.all_clients
            return sorted(c.id for c in found(session, TEAM))

    def touch_ids(self) -> list[int]:
        with self.db.transaction() as session:
            return [t.id for t in repo.all_touches(session, TEAM)]

    @initialize(workspace=workspace_settings, data=st.data(), clients=st.integers(1, 5))
    def start(self, workspace: WorkspaceSettings, data: st.DataObject, clients: int) -> None:
        """The reps, the settings, and a book with some history."""
        with self.db.transaction(write=True) as session:
            for user_id, zone in zip(REPS, ZONES, strict=True):
                repo.save_rep(
                    session, Rep(TEAM, user_id, user_id, zone, profile_refreshed_at=START)
                )
            repo.save_workspace_settings(session, workspace)
        for _ in range(clients):
            self.add_client(
                data.draw(owners),
                data.draw(tiers),
                data.draw(st.none() | st.integers(-400, 400)),
                imported=True,
            )
        ids = self.client_ids()
        history = [
            self._new_touch(data, data.draw(st.sampled_from(ids)), imported=True)
            for _ in range(data.draw(st.integers(0, 3 * clients)))
        ]
        with self.db.transaction(write=True) as session:
            repo.add_touches(session, history)

    @rule(hours=st.integers(0, 24 * 45), minutes=st.integers(0, 59))
    def time_passes(self, hours: int, minutes: int) -> None:
        self.now += dt.timedelta(hours=hours, minutes=minutes)

    @rule(
        owner=owners,
        tier=tiers,
        renewal=st.none() | st.integers(-400, 400),
        imported=st.booleans(),
    )
    def add_client(
        self, owner: str | None, tier: Tier | None, renewal: int | None, imported: bool
    ) -> None:
        new = NewClient(
            TEAM,
            next(self.names),
            (),
            owner,
            tier,
            None if renewal is None else self.now.date() + dt.timedelta(days=renewal),
        )
        with self.db.transaction(write=True) as session:
            if imported:
                repo.upsert_client(session, new, self.now)
            else:
                repo.add_client(session, new, self.now)

    def _new_touch(self, data: st.DataObject, client_id: int, *, imported: bool) -> NewTouch:
        if imported:
            # An import dates each touch at local noon: today's may still be ahead of now.
            day = self.now.date() - dt.timedelta(days=data.draw(st.integers(0, 60)))
            zone = ZoneInfo(data.draw(st.sampled_from(ZONES)))
            occurred = dt.datetime.combine(day, dt.time(12), zone).astimezone(dt.UTC)
        else:
            occurred = self.now - dt.timedelta(minutes=data.draw(st.integers(0, 60 * 24 * 60)))
        promise = data.draw(st.none() | st.integers(-5, 30))
        return NewTouch(
            TEAM,
            client_id,
            data.draw(st.sampled_from(REPS)),
            occurred,
            self.now,
            "a note",
            data.draw(st.sampled_from(Kind)),
            Source.IMPORT if imported else Source.SLASH,
            None if promise is None else occurred.date() + dt.timedelta(days=promise),
            data.draw(st.booleans()),
        )

    @precondition(lambda self: self.client_ids())
    @rule(data=st.data())
    def log_touch(self, data: st.DataObject) -> None:
        client_id = data.draw(st.sampled_from(self.client_ids()))
        touch = self._new_touch(data, client_id, imported=False)
        with self.db.transaction(write=True) as session:
            repo.add_touch(session, touch)

    @precondition(lambda self: self.client_ids())
    @rule(data=st.data(), count=st.integers(1, 5))
    def import_touches(self, data: st.DataObject, count: int) -> None:
        ids = self.client_ids()
        touches = [
            self._new_touch(data, data.draw(st.sampled_from(ids)), imported=True)
            for _ in range(count)
        ]
        with self.db.transaction(write=True) as session:
            repo.add_touches(session, touches)

    @precondition(lambda self: self.touch_ids())
    @rule(data=st.data(), undo=st.booleans())
    def flip_or_undo(self, data: st.DataObject, undo: bool) -> None:
        touch_id = data.draw(st.sampled_from(self.touch_ids()))
        with self.db.transaction(write=True) as session:
            touch = repo.get_touch(session, TEAM, touch_id)
            assert touch is not None
            if undo:
                repo.delete_touch(session, TEAM, touch_id)
            else:
                repo.set_touch_kind(session, TEAM, touch_id, touch.kind.flipped())

    @precondition(lambda self: self.client_ids())
    @rule(
        data=st.data(),
        owner=owners,
        tier=tiers,
        renewal=st.none() | st.integers(-400, 400),
        since=st.none() | st.integers(-800, 0),
    )
    def edit_client(
        self,
        data: st.DataObject,
        owner: str | None,
        tier: Tier | None,
        renewal: int | None,
        since: int | None,
    ) -> None:
        client_id = data.draw(st.sampled_from(self.client_ids()))
        renewal_date = None if renewal is None else self.now.date() + dt.timedelta(days=renewal)
        # Client since: its anniversaries are a rule's too.
        client_since = None if since is None else self.now.date() + dt.timedelta(days=since)
        with self.db.transaction(write=True) as session:
            client = repo.get_client(session, TEAM, client_id)
            assert client is not None
            if data.draw(st.booleans()):
                repo.update_client(
                    session,
                    TEAM,
                    client_id,
                    owner_id=owner,
                    tier=tier,
                    renewal_date=renewal_date,
                    aliases=("also",),
                    client_since=client_since,
                )
            else:  # the same, by a CSV import of clients
                new = NewClient(
                    TEAM, client.name, (), owner, tier, renewal_date, client_since=client_since
                )
                repo.upsert_client(session, new, self.now)

    @precondition(lambda self: self.client_ids(active=True))
    @rule(data=st.data(), action=st.sampled_from(["archive", "hand back", "erase", "snooze"]))
    def act_on_client(self, data: st.DataObject, action: str) -> None:
        client_id = data.draw(st.sampled_from(self.client_ids(active=True)))
        rep = data.draw(st.sampled_from(REPS))
        with self.db.transaction(write=True) as session:
            if action == "archive":
                repo.archive_client(session, TEAM, client_id)
            elif action == "hand back":
                repo.hand_back(session, TEAM, client_id, rep, self.now)
            elif action == "erase":
                session.execute(delete(ClientRow).where(ClientRow.id == client_id))
            else:
                until = self.now.date() + dt.timedelta(days=data.draw(st.integers(1, 10)))
                repo.snooze(session, TEAM, client_id, rep, until)

    @rule(workspace=workspace_settings)
    def change_settings(self, workspace: WorkspaceSettings) -> None:
        with self.db.transaction(write=True) as session:
            repo.save_workspace_settings(session, workspace)

    @rule()
    def nightly_check(self) -> None:
        report = summary.check(self.db, self.now, repair=True)
        assert report.drifted == 0, report

    @rule()
    def deliver(self) -> None:
        """Record the planned digests as sent, so later passes see recent nudges."""
        _, planned, _ = plans(self.db, self.now)
        with self.db.transaction(write=True) as session:
            for digest in planned:
                outbox_id = repo.claim_outbox(
                    session,
                    team_id=TEAM,
                    kind=OutboxKind.DIGEST,
                    recipient=digest.rep.user_id,
                    period=digest.local_date,
                    now=self.now,
                    nudges=[
                        NudgeClaim(i.client.id, i.rule.value, i.window) for i in digest.digest.items
                    ],
                )
                if outbox_id is not None:
                    repo.finish_outbox(
                        session,
                        outbox_id,
                        status=OutboxStatus.SENT,
                        now=self.now,
                        channel="D1",
                        ts="1",
                    )

    @invariant()
    def the_pass_plans_what_the_touches_say(self) -> None:
        items, from_summary, from_touches = plans(self.db, self.now)
        for user_id, (summarised, recomputed) in items.items():
            assert summarised == recomputed, user_id
        assert from_summary == from_touches

    @invariant()
    def nothing_drifted(self) -> None:
        with self.db.transaction() as session:
            verdicts = repo.summary_verdicts(session, TEAM, self.now, limit=10_000)
            rows = session.scalar(select(ClientSummaryRow.client_id).limit(1))
        assert not [v for _, v in verdicts if v.drift], verdicts
        assert (rows is None) == (not verdicts)


@pytest.mark.slow
def test_the_summary_driven_pass_plans_what_a_full_recomputation_plans(db: Database) -> None:
    Book.db = db
    run_state_machine_as_test(
        Book, settings=settings(max_examples=30, stateful_step_count=30, deadline=None)
    )


# Each write, by example


NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)


def summary_of(db: Database, client_id: int) -> tuple[object, ...] | None:
    with db.transaction() as session:
        row = session.get(ClientSummaryRow, client_id)
        if row is None:
            return None
        return (row.last_touch_at, row.problem_at, row.promise_due, row.promise_by)


def test_erasing_a_client_takes_its_summary_along(db: Database) -> None:
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, NOW - dt.timedelta(days=3))
    assert summary_of(db, acme.id) is not None
    with db.transaction(write=True) as session:
        session.execute(delete(ClientRow).where(ClientRow.id == acme.id))
    assert summary_of(db, acme.id) is None


def test_each_touch_folds_into_the_summary_as_a_recomputation_would(db: Database) -> None:
    acme = add_client(db, "Acme Insurance Group")
    friday, monday = dt.date(2026, 11, 27), dt.date(2026, 11, 30)
    said = NOW - dt.timedelta(days=2)
    add_touch(db, acme, said, kind=Kind.ROUTINE, follow_up_on=friday, rep="U0PRIYA")
    # Older, and no promise: only the latest moments count.
    add_touch(db, acme, NOW - dt.timedelta(days=5), about_problem=True)
    assert summary_of(db, acme.id) == (said, NOW - dt.timedelta(days=5), friday, "U0PRIYA")
    # A promise made at the very moment of the latest one: the touch written last counts.
    add_touch(db, acme, said, kind=Kind.ROUTINE, follow_up_on=monday)
    assert summary_of(db, acme.id) == (said, NOW - dt.timedelta(days=5), monday, "U0SAM")
    # An older promise leaves the latest one standing.
    add_touch(db, acme, NOW - dt.timedelta(days=9), follow_up_on=friday, rep="U0PRIYA")
    assert summary_of(db, acme.id) == (said, NOW - dt.timedelta(days=5), monday, "U0SAM")
    with db.transaction() as session:
        assert [v for _, v in repo.summary_verdicts(session, TEAM, NOW)] == [Verdict.RIGHT]


def test_the_pass_reads_only_the_clients_whose_next_check_has_come(db: Database) -> None:
    quiet = add_client(db, "Quiet Co", tier=Tier.A)
    add_touch(db, quiet, NOW - dt.timedelta(days=40))
    fresh = add_client(db, "Fresh Co", tier=Tier.A)
    add_touch(db, fresh, NOW - dt.timedelta(days=2))
    # Written by now, dated this evening (an import of today's touches): not yet, for a pass now.
    imported = add_client(db, "Imported Co", tier=Tier.A)
    add_touch(db, imported, NOW - dt.timedelta(days=40))
    add_touch(db, imported, NOW + dt.timedelta(hours=3), logged_at=NOW)
    with db.transaction() as session:
        read = repo.due_activities(session, TEAM, NOW.date(), NOW)
        full = {a.client.id: a for a in repo.client_activity(session, TEAM, NOW)}
    assert sorted(a.client.name for a in read) == ["Imported Co", "Quiet Co"]
    for found in read:
        recomputed = full[found.client.id]
        assert found == dataclasses.replace(
            recomputed, client=dataclasses.replace(recomputed.client, aliases=())
        )


postgres_only = pytest.mark.skipif(
    not os.environ.get("TOUCHBASE_TEST_DATABASE_URL"), reason="needs PostgreSQL"
)


@postgres_only
def test_two_touches_on_one_client_at_once_are_both_summed_up(db: Database) -> None:
    """Both transactions insert their touch, wait for each other, then work out the summary:
    without a lock each would see only its own touch, and the last to commit would win."""
    acme = add_client(db, "Acme Insurance Group")
    barrier = threading.Barrier(2)

    def inserted(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("INSERT INTO touch"):
            barrier.wait(timeout=10)

    def log(touch: NewTouch) -> None:
        with db.transaction(write=True) as session:
            repo.add_touch(session, touch)

    claim = NewTouch(
        TEAM,
        acme.id,
        "U0SAM",
        NOW - dt.timedelta(hours=2),
        NOW,
        "claim",
        Kind.VALUE,
        Source.SLASH,
        about_problem=True,
    )
    promise = NewTouch(
        TEAM,
        acme.id,
        "U0PRIYA",
        NOW - dt.timedelta(hours=1),
        NOW,
        "follow up friday",
        Kind.ROUTINE,
        Source.SLASH,
        follow_up_on=dt.date(2026, 11, 27),
    )
    event.listen(db.engine, "after_cursor_execute", inserted)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(log, [claim, promise]))
    finally:
        event.remove(db.engine, "after_cursor_execute", inserted)
    assert summary_of(db, acme.id) == (
        promise.occurred_at,
        claim.occurred_at,
        dt.date(2026, 11, 27),
        "U0PRIYA",
    )
    with db.transaction() as session:
        assert [v for _, v in repo.summary_verdicts(session, TEAM, NOW)] == [Verdict.RIGHT]
