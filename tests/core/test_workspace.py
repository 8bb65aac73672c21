"""Changing workspace settings, on plain values."""

from __future__ import annotations

import pytest

from bot.core.model import NoteReaders, WorkspaceDefaults, WorkspaceSettings
from bot.core.workspace import SETTINGS, change, shown

DEFAULTS = WorkspaceSettings("T1")


@pytest.mark.parametrize(
    ("key", "raw", "field", "expected"),
    [
        ("cadence_a", "21", "cadence_a", 21),
        ("cadence_untiered", " 45 ", "cadence_untiered", 45),
        ("nudge_hour", "0", "nudge_hour", 0),
        ("renewal_window_days", "90", "renewal_window_days", 90),
        ("holiday_country", "gb", "holiday_country", "GB"),
        ("holiday_country", "none", "holiday_country", None),
        ("recap_quotes", "on", "recap_quotes", True),
        ("recap_quotes", "OFF", "recap_quotes", False),
        ("notes_visible_to", "owners", "notes_visible_to", NoteReaders.OWNERS),
        ("notes_visible_to", " Team", "notes_visible_to", NoteReaders.TEAM),
        ("note_retention_days", "730", "note_retention_days", 730),
        ("note_retention_days", "off", "note_retention_days", None),
        ("recap_channel", " C0WINS ", "recap_channel", "C0WINS"),
        ("recap_channel", "default", "recap_channel", None),
        ("timezone", "Europe/London", "timezone", "Europe/London"),
        ("timezone", "DEFAULT", "timezone", None),
        ("admins", "U0SAM, U0PRIYA W0ANN", "admins", frozenset({"U0SAM", "U0PRIYA", "W0ANN"})),
        ("admins", "none", "admins", frozenset()),
        ("admins", "default", "admins", None),
    ],
)
def test_a_valid_value_changes_only_that_setting(
    key: str, raw: str, field: str, expected: object
) -> None:
    changed = change(DEFAULTS, key, raw)
    assert isinstance(changed, WorkspaceSettings)
    assert getattr(changed, field) == expected
    others = [k for k in SETTINGS if k != field]
    assert all(getattr(changed, k) == getattr(DEFAULTS, k) for k in others)


@pytest.mark.parametrize(
    ("key", "raw", "says"),
    [
        ("cadence_a", "0", "from 1 to 730"),
        ("cadence_b", "-5", "whole number"),
        ("nudge_hour", "24", "from 0 to 23"),
        ("renudge_days", "²", "whole number"),
        ("holiday_country", "XX", "isn't a country code"),
        ("colour", "blue", "no setting called colour"),
        ("recap_quotes", "yes", "recap_quotes is on or off"),
        ("notes_visible_to", "everyone", "notes_visible_to is team or owners"),
        ("note_retention_days", "0", "note_retention_days is off, or a whole number from 30"),
        ("note_retention_days", "never", "note_retention_days is off, or a whole number from 30"),
        ("recap_channel", "#team-wins", "#team-wins isn't a channel ID; expected one such as"),
        ("recap_channel", "U0SAM", "isn't a channel ID"),
        ("timezone", "Mars/Olympus_Mons", "Mars/Olympus_Mons isn't a time zone"),
        ("timezone", "America", "America isn't a time zone"),  # a folder of zones, not one
        ("admins", "U0SAM, @priya", "@priya isn't a Slack user ID"),
    ],
)
def test_a_bad_value_is_explained(key: str, raw: str, says: str) -> None:
    result = change(DEFAULTS, key, raw)
    assert isinstance(result, str) and says in result


def test_every_setting_is_a_field_of_the_settings() -> None:
    assert all(hasattr(DEFAULTS, key) for key in SETTINGS)


@pytest.mark.parametrize(("raw", "expected"), [("DMY", "DMY"), (" dmy ", "DMY"), ("mdy", "MDY")])
def test_the_date_order(raw: str, expected: str) -> None:
    changed = change(DEFAULTS, "date_order", raw)
    assert isinstance(changed, WorkspaceSettings) and changed.date_order == expected


def test_a_date_order_that_isnt_one() -> None:
    result = change(DEFAULTS, "date_order", "YMD")
    assert isinstance(result, str) and "MDY or DMY" in result


def test_values_are_shown_as_they_are_typed() -> None:
    quoting = WorkspaceSettings("T1", recap_quotes=True, note_retention_days=365)
    privacy = ("holiday_country", "recap_quotes", "notes_visible_to", "note_retention_days")
    assert [shown(DEFAULTS, k) for k in (*privacy, "renewal_alarm_days")] == [
        "none",
        "off",
        "team",
        "off",
        "14",
    ]
    assert [shown(quoting, k) for k in ("recap_quotes", "note_retention_days")] == ["on", "365"]


def test_the_recap_channel_time_zone_and_admins_show_as_typed() -> None:
    unset = ("recap_channel", "timezone", "admins")
    assert [shown(DEFAULTS, k) for k in unset] == ["default", "default", "default"]
    own = WorkspaceSettings(
        "T1", recap_channel="C0WINS", timezone="Asia/Kolkata", admins=frozenset({"U0TWO", "U0ONE"})
    )
    assert [shown(own, k) for k in unset] == ["C0WINS", "Asia/Kolkata", "U0ONE,U0TWO"]
    assert shown(WorkspaceSettings("T1", admins=frozenset()), "admins") == "none"
    # What is shown reads back as the same value.
    for key in unset:
        again = change(DEFAULTS, key, shown(own, key))
        assert isinstance(again, WorkspaceSettings) and getattr(again, key) == getattr(own, key)


def test_unset_values_take_the_defaults() -> None:
    defaults = WorkspaceDefaults("C0ENV", "America/Chicago", frozenset({"U0ENV"}))
    assert DEFAULTS.effective_recap_channel(defaults) == "C0ENV"
    assert DEFAULTS.effective_timezone(defaults) == "America/Chicago"
    assert DEFAULTS.effective_admins(defaults) == {"U0ENV"}
    own = WorkspaceSettings("T1", recap_channel="C0OWN", timezone="Asia/Tokyo", admins=frozenset())
    assert own.effective_recap_channel(defaults) == "C0OWN"
    assert own.effective_timezone(defaults) == "Asia/Tokyo"
    # Naming nobody is a value: the environment's admins don't come back.
    assert own.effective_admins(defaults) == frozenset()
    assert DEFAULTS.effective_timezone(WorkspaceDefaults()) == "UTC"
