"""What the last conversation was about, what was promised, and what a rep may be reminded of
(bot.core.topics)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.core.model import Client, Kind, NoteReaders, Source, Touch, WorkspaceSettings
from bot.core.privacy import removed_note
from bot.core.topics import Recall, Topic, promised, recall, topic

NY = ZoneInfo("America/New_York")
TODAY = dt.date(2026, 11, 23)
ACME = Client(id=1, team_id="T1", name="Acme Insurance Group", owner_id="U0SAM")
TEAM = WorkspaceSettings("T1")
OWNERS = WorkspaceSettings("T1", notes_visible_to=NoteReaders.OWNERS)


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("lunch with the owner, expansion plans", Topic.EXPANSION),
        ("they're expanding into Jersey next spring", Topic.EXPANSION),
        ("opening a second location in March", Topic.EXPANSION),
        ("moving to a bigger unit in the new year", Topic.MOVE),
        ("they relocated the bakery to Main St", Topic.MOVE),
        ("toured their new warehouse", Topic.PREMISES),
        ("renovating the kitchen over the summer", Topic.PREMISES),
        ("hired a new office manager", Topic.HIRE),
        ("talked about the new hire starting Monday", Topic.HIRE),
        ("sent the quote for the new truck, follow up friday", Topic.VEHICLE),
        ("bought two vans for the delivery business", Topic.VEHICLE),
        ("called about their claim", Topic.CLAIM),
        ("water damage after the storm", Topic.CLAIM),
        ("getting ready for the trade show in Vegas", Topic.EVENT),
        ("they're hosting a fundraiser gala", Topic.EVENT),
        ("her daughter's wedding is in June", Topic.FAMILY),
        ("owner is retiring at the end of the year", Topic.FAMILY),
        ("new baby on the way!", Topic.FAMILY),
        # A claim comes first: it is what a client most wants asked about.
        ("storm damage claim, and the move is delayed", Topic.CLAIM),
        # Nothing to ask about.
        ("reviewed their cover", None),
        ("called to review their cover before the busy season", None),
        ("visited the site and walked through their fleet risks", None),
        ("no claims this year, reviewed the limits", None),
        ("moving forward with the umbrella policy", None),
        ("moved the meeting to friday", None),
        ("", None),
    ],
)
def test_the_topic_of_a_note(note: str, expected: Topic | None) -> None:
    assert topic(note) is expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("sent the quote for the new truck, follow up friday", "sent the quote for the new truck"),
        ("quote for the new truck - f/u in 2 wks", "quote for the new truck"),
        ("follow up next week about the fleet quote", None),
        ("call back on the 15th", None),
        ("went over the renewal; circle back in a month #value", "went over the renewal"),
        ("reviewed cover, will f/u next wk", "reviewed cover"),
        # A note that makes no promise is kept whole.
        ("sent the quote", "sent the quote"),
    ],
)
def test_what_was_promised_is_the_note_without_its_follow_up(
    note: str, expected: str | None
) -> None:
    assert promised(note, TODAY) == expected


def touch(
    note: str,
    *,
    id_: int = 1,
    rep: str = "U0SAM",
    private: bool = False,
    at: dt.datetime = dt.datetime(2026, 7, 13, 1, 30, tzinfo=dt.UTC),
    follow_up_on: dt.date | None = None,
) -> Touch:
    return Touch(
        id=id_,
        team_id="T1",
        client_id=ACME.id,
        rep_id=rep,
        occurred_at=at,
        logged_at=at,
        note=note,
        kind=Kind.VALUE,
        source=Source.SLASH,
        follow_up_on=follow_up_on,
        private=private,
    )


def test_the_last_conversation_in_the_readers_zone_with_its_topic() -> None:
    # 01:30 UTC on 13 July is the evening of 12 July in New York.
    last = touch("lunch with the owner, expansion plans #value")
    got = recall(ACME, "U0SAM", TEAM, last_value=last, promise=None, tz=NY)
    assert got == Recall(dt.date(2026, 7, 12), "lunch with the owner, expansion plans", None)
    assert got.topic is Topic.EXPANSION


@pytest.mark.parametrize(
    ("private", "settings", "reader", "shown"),
    [
        (False, TEAM, "U0PRIYA", True),
        (True, TEAM, "U0PRIYA", False),
        (False, OWNERS, "U0PRIYA", False),
        # The owner reads every note about their client, private or not.
        (True, OWNERS, "U0SAM", True),
    ],
)
def test_only_a_note_the_reader_may_read_is_recalled(
    private: bool, settings: WorkspaceSettings, reader: str, shown: bool
) -> None:
    last = touch("their daughter's wedding", rep="U0KIM", private=private)
    promise = dataclasses.replace(last, id=2, note="quote for the boat, f/u friday")
    got = recall(ACME, reader, settings, last_value=last, promise=promise, tz=NY)
    if shown:
        assert (got.last_note, got.topic, got.promised) == (
            "their daughter's wedding",
            Topic.FAMILY,
            "quote for the boat",
        )
    else:
        # Nothing of the note, not even its topic: "ask about the wedding" would tell it.
        assert got == Recall()
        assert got.topic is None


def test_an_admin_is_not_shown_a_private_note_on_a_morning_note() -> None:
    """Admins read private notes where they look on purpose (and are audited); the morning note
    and the Home tab come to them unasked, so they get what any colleague gets."""
    last = touch("loan trouble", rep="U0KIM", private=True)
    got = recall(ACME, "U0ADMIN", TEAM, last_value=last, promise=None, tz=NY)
    assert got == Recall()


def test_a_note_removed_after_the_retention_period_is_not_recalled() -> None:
    last = touch(removed_note(730))
    assert recall(ACME, "U0SAM", TEAM, last_value=last, promise=None, tz=NY) == Recall()


def test_a_promise_made_by_the_last_conversation_is_told_once() -> None:
    last = touch("sent the quote for the new truck, follow up friday", follow_up_on=TODAY)
    got = recall(ACME, "U0SAM", TEAM, last_value=last, promise=last, tz=NY)
    assert got.promised == "sent the quote for the new truck"
    assert got.promise_is_last
