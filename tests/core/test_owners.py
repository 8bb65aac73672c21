"""Clients whose owner left, and the admins' morning line about them, on plain values."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bot.core.model import Client, ClientActivity, Rep, Status, WorkspaceSettings
from bot.core.nudges import due_reps, plan_digests
from bot.core.owners import needing_owner, orphaned_promises_to_owners, promises_follow

# Monday 23 November 2026, 15:00 UTC: past nine everywhere below.
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
CREATED = dt.datetime(2025, 1, 6, 12, tzinfo=dt.UTC)
SETTINGS = WorkspaceSettings("T1")


def rep(user_id: str, *, active: bool = True, is_admin: bool = False) -> Rep:
    return Rep("T1", user_id, user_id.lower(), "Europe/London", None, active, is_admin, NOW)


def client(
    id: int, name: str, owner: str | None = "U0SAM", status: Status = Status.ACTIVE
) -> Client:
    return Client(id, "T1", name, owner_id=owner, status=status, created_at=CREATED)


REPS = {r.user_id: r for r in (rep("U0SAM", active=False), rep("U0PRIYA"))}


def test_the_active_clients_of_a_rep_who_left_need_a_new_owner_by_name() -> None:
    book = [
        client(1, "harbor Dental"),
        client(2, "Acme Insurance Group"),
        client(3, "Old Archive Co", status=Status.ARCHIVED),
        client(4, "Pinecrest Logistics", owner="U0PRIYA"),
        client(5, "Handed Back Co", owner=None),
        # An owner we know nothing of is not known to be gone.
        client(6, "Stranger Co", owner="U0NEW"),
    ]
    waiting = needing_owner(book, REPS)
    assert [(u.client.name, u.was.user_id) for u in waiting] == [
        ("Acme Insurance Group", "U0SAM"),
        ("harbor Dental", "U0SAM"),
    ]
    assert needing_owner(book, {}) == ()


def test_only_a_departed_owners_promises_follow_the_client() -> None:
    assert promises_follow(rep("U0SAM", active=False), "U0PRIYA")
    # Someone still here keeps what they promised; so does nobody, and nothing moves to oneself.
    assert not promises_follow(rep("U0SAM"), "U0PRIYA")
    assert not promises_follow(None, "U0PRIYA")
    assert not promises_follow(rep("U0SAM", active=False), "U0SAM")


def plan(
    reps: list[Rep], activities: list[ClientActivity], *, admins: frozenset[str], unowned: int
) -> dict[str, tuple[int, int]]:
    """user ID -> (items, unowned) of each digest planned."""
    due = due_reps(reps, SETTINGS, set(), now=NOW)
    return {
        p.rep.user_id: (len(p.digest.items), p.digest.unowned)
        for p in plan_digests(
            due, activities, SETTINGS, {}, {}, now=NOW, admins=admins, unowned=unowned
        )
    }


def test_every_due_admin_hears_how_many_wait_even_with_nothing_else_due() -> None:
    quiet = ClientActivity(client(7, "Quiet Co", owner="U0PRIYA"))
    reps = [rep("U0BOSS", is_admin=True), rep("U0LISTED"), rep("U0PRIYA")]
    planned = plan(reps, [quiet], admins=frozenset({"U0LISTED"}), unowned=4)
    assert planned == {"U0BOSS": (0, 4), "U0LISTED": (0, 4), "U0PRIYA": (1, 0)}
    # Priya, an admin with her own clients due: one digest, the line on top of them.
    planned = plan(reps, [quiet], admins=frozenset({"U0PRIYA"}), unowned=4)
    assert planned["U0PRIYA"] == (1, 4)


def test_nothing_waiting_no_line_and_no_digest_for_admins_with_nothing_due() -> None:
    reps = [rep("U0BOSS", is_admin=True)]
    assert plan(reps, [], admins=frozenset(), unowned=0) == {}
    # An admin who left isn't due: the line waits for the others.
    gone = [rep("U0BOSS", is_admin=True, active=False)]
    assert plan(gone, [], admins=frozenset(), unowned=3) == {}


def test_a_promise_whose_maker_left_is_the_owners_and_the_others_are_kept() -> None:
    promised = dt.date(2026, 11, 20)
    made = NOW - dt.timedelta(days=5)
    covered = ClientActivity(client(8, "Harbour Bakery", owner="U0PRIYA"), made, made)
    by_sam = dataclasses.replace(
        covered, promise_due=promised, promise_made_at=made, promise_by="U0SAM"
    )
    by_ali = dataclasses.replace(by_sam, promise_by="U0ALI")

    assert orphaned_promises_to_owners([by_sam, by_ali], {"U0SAM"}) == [
        dataclasses.replace(by_sam, promise_by=None),
        by_ali,
    ]
    due = due_reps([rep("U0PRIYA")], SETTINGS, set(), now=NOW)
    [planned] = plan_digests(due, [by_sam], SETTINGS, {}, {}, now=NOW, departed={"U0SAM"})
    assert [i.client.name for i in planned.digest.items] == ["Harbour Bakery"]
    assert plan_digests(due, [by_sam], SETTINGS, {}, {}, now=NOW) == []
