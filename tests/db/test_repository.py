"""The repository on the current database (SQLite, or PostgreSQL when
TOUCHBASE_TEST_DATABASE_URL is set): UTC timestamps, team scoping, and the upserts."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import StatementError

from bot.core.model import (
    Kind,
    NewClient,
    NewTouch,
    Rep,
    Source,
    Status,
    Tier,
    WorkspaceSettings,
)
from bot.db import repository as repo
from bot.db.engine import Database
from tests.helpers import CREATED, TEAM, add_client, add_touch

OTHER = "T0OTHER"
TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")


def new_touch(
    client_id: int, when: dt.datetime, *, team: str = TEAM, note: str = "called"
) -> NewTouch:
    return NewTouch(team, client_id, "U0SAM", when, when, note, Kind.VALUE, Source.SLASH)


# UTC timestamps


def test_aware_timestamps_come_back_aware_in_utc(db: Database) -> None:
    created = dt.datetime(2026, 3, 29, 1, 30, tzinfo=TOKYO)  # 2026-03-28 16:30 UTC
    occurred = dt.datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK)  # the hour that happens twice
    logged = dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK)  # its second time
    with db.transaction(write=True) as session:
        client = repo.add_client(session, NewClient(TEAM, "Acme"), created)
        repo.add_touch(
            session,
            NewTouch(TEAM, client.id, "U0SAM", occurred, logged, "n", Kind.VALUE, Source.SLASH),
        )
        repo.save_rep(session, Rep(TEAM, "U0SAM", "Sam", profile_refreshed_at=created))
    with db.transaction() as session:
        [stored] = repo.all_clients(session, TEAM)
        [touch] = repo.all_touches(session, TEAM)
        rep = repo.get_rep(session, TEAM, "U0SAM")
    assert rep is not None and rep.profile_refreshed_at is not None
    for value, expected in [
        (stored.created_at, dt.datetime(2026, 3, 28, 16, 30, tzinfo=dt.UTC)),
        (touch.occurred_at, dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC)),
        (touch.logged_at, dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC)),
        (rep.profile_refreshed_at, dt.datetime(2026, 3, 28, 16, 30, tzinfo=dt.UTC)),
    ]:
        assert value == expected
        assert value.utcoffset() == dt.timedelta(0)
        assert value.tzinfo is not None


def test_microseconds_survive_the_round_trip(db: Database) -> None:
    when = dt.datetime(2026, 11, 23, 15, 0, 0, 123456, tzinfo=dt.UTC)
    client = add_client(db, "Acme")
    add_touch(db, client, when)
    with db.transaction() as session:
        [touch] = repo.all_touches(session, TEAM)
    assert touch.occurred_at == when


def test_ordering_is_by_instant_not_by_local_clock(db: Database) -> None:
    client = add_client(db, "Acme")
    # 09:00 in Tokyo is earlier than 01:00 the same day in New York.
    with db.transaction(write=True) as session:
        repo.add_touch(
            session, new_touch(client.id, dt.datetime(2026, 6, 1, 1, tzinfo=NEW_YORK), note="ny")
        )
        repo.add_touch(
            session, new_touch(client.id, dt.datetime(2026, 6, 1, 9, tzinfo=TOKYO), note="tokyo")
        )
    with db.transaction() as session:
        notes = [t.note for t in repo.recent_touches(session, TEAM, client.id)]
    assert notes == ["ny", "tokyo"]


def test_naive_timestamps_are_refused(db: Database) -> None:
    naive = dt.datetime(2026, 11, 23, 15, 0)
    with pytest.raises(StatementError, match="naive datetime"), db.transaction(write=True) as s:
        repo.add_client(s, NewClient(TEAM, "Acme"), naive)
    client = add_client(db, "Brightside")
    with pytest.raises(StatementError, match="naive datetime"), db.transaction(write=True) as s:
        repo.add_touch(s, new_touch(client.id, naive))
    with pytest.raises(StatementError, match="naive datetime"), db.transaction(write=True) as s:
        repo.add_touches(s, [new_touch(client.id, naive)])
    with pytest.raises(StatementError, match="naive datetime"), db.transaction(write=True) as s:
        repo.save_rep(s, Rep(TEAM, "U0SAM", "Sam", profile_refreshed_at=naive))
    with db.transaction() as session:
        assert [c.name for c in repo.all_clients(session, TEAM)] == ["Brightside"]
        assert repo.all_touches(session, TEAM) == []
        assert repo.get_rep(session, TEAM, "U0SAM") is None


# Team scoping


def test_another_teams_rows_never_leak(db: Database) -> None:
    mine = add_client(db, "Acme", aliases=("AIG",), tier=Tier.A)
    theirs = add_client(db, "Acme", aliases=("AIG",), tier=Tier.B, team=OTHER)
    their_only = add_client(db, "Globex", team=OTHER)
    when = dt.datetime(2026, 11, 20, 15, tzinfo=dt.UTC)
    add_touch(db, mine, when, "mine")
    add_touch(db, theirs, when + dt.timedelta(hours=1), "theirs")
    with db.transaction(write=True) as session:
        repo.save_rep(session, Rep(TEAM, "U0SAM", "Sam (mine)"))
        repo.save_rep(session, Rep(OTHER, "U0SAM", "Sam (theirs)", is_admin=True))
        repo.save_workspace_settings(session, WorkspaceSettings(OTHER, cadence_a=7))

    with db.transaction() as session:
        assert [c.id for c in repo.all_clients(session, TEAM)] == [mine.id]
        assert [c.id for c in repo.active_clients(session, TEAM)] == [mine.id]
        assert repo.get_client(session, TEAM, their_only.id) is None
        assert repo.get_client(session, TEAM, theirs.id) is None
        assert repo.get_client(session, OTHER, theirs.id) == theirs
        assert {
            k: c.id for k, c in repo.clients_by_name(session, TEAM, ["ACME", "Globex"]).items()
        } == {"acme": mine.id}
        [touch] = repo.all_touches(session, TEAM)
        assert touch.note == "mine"
        [their_touch] = repo.all_touches(session, OTHER)
        assert repo.get_touch(session, TEAM, their_touch.id) is None
        assert repo.recent_touches(session, TEAM, theirs.id) == []
        assert repo.count_touches(session, TEAM) == 1
        latest = repo.latest_touch_logged_by(session, TEAM, "U0SAM")
        assert latest is not None and latest.note == "mine"
        rep = repo.get_rep(session, TEAM, "U0SAM")
        assert rep is not None and (rep.display_name, rep.is_admin) == ("Sam (mine)", False)
        assert [r.display_name for r in repo.get_reps(session, TEAM, ["U0SAM"]).values()] == [
            "Sam (mine)"
        ]
        assert repo.workspace_settings(session, TEAM) == WorkspaceSettings(TEAM)
        assert repo.workspace_settings(session, OTHER).cadence_a == 7
        assert repo.client_owners(session, TEAM) == {"U0SAM"}

    # Writes aimed at another team's rows do nothing.
    with db.transaction(write=True) as session:
        repo.set_touch_kind(session, TEAM, their_touch.id, Kind.ROUTINE)
        repo.delete_touch(session, TEAM, their_touch.id)
        outcome = repo.upsert_client(session, NewClient(TEAM, "Globex", owner_id="U0X"), CREATED)
        assert outcome == "created"
    with db.transaction() as session:
        assert repo.get_touch(session, OTHER, their_touch.id) == their_touch
        assert repo.get_client(session, OTHER, their_only.id) == their_only
        assert len(repo.all_clients(session, TEAM)) == 2


# upsert_client


def test_upsert_client_outcomes(db: Database) -> None:
    later = CREATED + dt.timedelta(days=30)
    first = NewClient(TEAM, "Acme Insurance", ("AIG",), "U0SAM", Tier.A, dt.date(2027, 1, 1))
    with db.transaction(write=True) as session:
        assert repo.upsert_client(session, first, CREATED) == "created"
        assert repo.upsert_client(session, first, later) == "unchanged"
        # Same name ignoring case and spacing: the same client.
        renamed = NewClient(TEAM, "ACME  insurance", ("AIG",), "U0SAM", Tier.A, dt.date(2027, 1, 1))
        assert repo.upsert_client(session, renamed, later) == "updated"
        changes = [
            dataclasses.replace(renamed, aliases=("AIG", "Acme")),
            dataclasses.replace(renamed, aliases=("AIG", "Acme"), owner_id="U0PRIYA"),
            dataclasses.replace(renamed, aliases=("AIG", "Acme"), owner_id="U0PRIYA", tier=None),
            NewClient(TEAM, "ACME  insurance", ("AIG", "Acme"), "U0PRIYA", None, None),
            NewClient(TEAM, "ACME  insurance", (), None, None, None),
        ]
        for change in changes:
            assert repo.upsert_client(session, change, later) == "updated"
            assert repo.upsert_client(session, change, later) == "unchanged"
    with db.transaction() as session:
        [client] = repo.all_clients(session, TEAM)
    assert (client.name, client.aliases, client.owner_id, client.tier, client.renewal_date) == (
        "ACME  insurance",
        (),
        None,
        None,
        None,
    )
    assert client.created_at == CREATED  # the first time it was seen
    assert client.status is Status.ACTIVE


def test_upsert_client_keeps_the_status(db: Database) -> None:
    with db.transaction(write=True) as session:
        archived = repo.add_client(
            session, NewClient(TEAM, "Acme", status=Status.ARCHIVED), CREATED
        )
        assert repo.upsert_client(session, NewClient(TEAM, "acme", tier=Tier.C), CREATED) == (
            "updated"
        )
    with db.transaction() as session:
        client = repo.get_client(session, TEAM, archived.id)
    assert client is not None
    assert (client.name, client.tier, client.status) == ("acme", Tier.C, Status.ARCHIVED)


def test_upsert_client_creates_per_team(db: Database) -> None:
    with db.transaction(write=True) as session:
        assert repo.upsert_client(session, NewClient(TEAM, "Acme"), CREATED) == "created"
        assert repo.upsert_client(session, NewClient(OTHER, "Acme"), CREATED) == "created"
    with db.transaction() as session:
        assert len(repo.all_clients(session, TEAM)) == len(repo.all_clients(session, OTHER)) == 1


# save_rep


def test_save_rep_inserts_then_updates_in_place(db: Database) -> None:
    refreshed = dt.datetime(2026, 11, 23, 15, tzinfo=dt.UTC)
    with db.transaction(write=True) as session:
        repo.save_rep(session, Rep(TEAM, "U0SAM", "Sam", tz="America/New_York"))
    with db.transaction() as session:
        assert repo.get_rep(session, TEAM, "U0SAM") == Rep(
            TEAM, "U0SAM", "Sam", tz="America/New_York"
        )
    changed = Rep(
        TEAM,
        "U0SAM",
        "Sam Rivera",
        tz="Europe/London",
        paused_until=dt.date.max,
        active=False,
        is_admin=True,
        profile_refreshed_at=refreshed,
    )
    with db.transaction(write=True) as session:
        repo.save_rep(session, changed)
    with db.transaction() as session:
        assert repo.get_rep(session, TEAM, "U0SAM") == changed
        assert list(repo.get_reps(session, TEAM, ["U0SAM", "U0NOBODY"])) == ["U0SAM"]
    # And back: None and False overwrite too.
    with db.transaction(write=True) as session:
        repo.save_rep(session, Rep(TEAM, "U0SAM", "Sam"))
    with db.transaction() as session:
        assert repo.get_rep(session, TEAM, "U0SAM") == Rep(TEAM, "U0SAM", "Sam")


def test_save_rep_twice_in_one_transaction(db: Database) -> None:
    with db.transaction(write=True) as session:
        repo.save_rep(session, Rep(TEAM, "U0SAM", "Sam"))
        repo.save_rep(session, Rep(TEAM, "U0SAM", "Sam R."))
        repo.save_rep(session, Rep(OTHER, "U0SAM", "Someone else"))
    with db.transaction() as session:
        rep = repo.get_rep(session, TEAM, "U0SAM")
        other = repo.get_rep(session, OTHER, "U0SAM")
    assert rep is not None and rep.display_name == "Sam R."
    assert other is not None and other.display_name == "Someone else"


def test_add_touches_in_bulk(db: Database) -> None:
    client = add_client(db, "Acme")
    when = dt.datetime(2026, 11, 20, 17, tzinfo=dt.UTC)
    with db.transaction(write=True) as session:
        assert repo.add_touches(session, []) == 0
        written = repo.add_touches(
            session, [new_touch(client.id, when, note="a"), new_touch(client.id, when, note="b")]
        )
        assert written == 2
    with db.transaction() as session:
        stored = repo.all_touches(session, TEAM)
    assert [(t.note, t.occurred_at) for t in stored] == [("a", when), ("b", when)]
