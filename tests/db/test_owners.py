"""The repository for owners who left and workspaces that removed the app."""

from __future__ import annotations

import datetime as dt

from bot.core.model import Rep, Status
from bot.db import repository as repo
from bot.db.engine import Database
from tests.helpers import TEAM, add_client, add_touch

NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
WEDNESDAY = dt.date(2026, 11, 25)


def test_a_handed_over_promise_is_kept_by_its_new_keeper_wherever_the_client_goes(
    db: Database,
) -> None:
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, NOW - dt.timedelta(days=9), "older promise", follow_up_on=WEDNESDAY)
    add_touch(db, acme, NOW - dt.timedelta(days=2), "sent the quote", follow_up_on=WEDNESDAY)
    other = add_client(db, "Harbor Dental")
    add_touch(
        db,
        other,
        NOW - dt.timedelta(days=2),
        "Priya's promise",
        rep="U0PRIYA",
        follow_up_on=WEDNESDAY,
    )
    with db.transaction(write=True) as session:
        assert repo.hand_over_promises(session, TEAM, acme.id, "U0SAM", "U0PRIYA") == 2
        # Nothing of Sam's to move on Harbor: Priya made that promise.
        assert repo.hand_over_promises(session, TEAM, other.id, "U0SAM", "U0NEW") == 0
        # Acme then moves on to someone else; Priya still keeps the promise she took over.
        repo.update_client(
            session,
            TEAM,
            acme.id,
            owner_id="U0NEW",
            tier=None,
            renewal_date=None,
            aliases=(),
            client_since=None,
        )
    with db.transaction() as session:
        hers = {
            a.client.name: a.promise_by
            for a in repo.client_activity(session, TEAM, NOW, owners=["U0PRIYA"])
        }
        everything = {a.client.name: a for a in repo.client_activity(session, TEAM, NOW)}
        touches = repo.recent_touches(session, TEAM, acme.id, limit=5)
    # Hers to keep, though she owns neither client.
    assert hers == {"Acme Insurance Group": "U0PRIYA", "Harbor Dental": "U0PRIYA"}
    assert everything["Acme Insurance Group"].promise_by == "U0PRIYA"
    assert everything["Harbor Dental"].promise_by == "U0PRIYA"
    # The touches still say who made each contact.
    assert {t.rep_id for t in touches} == {"U0SAM"}


def test_departed_reps_admins_and_the_clients_they_own(db: Database) -> None:
    with db.transaction(write=True) as session:
        repo.save_rep(session, Rep(TEAM, "U0SAM", "Sam", active=False))
        repo.save_rep(session, Rep(TEAM, "U0BOSS", "Bo", is_admin=True))
        repo.save_rep(session, Rep(TEAM, "U0PRIYA", "Priya"))
        repo.save_rep(session, Rep("T0OTHER", "U0SAM", "Sam", active=False, is_admin=True))
    add_client(db, "Acme Insurance Group")
    archived = add_client(db, "Old Archive Co")
    add_client(db, "Pinecrest Logistics", owner="U0PRIYA")
    add_client(db, "Elsewhere Ltd", team="T0OTHER")
    with db.transaction(write=True) as session:
        repo.archive_client(session, TEAM, archived.id)
    with db.transaction() as session:
        assert [r.user_id for r in repo.departed_reps(session, TEAM)] == ["U0SAM"]
        assert repo.admin_ids(session, TEAM) == {"U0BOSS"}
        owned = repo.clients_owned_by(session, TEAM, ["U0SAM"])
        assert repo.clients_owned_by(session, TEAM, []) == []
    assert [(c.name, c.status) for c in owned] == [("Acme Insurance Group", Status.ACTIVE)]


def test_the_first_uninstall_counts_and_only_a_later_request_clears_it(db: Database) -> None:
    with db.transaction(write=True) as session:
        assert repo.mark_uninstalled(session, TEAM, NOW)
        assert not repo.mark_uninstalled(session, TEAM, NOW + dt.timedelta(minutes=1))
    with db.transaction() as session:
        assert repo.uninstalled_at(session, TEAM) == NOW
        # The workspace's settings are still the defaults.
        assert repo.workspace_settings(session, TEAM).cadence_a == 30
        assert repo.uninstalled_teams(session, before=NOW - dt.timedelta(seconds=1)) == set()
        assert repo.uninstalled_teams(session, before=NOW) == {TEAM}
    with db.transaction(write=True) as session:
        assert not repo.mark_installed(session, TEAM, NOW)
        assert repo.mark_installed(session, TEAM, NOW + dt.timedelta(seconds=1))
    with db.transaction() as session:
        assert repo.uninstalled_teams(session) == set()
