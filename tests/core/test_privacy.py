"""Who may read a note, `#private`, and finding a client by its exact name (bot.core.privacy)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.core.model import Client, Kind, NoteReaders, Source, Status, Touch, WorkspaceSettings
from bot.core.plan import TouchPlan, plan_note
from bot.core.privacy import (
    Reader,
    admin_only,
    may_read,
    named,
    readable,
    removed_note,
    strip_private,
    visible_note,
)

NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
ACME = Client(id=1, team_id="T1", name="Acme Insurance Group", owner_id="U0OWNER")
TEAM = WorkspaceSettings("T1")
OWNERS = WorkspaceSettings("T1", notes_visible_to=NoteReaders.OWNERS)


def touch(*, private: bool = False, rep: str = "U0AUTHOR", id_: int = 7) -> Touch:
    return Touch(
        id=id_,
        team_id="T1",
        client_id=ACME.id,
        rep_id=rep,
        occurred_at=NOW,
        logged_at=NOW,
        note="their daughter is ill",
        kind=Kind.VALUE,
        source=Source.SLASH,
        private=private,
    )


AUTHOR = Reader("U0AUTHOR")
OWNER = Reader("U0OWNER")
ADMIN = Reader("U0ADMIN", admin=True)
COLLEAGUE = Reader("U0OTHER")


@pytest.mark.parametrize(
    ("private", "settings", "reader", "expected"),
    [
        # The default: the team reads everything but private notes.
        (False, TEAM, COLLEAGUE, True),
        (True, TEAM, COLLEAGUE, False),
        # Author, owner and admins read everything.
        *[(p, s, r, True) for p in (False, True) for s in (TEAM, OWNERS) for r in (AUTHOR, OWNER)],
        *[(p, s, ADMIN, True) for p in (False, True) for s in (TEAM, OWNERS)],
        # `notes_visible_to = owners`: colleagues read no note.
        (False, OWNERS, COLLEAGUE, False),
        (True, OWNERS, COLLEAGUE, False),
    ],
)
def test_who_may_read_a_note(
    private: bool, settings: WorkspaceSettings, reader: Reader, expected: bool
) -> None:
    t = touch(private=private)
    assert may_read(t, reader, ACME, settings) is expected
    assert visible_note(t, reader, ACME, settings) == (t.note if expected else None)


def test_a_client_with_no_owner_leaves_the_author_and_admins() -> None:
    orphan = Client(id=1, team_id="T1", name="Acme")
    t = touch(private=True)
    assert [may_read(t, r, orphan, TEAM) for r in (AUTHOR, ADMIN, COLLEAGUE)] == [
        True,
        True,
        False,
    ]


def test_only_reads_an_admin_owes_to_being_admin_are_admin_only() -> None:
    assert admin_only(touch(private=True), ADMIN, ACME, TEAM)
    assert admin_only(touch(), ADMIN, ACME, OWNERS)
    assert not admin_only(touch(), ADMIN, ACME, TEAM)
    assert not admin_only(touch(private=True, rep="U0ADMIN"), ADMIN, ACME, TEAM)
    assert not admin_only(touch(private=True), OWNER, ACME, TEAM)


def test_readable_removes_a_hidden_notes_text() -> None:
    shown = readable([touch(id_=1), touch(private=True, id_=2)], COLLEAGUE, ACME, TEAM)
    assert [t.note for t in shown.touches] == ["their daughter is ill", ""]
    assert (shown.hidden, shown.admin_only) == ({2}, set())
    as_admin = readable([touch(id_=1), touch(private=True, id_=2)], ADMIN, ACME, TEAM)
    assert (as_admin.hidden, as_admin.admin_only) == (set(), {2})


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("called about the loan #private", ("called about the loan", True)),
        ("#PRIVATE called  about it", ("called about it", True)),
        ("called about #privateer ships", ("called about #privateer ships", False)),
        ("emailed private@acme.com", ("emailed private@acme.com", False)),
        ("called", ("called", False)),
    ],
)
def test_private_tag(note: str, expected: tuple[str, bool]) -> None:
    assert strip_private(note) == expected


def test_plan_note_makes_a_tagged_touch_private_and_drops_the_tag() -> None:
    plan = plan_note(
        ACME, "yesterday #private called about the loan", None, now=NOW, tz=ZoneInfo("UTC")
    )
    assert isinstance(plan, TouchPlan)
    assert (plan.note, plan.private, plan.day) == (
        "called about the loan",
        True,
        dt.date(2026, 11, 22),
    )
    new = plan.to_new_touch("T1", "U0AUTHOR", NOW, Source.SLASH)
    assert new.private
    untagged = plan_note(ACME, "called", None, now=NOW, tz=ZoneInfo("UTC"))
    assert isinstance(untagged, TouchPlan) and not untagged.private


def test_named_takes_only_an_exact_name_or_alias_and_archived_clients_too() -> None:
    clients = [
        Client(id=1, team_id="T1", name="Acme Insurance Group", aliases=("AIG",)),
        Client(id=2, team_id="T1", name="Acme Logistics", status=Status.ARCHIVED),
    ]
    assert [c.id for c in named(clients, "  acme   insurance group ")] == [1]
    assert [c.id for c in named(clients, "aig")] == [1]
    assert [c.id for c in named(clients, "ACME LOGISTICS")] == [2]
    assert named(clients, "acme") == []
    # A name wins over another client's alias; an alias two clients share names both.
    clients += [
        Client(id=3, team_id="T1", name="AIG", aliases=("Shared",)),
        Client(id=4, team_id="T1", name="Other", aliases=("shared",)),
    ]
    assert [c.id for c in named(clients, "aig")] == [3]
    assert [c.id for c in named(clients, "SHARED")] == [3, 4]


def test_a_removed_note_says_after_how_long() -> None:
    assert removed_note(730) == "(note removed after 730 days)"
